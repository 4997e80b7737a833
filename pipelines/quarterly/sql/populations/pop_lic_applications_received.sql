-- pop_lic_applications_received: license applications, each in the quarter it was received.
-- Grain: one row per application whose received_date is in a spine quarter (a flow).
-- Inputs: int_export_licenses, int_calendar (day -> quarter).
-- Columns: period; application_id (the record); breakdowns agency, application_type, region,
-- purchaser (the destination), control_category.
with

calendar as (
    select * from int_calendar
),

received as (
    select * from int_export_licenses
)

select
    calendar.period,
    received.application_id,
    received.agency,
    received.application_type,
    received.region,
    received.purchaser,
    received.control_category
from received
inner join calendar on received.received_date = calendar.calendar_date
