-- chk_cell_keys: the cell keys are well formed: one total row (All) per available indicator
-- and spine period from its series start (start_index: the latest coverage start of its
-- sources; null without a declared coverage), no cell before it, breakdowns only from the
-- registry, no null breakdown value (e.g. a purchaser missing from
-- reference/purchasers.csv), no duplicate key.
-- Grain: one row per problem; zero rows = pass.
-- Inputs: mart_cells, quarter_spine, registry_indicators, registry_breakdowns.
with

cells as (
    select * from mart_cells
),

spine as (
    select
        period,
        quarter_index
    from quarter_spine
),

starts as (
    select
        indicator_id,
        start_index
    from registry_indicators
),

breakdowns as (
    select
        indicator_id,
        breakdown
    from registry_breakdowns
),

available as (
    select distinct
        cells.indicator_id,
        starts.start_index
    from cells
    left join starts on cells.indicator_id = starts.indicator_id
),

missing_totals as (
    select
        available.indicator_id,
        spine.period,
        'missing total row' as problem
    from available
    inner join spine
        on spine.quarter_index >= coalesce(available.start_index, spine.quarter_index)
    left join cells
        on
            available.indicator_id = cells.indicator_id
            and spine.period = cells.period
            and cells.breakdown = 'total'
            and cells.breakdown_value = 'All'
    where cells.indicator_id is null
),

before_start as (
    select distinct
        cells.indicator_id,
        cells.period,
        'cell before the series start' as problem
    from cells
    inner join available on cells.indicator_id = available.indicator_id
    inner join spine on cells.period = spine.period
    where spine.quarter_index < available.start_index
),

bad_rows as (
    select
        cells.indicator_id,
        cells.period,
        case
            when cells.breakdown_value is null then 'null breakdown value'
            when cells.breakdown = 'total' and cells.breakdown_value <> 'All' then 'bad total'
            else 'breakdown not in the registry'
        end as problem
    from cells
    left join breakdowns
        on
            cells.indicator_id = breakdowns.indicator_id
            and cells.breakdown = breakdowns.breakdown
    where
        cells.breakdown_value is null
        or (cells.breakdown = 'total' and cells.breakdown_value <> 'All')
        or (cells.breakdown <> 'total' and breakdowns.breakdown is null)
),

duplicates as (
    select
        indicator_id,
        period,
        'duplicate cell key' as problem
    from cells
    group by indicator_id, period, breakdown, breakdown_value
    having count(*) > 1
)

select * from missing_totals
union all
select * from before_start
union all
select * from bad_rows
union all
select * from duplicates
order by indicator_id, period, problem
