-- ind_cn_notifications: congressional notifications with notification_date in the quarter.
-- Grain: one row per (period, breakdown, breakdown_value): a total row (All) for every
-- period of quarter_spine, a breakdown row only where n >= 1; purchaser rows carry their
-- region as parent.
-- Inputs: int_congressional_notifications, int_calendar (day -> quarter), quarter_spine.
-- Unit count: value = n = the number of records; the total is 0 in a quarter without
-- records.
with

spine as (
    select
        period,
        quarter_index,
        end_date
    from quarter_spine
),

source as (
    select
        *,
        row_number() over () as notification_row
    from int_congressional_notifications
),

calendar as (
    select
        calendar_date,
        period
    from int_calendar
),

records as (
    -- each record once, in the quarter of its notification_date
    select
        source.*,
        calendar.period
    from source
    inner join calendar on source.notification_date = calendar.calendar_date
),

population as (
    -- a quarter without records keeps one all-null row, so its total row exists
    select
        spine.period,
        records.notification_row as record_id,
        records.region,
        records.purchaser,
        records.authority
    from spine
    left join records
        on spine.period = records.period
),

cells as (
    select
        period,
        cast(null as bigint) as numerator,
        cast(null as decimal(38, 2)) as max_record_value,
        case
            when grouping(purchaser) = 0 then 'purchaser'
            when grouping(region) = 0 then 'region'
            when grouping(authority) = 0 then 'authority'
            else 'total'
        end as breakdown,
        case
            when grouping(purchaser) = 0 then purchaser
            when grouping(region) = 0 then region
            when grouping(authority) = 0 then authority
            else 'All'
        end as breakdown_value,
        case when grouping(purchaser) = 0 then region end as parent,
        count(record_id) as n,
        count(record_id) as value
    from population
    group by grouping sets (
        (period),
        (period, region),
        (period, purchaser, region),
        (period, authority)
    )
)

select
    period,
    breakdown,
    breakdown_value,
    n,
    value,
    numerator,
    max_record_value,
    parent
from cells
where breakdown = 'total' or n > 0
order by period, breakdown, breakdown_value
