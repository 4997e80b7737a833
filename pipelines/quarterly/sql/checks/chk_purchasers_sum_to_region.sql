-- chk_purchasers_sum_to_region: the purchaser cells within a region add up to its cell.
-- Grain: one row per failing (indicator_id, period, region); zero rows = pass.
-- Inputs: mart_cells (unrounded), registry_indicators.
-- n always adds up (each record has one purchaser and one region); values add up for
-- additive indicators. A purchaser row without a parent region fails too.
with

cells as (
    select * from mart_cells
    where breakdown in ('purchaser', 'region')
),

indicators as (
    select
        indicator_id,
        additive
    from registry_indicators
),

purchasers as (
    select
        indicator_id,
        period,
        parent as region,
        sum(n) as n,
        sum(value) as value
    from cells
    where breakdown = 'purchaser'
    group by indicator_id, period, parent
),

regions as (
    select
        indicator_id,
        period,
        breakdown_value as region,
        n,
        value
    from cells
    where breakdown = 'region'
)

select
    purchasers.indicator_id,
    purchasers.period,
    purchasers.region,
    purchasers.n as purchasers_n,
    regions.n as region_n,
    purchasers.value as purchasers_value,
    regions.value as region_value
from purchasers
inner join indicators on purchasers.indicator_id = indicators.indicator_id
left join regions
    on
        purchasers.indicator_id = regions.indicator_id
        and purchasers.period = regions.period
        and purchasers.region = regions.region
where
    regions.n is null
    or purchasers.n <> regions.n
    or (indicators.additive and purchasers.value <> regions.value)
order by purchasers.indicator_id, purchasers.period, purchasers.region
