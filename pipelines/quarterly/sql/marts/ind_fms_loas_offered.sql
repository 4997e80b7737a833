-- ind_fms_loas_offered: offered docs: LOA/AMENDMENT with offered_date in the quarter and
-- not cancelled on or before the offer date (cancelled_date null or > offered_date).
-- Grain: one row per (period, breakdown, breakdown_value): a total row (All) for every
-- period of quarter_spine, a breakdown row only where n >= 1; purchaser rows carry their
-- region as parent.
-- Inputs: int_fms_loa_documents, int_calendar (day -> quarter), quarter_spine.
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
    select * from int_fms_loa_documents
    where
        offered_date is not null
        and (cancelled_date is null or cancelled_date > offered_date)
),

calendar as (
    select
        calendar_date,
        period
    from int_calendar
),

records as (
    -- each record once, in the quarter of its offered_date
    select
        source.*,
        calendar.period
    from source
    inner join calendar on source.offered_date = calendar.calendar_date
),

population as (
    -- a quarter without records keeps one all-null row, so its total row exists
    select
        spine.period,
        records.document_id as record_id,
        records.implementing_agency,
        records.region,
        records.purchaser,
        records.priority_platform,
        records.development_group
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
            when grouping(implementing_agency) = 0 then 'implementing_agency'
            when grouping(priority_platform) = 0 then 'priority_platform'
            when grouping(development_group) = 0 then 'development_group'
            else 'total'
        end as breakdown,
        case
            when grouping(purchaser) = 0 then purchaser
            when grouping(region) = 0 then region
            when grouping(implementing_agency) = 0 then implementing_agency
            when grouping(priority_platform) = 0 then priority_platform
            when grouping(development_group) = 0 then development_group
            else 'All'
        end as breakdown_value,
        case when grouping(purchaser) = 0 then region end as parent,
        count(record_id) as n,
        count(record_id) as value
    from population
    group by grouping sets (
        (period),
        (period, implementing_agency),
        (period, region),
        (period, purchaser, region),
        (period, priority_platform),
        (period, development_group)
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
