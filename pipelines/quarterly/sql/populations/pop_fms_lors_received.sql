-- pop_fms_lors_received: Letters of Request for an LOA, each in the quarter it was received.
-- Grain: one row per LOR with request_type LOA whose received_date is in a spine quarter
-- (a flow: the quarter of received_date).
-- Inputs: int_fms_lors, int_calendar (day -> quarter).
-- Columns: period; lor_id (the record); breakdowns implementing_agency, region, purchaser.
with

calendar as (
    select * from int_calendar
),

loa_requests as (
    select * from int_fms_lors
    where request_type = 'LOA'
)

select
    calendar.period,
    loa_requests.lor_id,
    loa_requests.implementing_agency,
    loa_requests.region,
    loa_requests.purchaser
from loa_requests
inner join calendar on loa_requests.received_date = calendar.calendar_date
