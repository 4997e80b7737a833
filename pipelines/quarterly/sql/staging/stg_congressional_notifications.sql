-- stg_congressional_notifications: notifications made on or before the release end.
-- Grain: one row per notification dated on or before release.release_end.
-- Inputs: congressional_notifications (accepted ingest rows; purchaser_code and authority
-- always filled), params (one row: release_end).
with

notifications as (
    select * from congressional_notifications
),

release as (
    select release_end from params
)

select
    notifications.transmittal_no,
    notifications.notification_date,
    notifications.purchaser_code,
    notifications.authority,
    notifications.estimated_value_usd
from notifications
cross join release
where notifications.notification_date <= release.release_end
