-- chk_percent_between_0_and_100: a percentage is within [0, 100], its numerator within
-- [0, n].
-- Grain: one row per failing cell; zero rows = pass.
-- Inputs: mart_cells (unrounded), registry_indicators.
with

percent_indicators as (
    select indicator_id from registry_indicators
    where unit = 'percent'
),

cells as (
    select * from mart_cells
)

select
    cells.indicator_id,
    cells.period,
    cells.breakdown,
    cells.breakdown_value,
    cells.numerator,
    cells.n,
    cells.value
from cells
inner join percent_indicators on cells.indicator_id = percent_indicators.indicator_id
where
    cells.value < 0
    or cells.value > 100
    or cells.numerator < 0
    or cells.numerator > cells.n
    or (cells.n > 0 and cells.value is null)
order by cells.indicator_id, cells.period, cells.breakdown, cells.breakdown_value
