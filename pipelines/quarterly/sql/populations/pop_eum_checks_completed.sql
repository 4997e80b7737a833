-- pop_eum_checks_completed: end-use monitoring checks, each in the quarter completed.
-- Grain: one row per check whose completed_date is in a spine quarter (a flow).
-- Inputs: int_eum_checks, int_calendar (day -> quarter).
-- Columns: period; check_id (the record); breakdowns program, check_type, region (of the
-- country checked);
-- duration_days = completed_date - initiated_date (days the check took);
-- unfavorable = the result is UNFAVORABLE (every completed check has a result: FAVORABLE,
-- UNFAVORABLE or UNVERIFIED, all in the denominator).
with

calendar as (
    select * from int_calendar
),

completed as (
    select * from int_eum_checks
    where completed_date is not null
)

select
    calendar.period,
    completed.check_id,
    completed.program,
    completed.check_type,
    completed.region,
    completed.check_days as duration_days,
    coalesce(completed.result = 'UNFAVORABLE', false) as unfavorable
from completed
inner join calendar on completed.completed_date = calendar.calendar_date
