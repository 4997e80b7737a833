-- pop_tpt_final_actions: third-party transfer requests, each in the quarter of its final
-- action.
-- Grain: one row per request whose final_action_date is in a spine quarter (a flow).
-- Inputs: int_tpt_requests, int_calendar (day -> quarter).
-- Columns: period; request_id (the record); breakdowns channel, transfer_type, region (of
-- the original recipient);
-- duration_days = final_action_date - received_date (processing time);
-- approved = the outcome is APPROVED, null unless the outcome is an approval or a denial
-- (null = not in the approval rate's denominator: returns without action, withdrawals).
with

calendar as (
    select * from int_calendar
),

decided as (
    select * from int_tpt_requests
    where final_action_date is not null
)

select
    calendar.period,
    decided.request_id,
    decided.channel,
    decided.transfer_type,
    decided.region,
    decided.processing_days as duration_days,
    case
        when decided.outcome in ('APPROVED', 'DENIED')
            then decided.outcome = 'APPROVED'
    end as approved
from decided
inner join calendar on decided.final_action_date = calendar.calendar_date
