-- chk_cell_keys: the cell keys are well formed: one total row (All) per available indicator
-- and spine period, breakdowns only from the registry, no null breakdown value (e.g. a
-- purchaser missing from reference/purchasers.csv), no duplicate key.
-- Grain: one row per problem; zero rows = pass.
-- Inputs: mart_cells, quarter_spine, registry_indicators, registry_breakdowns.
with

cells as (
    select * from mart_cells
),

spine as (
    select period from quarter_spine
),

breakdowns as (
    select
        indicator_id,
        breakdown
    from registry_breakdowns
),

available as (
    select distinct indicator_id from cells
),

missing_totals as (
    select
        available.indicator_id,
        spine.period,
        'missing total row' as problem
    from available
    cross join spine
    left join cells
        on
            available.indicator_id = cells.indicator_id
            and spine.period = cells.period
            and cells.breakdown = 'total'
            and cells.breakdown_value = 'All'
    where cells.indicator_id is null
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
select * from bad_rows
union all
select * from duplicates
order by indicator_id, period, problem
