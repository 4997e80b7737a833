-- int_congressional_notifications: notifications with the purchaser's region.
-- Grain: one row per notification in stg_congressional_notifications.
-- Inputs: stg_congressional_notifications, ref_purchasers (code -> region).
with

notifications as (
    select * from stg_congressional_notifications
),

purchasers as (
    select * from ref_purchasers
)

select
    notifications.notification_date,
    notifications.purchaser_code as purchaser,
    purchasers.region,
    notifications.authority,
    notifications.estimated_value_usd
from notifications
left join purchasers on notifications.purchaser_code = purchasers.code
