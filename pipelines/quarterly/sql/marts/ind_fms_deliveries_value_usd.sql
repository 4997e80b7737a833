-- ind_fms_deliveries_value_usd: sum of delivered_value_usd of deliveries with
-- delivery_date in the quarter, broken down by the attributes of their case; n =
-- deliveries.
-- Grain: one row per (period, breakdown, breakdown_value): a total row (All) for every
-- period of quarter_spine, a breakdown row only where n >= 1; purchaser rows carry their
-- region as parent.
-- Inputs: int_fms_deliveries, int_calendar (day -> quarter), quarter_spine.
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
    select * from int_fms_deliveries
    where delivered_value_usd is not null
),

calendar as (
    select
        calendar_date,
        period
    from int_calendar
),

records as (
    -- each record once, in the quarter of its delivery_date
    select
        source.*,
        calendar.period
    from source
    inner join calendar on source.delivery_date = calendar.calendar_date
),

population as (
    -- a quarter without records keeps one all-null row, so its total row exists
    select
        spine.period,
        records.delivery_id as record_id,
        records.implementing_agency,
        records.region,
        records.purchaser,
        records.priority_platform,
        records.funding_source,
        records.delivered_value_usd as amount
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
            when grouping(implementing_agency) = 0 then 'implementing_agency'
            when grouping(priority_platform) = 0 then 'priority_platform'
            when grouping(funding_source) = 0 then 'funding_source'
            else 'total'
        end as breakdown,
        case
            when grouping(purchaser) = 0 then purchaser
            when grouping(region) = 0 then region
            when grouping(implementing_agency) = 0 then implementing_agency
            when grouping(priority_platform) = 0 then priority_platform
            when grouping(funding_source) = 0 then funding_source
            else 'All'
        end as breakdown_value,
        case when grouping(purchaser) = 0 then region end as parent,
        count(record_id) as n,
        coalesce(sum(amount), 0) as value,
        max(amount) as max_record_value
    from population
    group by grouping sets (
        (period),
        (period, implementing_agency),
        (period, region),
        (period, purchaser, region),
        (period, priority_platform),
        (period, funding_source)
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
