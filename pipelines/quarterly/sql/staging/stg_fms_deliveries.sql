-- stg_fms_deliveries: deliveries made on or before the release quarter's end (as-of cut).
-- Grain: one row per delivery dated on or before release.release_end.
-- Inputs: fms_deliveries (accepted ingest rows), params (one row: release_end).
with

deliveries as (
    select * from fms_deliveries
),

release as (
    select release_end from params
)

select
    deliveries.delivery_id,
    deliveries.case_id,
    deliveries.delivery_date,
    deliveries.delivered_value_usd
from deliveries
cross join release
where deliveries.delivery_date <= release.release_end
