-- pop_tpt_requests_received: third-party transfer requests, each in the quarter received.
-- Grain: one row per request whose received_date is in a spine quarter (a flow).
-- Inputs: int_tpt_requests, int_calendar (day -> quarter).
-- Columns: period; request_id (the record); breakdowns channel, transfer_type, region (of
-- the original recipient).
with

calendar as (
    select * from int_calendar
),

received as (
    select * from int_tpt_requests
)

select
    calendar.period,
    received.request_id,
    received.channel,
    received.transfer_type,
    received.region
from received
inner join calendar on received.received_date = calendar.calendar_date
