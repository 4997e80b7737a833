-- int_export_licenses: license applications with breakdowns, agency target and duration.
-- Grain: one row per application in stg_export_licenses.
-- Inputs: stg_export_licenses, ref_purchasers (destination code -> region),
-- license_targets (agency -> target_days, from pipeline.toml).
-- processing_days = final_action_date - received_date (null while pending).
with

licenses as (
    select * from stg_export_licenses
),

purchasers as (
    select * from ref_purchasers
),

targets as (
    select * from license_targets
)

select
    licenses.application_id,
    licenses.agency,
    licenses.application_type,
    licenses.destination_code as purchaser,
    purchasers.region,
    licenses.control_category,
    targets.target_days,
    licenses.received_date,
    licenses.final_action_date,
    licenses.outcome,
    licenses.approved_value_usd,
    licenses.final_action_date - licenses.received_date as processing_days
from licenses
left join purchasers on licenses.destination_code = purchasers.code
left join targets on licenses.agency = targets.agency
