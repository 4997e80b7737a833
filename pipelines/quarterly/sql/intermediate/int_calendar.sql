-- int_calendar: every day from the first event in the data with its period, so populations
-- find a date's quarter with an equality join (a hash join) instead of a range join per
-- record. It starts before the quarter spine when records predate the coverage start: a
-- stock at the spine's first quarter holds the records opened before it.
-- Grain: one row per calendar day from the start of the quarter of the first event (or of
-- the first spine quarter, if earlier) to the release end.
-- Inputs: calendar_quarters (built in Python by arms_metrics.quarters.Quarter, loaded after
-- int_first_event_date).
with

spine as (
    select
        period,
        quarter_index,
        start_date,
        end_date
    from calendar_quarters
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
