-- pop_cn_notifications: congressional notifications, each in the quarter it was made.
-- Grain: one row per notification whose notification_date is in a spine quarter (a flow).
-- Inputs: int_congressional_notifications, int_calendar (day -> quarter).
-- Columns: period; breakdowns region, purchaser, authority; value_usd = estimated_value_usd
-- (null when the notification states none); notification_row (the record: a row number, as
-- transmittal_no may be empty).
with

calendar as (
    select * from int_calendar
),

notifications as (
    select * from int_congressional_notifications
)

select
    calendar.period,
    notifications.region,
    notifications.purchaser,
    notifications.authority,
    notifications.estimated_value_usd as value_usd,
    row_number() over () as notification_row
from notifications
inner join calendar on notifications.notification_date = calendar.calendar_date
