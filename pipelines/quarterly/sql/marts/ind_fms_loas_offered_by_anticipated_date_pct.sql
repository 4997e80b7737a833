-- ind_fms_loas_offered_by_anticipated_date_pct: share of the offered docs of the quarter
-- that have an anticipated_offer_date with offered_date <= it; n = offered docs with an
-- anticipated_offer_date.
-- Grain: one row per (period, breakdown, breakdown_value): a total row (All) for every
-- period of quarter_spine, a breakdown row only where n >= 1; purchaser rows carry their
-- region as parent.
-- Inputs: int_fms_loa_documents, int_calendar (day -> quarter), quarter_spine.
-- Unit percent: value = 100 * numerator / n as a double for the checks (null when n = 0);
-- the engine recomputes it exactly from numerator and n.
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
        and anticipated_offer_date is not null
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
        records.development_group,
        records.offered_date <= records.anticipated_offer_date as is_hit
    from spine
    left join records
        on spine.period = records.period
),

cells as (
    select
        period,
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
        count(record_id) filter (where is_hit) as numerator
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
    numerator,
    max_record_value,
    parent,
    cast(100 * numerator as double) / nullif(n, 0) as value
from cells
where breakdown = 'total' or n > 0
order by period, breakdown, breakdown_value
