-- int_tpt_requests: third-party transfer requests with breakdowns, target and duration.
-- Grain: one row per request in stg_tpt_requests.
-- Inputs: stg_tpt_requests, ref_purchasers (original recipient code -> region),
-- tpt_target (one row: target_days, from pipeline.toml [targets.tpt]).
-- Columns: request_id; breakdowns channel, transfer_type, region (of the original
-- recipient: null for a code missing from the reference, which the cell checks refuse);
-- target_days; received_date, final_action_date, outcome;
-- processing_days = final_action_date - received_date (null while pending).
with

requests as (
    select * from stg_tpt_requests
),

purchasers as (
    select * from ref_purchasers
),

target as (
    select * from tpt_target
)

select
    requests.request_id,
    requests.channel,
    requests.transfer_type,
    purchasers.region,
    target.target_days,
    requests.received_date,
    requests.final_action_date,
    requests.outcome,
    requests.final_action_date - requests.received_date as processing_days
from requests
cross join target
left join purchasers on requests.original_recipient_code = purchasers.code
