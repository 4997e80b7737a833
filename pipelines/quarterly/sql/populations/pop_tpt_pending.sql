-- pop_tpt_pending: third-party transfer requests pending at each quarter end.
-- Grain: one row per request and spine quarter at whose last day it had been received and
-- had no final action (a stock: from the quarter of received_date up to the quarter before
-- that of final_action_date, else up to the release quarter).
-- Inputs: int_tpt_requests (with the TPT target_days), int_calendar (day -> quarter),
-- quarter_spine.
-- Columns: period; request_id (the record); breakdowns channel, transfer_type, region (of
-- the original recipient);
-- over_target = age (quarter end - received_date) > the TPT target (an age equal to the
-- target is not over it).
with

calendar as (
    select * from int_calendar
),

requests as (
    select * from int_tpt_requests
),

spine as (
    select * from quarter_spine
),

open_requests as (
    -- one row per request and quarter end at which it is pending
    select
        requests.*,
        unnest(generate_series(
            received.quarter_index,
            coalesce(decided.quarter_index - 1, (select max(spine.quarter_index) from spine))
        )) as quarter_index
    from requests
    inner join calendar as received on requests.received_date = received.calendar_date
    left join calendar as decided on requests.final_action_date = decided.calendar_date
)

select
    spine.period,
    open_requests.request_id,
    open_requests.channel,
    open_requests.transfer_type,
    open_requests.region,
    coalesce(spine.end_date - open_requests.received_date > open_requests.target_days, false)
        as over_target
from open_requests
inner join spine on open_requests.quarter_index = spine.quarter_index
