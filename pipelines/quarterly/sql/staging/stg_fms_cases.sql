-- stg_fms_cases: implemented FMS cases as knowable at the release quarter's end (as-of cut).
-- Grain: one row per case implemented on or before release.release_end.
-- Inputs: fms_cases (accepted ingest rows), params (one row: release_end).
-- Supply completion and closure dated after the release end have not happened yet (null).
with

cases as (
    select * from fms_cases
),

release as (
    select release_end from params
)

select
    cases.case_id,
    cases.purchaser_code,
    cases.implementing_agency,
    cases.funding_source,
    cases.priority_platform,
    cases.implemented_date,
    cases.case_value_usd,
    case
        when cases.supply_complete_date <= release.release_end then cases.supply_complete_date
    end as supply_complete_date,
    case when cases.closed_date <= release.release_end then cases.closed_date end as closed_date
from cases
cross join release
where cases.implemented_date <= release.release_end
