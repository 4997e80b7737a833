-- chk_breakdowns_sum_to_total: every breakdown of an indicator partitions its total.
-- Grain: one row per failing (indicator_id, period, breakdown); zero rows = pass.
-- Inputs: mart_cells (unrounded mart rows of the available indicators), registry_indicators,
-- registry_breakdowns.
-- Each record falls in exactly one value of each breakdown, so the breakdown rows' n add
-- up to the total's n for every indicator, and for additive indicators (counts and sums)
-- their values add up to the total's value too. A breakdown with no rows in a period adds
-- up to 0.
with

cells as (
    select * from mart_cells
),

indicators as (
    select * from registry_indicators
),

breakdowns as (
    select * from registry_breakdowns
),

totals as (
    select
        cells.indicator_id,
        cells.period,
        cells.n,
        cells.value
    from cells
    where cells.breakdown = 'total'
),

expected as (
    select
        totals.indicator_id,
        totals.period,
        breakdowns.breakdown,
        indicators.additive,
        totals.n as total_n,
        totals.value as total_value
    from totals
    inner join breakdowns on totals.indicator_id = breakdowns.indicator_id
    inner join indicators on totals.indicator_id = indicators.indicator_id
),

sums as (
    select
        indicator_id,
        period,
        breakdown,
        sum(n) as n,
        sum(value) as value
    from cells
    where breakdown <> 'total'
    group by indicator_id, period, breakdown
)

select
    expected.indicator_id,
    expected.period,
    expected.breakdown,
    expected.total_n,
    expected.total_value,
    sums.n as breakdown_n,
    sums.value as breakdown_value_sum
from expected
left join sums
    on
        expected.indicator_id = sums.indicator_id
        and expected.period = sums.period
        and expected.breakdown = sums.breakdown
where
    coalesce(sums.n, 0) <> expected.total_n
    or (expected.additive and coalesce(sums.value, 0) <> expected.total_value)
order by expected.indicator_id, expected.period, expected.breakdown
