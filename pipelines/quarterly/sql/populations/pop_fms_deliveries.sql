-- pop_fms_deliveries: deliveries under FMS cases, each in the quarter it was made.
-- Grain: one row per delivery whose delivery_date is in a spine quarter (a flow).
-- Inputs: int_fms_deliveries (with the attributes of the case delivered against),
-- int_calendar (day -> quarter).
-- Columns: period; delivery_id (the record); breakdowns implementing_agency, region,
-- purchaser, priority_platform, funding_source (those of the case); value_usd =
-- delivered_value_usd (null when not recorded).
with

calendar as (
    select * from int_calendar
),

deliveries as (
    select * from int_fms_deliveries
)

select
    calendar.period,
    deliveries.delivery_id,
    deliveries.implementing_agency,
    deliveries.region,
    deliveries.purchaser,
    deliveries.priority_platform,
    deliveries.funding_source,
    deliveries.delivered_value_usd as value_usd
from deliveries
inner join calendar on deliveries.delivery_date = calendar.calendar_date
