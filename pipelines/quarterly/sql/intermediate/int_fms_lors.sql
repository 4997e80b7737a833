-- int_fms_lors: Letters of Request with the purchaser's region.
-- Grain: one row per LOR in stg_fms_lors.
-- Inputs: stg_fms_lors, ref_purchasers (code -> region, from reference/purchasers.csv).
with

lors as (
    select * from stg_fms_lors
),

purchasers as (
    select * from ref_purchasers
)

select
    lors.lor_id,
    lors.request_type,
    lors.received_date,
    lors.implementing_agency,
    lors.purchaser_code as purchaser,
    purchasers.region
from lors
left join purchasers on lors.purchaser_code = purchasers.code
