-- ind_cn_notifications_value_usd: sum of estimated_value_usd of the notifications of the
-- quarter; n = notifications summed.
-- Grain: one row per (period, breakdown, breakdown_value): a total row (All) for every
-- period of quarter_spine, a breakdown row only where n >= 1; purchaser rows carry their
-- region as parent.
-- Inputs: int_congressional_notifications, int_calendar (day -> quarter), quarter_spine.
-- Unit usd: value = exact DECIMAL sum (0 when no records), n = records summed,
-- max_record_value = largest single record.
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
    where estimated_value_usd is not null
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
        records.authority,
        records.estimated_value_usd as amount
    from spine
    left join records
        on spine.period = records.period
),

cells as (
    select
        period,
        cast(null as bigint) as numerator,
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
        coalesce(sum(amount), 0) as value,
        max(amount) as max_record_value
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
