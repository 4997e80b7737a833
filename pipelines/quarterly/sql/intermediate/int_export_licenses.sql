-- int_export_licenses: licence applications with breakdowns, agency target and duration.
-- Grain: one row per application in stg_export_licenses.
-- Inputs: stg_export_licenses, ref_purchasers (destination code -> region),
-- licence_targets (agency -> target_days, from pipeline.toml).
-- processing_days = final_action_date - received_date (null while pending).
with

licences as (
    select * from stg_export_licenses
),

purchasers as (
    select * from ref_purchasers
),

targets as (
    select * from licence_targets
)

select
    licences.application_id,
    licences.agency,
    licences.application_type,
    licences.destination_code as purchaser,
    purchasers.region,
    licences.control_category,
    targets.target_days,
    licences.received_date,
    licences.final_action_date,
    licences.outcome,
    licences.approved_value_usd,
    licences.final_action_date - licences.received_date as processing_days
from licences
left join purchasers on licences.destination_code = purchasers.code
left join targets on licences.agency = targets.agency
