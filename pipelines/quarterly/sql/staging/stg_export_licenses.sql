-- stg_export_licenses: license applications as knowable at the release end (as-of cut).
-- Grain: one row per application received on or before release.release_end.
-- Inputs: export_licenses (accepted ingest rows), params (one row: release_end).
-- A final action dated after the release end has not happened yet: its date, outcome and
-- approved value are null, so the application is still pending at the release end.
with

licenses as (
    select * from export_licenses
),

release as (
    select release_end from params
),

cut as (
    select
        licenses.*,
        licenses.final_action_date <= release.release_end as is_final
    from licenses
    cross join release
    where licenses.received_date <= release.release_end
)

select
    application_id,
    agency,
    application_type,
    destination_code,
    control_category,
    received_date,
    requested_value_usd,
    referred,
    case when is_final then final_action_date end as final_action_date,
    case when is_final then outcome end as outcome,
    case when is_final then approved_value_usd end as approved_value_usd
from cut
