-- int_fms_cases: implemented FMS cases with their breakdowns.
-- Grain: one row per case in stg_fms_cases.
-- Inputs: stg_fms_cases, ref_purchasers (code -> region).
with

cases as (
    select * from stg_fms_cases
),

purchasers as (
    select * from ref_purchasers
)

select
    cases.case_id,
    cases.implementing_agency,
    cases.purchaser_code as purchaser,
    purchasers.region,
    cast(cases.priority_platform as varchar) as priority_platform,
    cases.funding_source,
    cases.implemented_date,
    cases.supply_complete_date,
    cases.closed_date,
    cases.case_value_usd
from cases
left join purchasers on cases.purchaser_code = purchasers.code
