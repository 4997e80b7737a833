-- stg_eum_checks: end-use monitoring checks as knowable at the release end (as-of cut).
-- Grain: one row per check initiated on or before release.release_end.
-- Inputs: eum_checks (accepted ingest rows), params (one row: release_end).
-- Columns: the input's.
-- A completion dated after the release end has not happened yet: its date and result are
-- null, so the check is still open at the release end.
with

checks as (
    select * from eum_checks
),

release as (
    select release_end from params
),

initiated as (
    select
        checks.*,
        checks.completed_date <= release.release_end as is_completed
    from checks
    cross join release
    where checks.initiated_date <= release.release_end
)

select
    check_id,
    program,
    check_type,
    country_code,
    initiated_date,
    case when is_completed then completed_date end as completed_date,
    case when is_completed then result end as result
from initiated
