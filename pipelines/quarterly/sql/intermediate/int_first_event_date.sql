-- int_first_event_date: the earliest anchor date in the (as-of cut) data.
-- Grain: one row; first_date is null when there are no records at all.
-- Inputs: the staging models of all six tables. The engine starts the day calendar at
-- the quarter of first_date, so that a stock holds the records opened
-- before the coverage start; the quarter spine (the periods with cells) starts at the
-- earliest declared coverage (from the first event only for hand-made tests without one).
-- Anchors: LOR received, document LOR complete, case implemented, delivery,
-- notification, license received. Staging already drops anchors after the release end.
with

lors as (
    select min(received_date) as first_date from stg_fms_lors
),

documents as (
    select min(lor_complete_date) as first_date from stg_fms_documents
),

cases as (
    select min(implemented_date) as first_date from stg_fms_cases
),

deliveries as (
    select min(delivery_date) as first_date from stg_fms_deliveries
),

notifications as (
    select min(notification_date) as first_date from stg_congressional_notifications
),

licenses as (
    select min(received_date) as first_date from stg_export_licenses
)

select
    least(
        lors.first_date,
        documents.first_date,
        cases.first_date,
        deliveries.first_date,
        notifications.first_date,
        licenses.first_date
    ) as first_date
from lors
cross join documents
cross join cases
cross join deliveries
cross join notifications
cross join licenses
