-- pop_fms_cases_implemented: FMS cases, each in the quarter it was implemented.
-- Grain: one row per case whose implemented_date is in a spine quarter (a flow).
-- Inputs: int_fms_cases, int_calendar (day -> quarter).
-- Columns: period; case_id (the record); breakdowns implementing_agency, region, purchaser,
-- priority_platform, funding_source; value_usd = case_value_usd (null when not recorded).
with

calendar as (
    select * from int_calendar
),

implemented as (
    select * from int_fms_cases
    where implemented_date is not null
)

select
    calendar.period,
    implemented.case_id,
    implemented.implementing_agency,
    implemented.region,
    implemented.purchaser,
    implemented.priority_platform,
    implemented.funding_source,
    implemented.case_value_usd as value_usd
from implemented
inner join calendar on implemented.implemented_date = calendar.calendar_date
