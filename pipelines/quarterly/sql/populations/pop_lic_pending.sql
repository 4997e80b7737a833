-- pop_lic_pending: license applications pending at each quarter end.
-- Grain: one row per application and spine quarter at whose last day it had been received
-- and had no final action (a stock: from the quarter of received_date up to the quarter
-- before that of final_action_date, else up to the release quarter).
-- Inputs: int_export_licenses (with the agency's target_days), int_calendar (day ->
-- quarter), quarter_spine.
-- Columns: period; application_id (the record); breakdowns agency, application_type, region,
-- purchaser (the destination), control_category;
-- over_target = age (quarter end - received_date) > the agency's target (false without a
-- target).
with

calendar as (
    select * from int_calendar
),

licenses as (
    select * from int_export_licenses
),

spine as (
    select * from quarter_spine
),

pending as (
    -- one row per application and quarter end at which it is pending
    select
        licenses.*,
        unnest(generate_series(
            received.quarter_index,
            coalesce(decided.quarter_index - 1, (select max(spine.quarter_index) from spine))
        )) as quarter_index
    from licenses
    inner join calendar as received on licenses.received_date = received.calendar_date
    left join calendar as decided on licenses.final_action_date = decided.calendar_date
)

select
    spine.period,
    pending.application_id,
    pending.agency,
    pending.application_type,
    pending.region,
    pending.purchaser,
    pending.control_category,
    coalesce(spine.end_date - pending.received_date > pending.target_days, false)
        as over_target
from pending
inner join spine on pending.quarter_index = spine.quarter_index
