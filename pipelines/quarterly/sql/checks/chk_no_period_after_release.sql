-- chk_no_period_after_release: every cell's period is a quarter of the spine ending on or
-- before the release quarter's end (the as-of rule: nothing after the release quarter).
-- Grain: one row per failing cell; zero rows = pass.
-- Inputs: mart_cells, quarter_spine, params (one row: release_end).
with

cells as (
    select * from mart_cells
),

release as (
    select release_end from params
),

spine as (
    select
        period,
        end_date
    from quarter_spine
)

select
    cells.indicator_id,
    cells.period,
    cells.breakdown,
    cells.breakdown_value
from cells
cross join release
left join spine on cells.period = spine.period
where spine.end_date is null or spine.end_date > release.release_end
order by cells.indicator_id, cells.period, cells.breakdown, cells.breakdown_value
