-- pop_fms_cases_supply_complete: FMS cases, each in the quarter it became supply complete.
-- Grain: one row per case whose supply_complete_date is in a spine quarter (a flow).
-- Inputs: int_fms_cases, int_calendar (day -> quarter).
-- Columns: period; case_id (the record); breakdowns implementing_agency, region, purchaser,
-- priority_platform, funding_source.
with

calendar as (
    select * from int_calendar
),

supply_complete as (
    select * from int_fms_cases
    where supply_complete_date is not null
)

select
    calendar.period,
    supply_complete.case_id,
    supply_complete.implementing_agency,
    supply_complete.region,
    supply_complete.purchaser,
    supply_complete.priority_platform,
    supply_complete.funding_source
from supply_complete
inner join calendar on supply_complete.supply_complete_date = calendar.calendar_date
