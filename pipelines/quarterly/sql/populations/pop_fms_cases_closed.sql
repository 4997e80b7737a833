-- pop_fms_cases_closed: FMS cases, each in the quarter it was closed.
-- Grain: one row per case whose closed_date is in a spine quarter (a flow).
-- Inputs: int_fms_cases, int_calendar (day -> quarter).
-- Columns: period; case_id (the record); breakdowns implementing_agency, region, purchaser,
-- priority_platform, funding_source.
with

calendar as (
    select * from int_calendar
),

closed as (
    select * from int_fms_cases
    where closed_date is not null
)

select
    calendar.period,
    closed.case_id,
    closed.implementing_agency,
    closed.region,
    closed.purchaser,
    closed.priority_platform,
    closed.funding_source
from closed
inner join calendar on closed.closed_date = calendar.calendar_date
