-- int_eum_checks: end-use monitoring checks with breakdowns and duration.
-- Grain: one row per check in stg_eum_checks.
-- Inputs: stg_eum_checks, ref_purchasers (country code -> region).
-- Columns: check_id; breakdowns program, check_type, region (of the country checked: null
-- for a code missing from the reference, which the cell checks refuse); initiated_date,
-- completed_date, result;
-- check_days = completed_date - initiated_date (null while open).
with

checks as (
    select * from stg_eum_checks
),

purchasers as (
    select * from ref_purchasers
)

select
    checks.check_id,
    checks.program,
    checks.check_type,
    purchasers.region,
    checks.initiated_date,
    checks.completed_date,
    checks.result,
    checks.completed_date - checks.initiated_date as check_days
from checks
left join purchasers on checks.country_code = purchasers.code
