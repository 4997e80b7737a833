-- chk_n_non_negative: n (records behind a cell) is never negative or null, a count equals
-- its n, and a sum of non-negative money is non-negative.
-- Grain: one row per failing cell; zero rows = pass.
-- Inputs: mart_cells (unrounded), registry_indicators.
with

cells as (
    select * from mart_cells
),

indicators as (
    select
        indicator_id,
        unit
    from registry_indicators
)

select
    cells.indicator_id,
    indicators.unit,
    cells.period,
    cells.breakdown,
    cells.breakdown_value,
    cells.n,
    cells.value
from cells
inner join indicators on cells.indicator_id = indicators.indicator_id
where
    cells.n is null
    or cells.n < 0
    or (indicators.unit = 'count' and cells.value <> cells.n)
    or (indicators.unit = 'usd' and (cells.value is null or cells.value < 0))
order by cells.indicator_id, cells.period, cells.breakdown, cells.breakdown_value
