-- ind_fms_development_backlog_over_target_pct: share of the development backlog at quarter
-- end (see fms_development_backlog) whose age, end - lor_complete_date, exceeds the target
-- of its group; n = backlog.
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
),

calendar as (
    select
        calendar_date,
        quarter_index
    from int_calendar
),

last_quarter as (
    select max(quarter_index) as last_index from quarter_spine
),

entries as (
    -- in stock from the quarter of lor_complete_date to the quarter before it leaves
    select
        source.*,
        entered.quarter_index as first_index,
        coalesce(exited.quarter_index - 1, last_quarter.last_index) as last_index
    from source
    cross join last_quarter
    inner join calendar as entered on source.lor_complete_date = entered.calendar_date
    left join
        calendar as exited
        on least(source.offered_date, source.cancelled_date) = exited.calendar_date
),

records as (
    -- one row per record and quarter end at which it is in stock
    select
        entries.*,
        unnest(generate_series(entries.first_index, entries.last_index)) as quarter_index
    from entries
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
        spine.end_date - records.lor_complete_date > records.target_days as is_hit
    from spine
    left join records
        on spine.quarter_index = records.quarter_index
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
