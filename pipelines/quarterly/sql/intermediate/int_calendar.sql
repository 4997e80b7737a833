-- int_calendar: every day of the quarter spine with its period, so populations find a date's
-- quarter with an equality join (a hash join) instead of a range join per record.
-- Grain: one row per calendar day from the first spine quarter's start to the release end.
-- Inputs: quarter_spine (built in Python by arms_metrics.quarters.Quarter, loaded after
-- int_first_event_date).
with

spine as (
    select
        period,
        quarter_index,
        start_date,
        end_date
    from quarter_spine
),

days as (
    select
        period,
        quarter_index,
        unnest(generate_series(start_date, end_date, interval 1 day)) as calendar_day
    from spine
)

select
    period,
    quarter_index,
    cast(calendar_day as date) as calendar_date
from days
