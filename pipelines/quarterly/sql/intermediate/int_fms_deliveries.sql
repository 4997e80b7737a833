-- int_fms_deliveries: deliveries with the breakdowns of the case they were made under.
-- Grain: one row per delivery in stg_fms_deliveries.
-- Inputs: stg_fms_deliveries, stg_fms_case_attributes, ref_purchasers (code -> region).
-- A delivery whose case is unknown keeps null breakdowns; a check then stops the run.
with

deliveries as (
    select * from stg_fms_deliveries
),

cases as (
    select * from stg_fms_case_attributes
),

purchasers as (
    select * from ref_purchasers
)

select
    deliveries.delivery_id,
    deliveries.delivery_date,
    deliveries.delivered_value_usd,
    cases.implementing_agency,
    cases.purchaser_code as purchaser,
    purchasers.region,
    cast(cases.priority_platform as varchar) as priority_platform,
    cases.funding_source
from deliveries
left join cases on deliveries.case_id = cases.case_id
left join purchasers on cases.purchaser_code = purchasers.code
