-- stg_tpt_requests: third-party transfer requests as knowable at the release end (as-of cut).
-- Grain: one row per request received on or before release.release_end.
-- Inputs: tpt_requests (accepted ingest rows), params (one row: release_end).
-- Columns: the input's, less congressional_notification (no indicator reads it).
-- A final action dated after the release end has not happened yet: its date and outcome
-- are null, so the request is still pending at the release end.
with

requests as (
    select * from tpt_requests
),

release as (
    select release_end from params
),

received as (
    select
        requests.*,
        requests.final_action_date <= release.release_end as is_final
    from requests
    cross join release
    where requests.received_date <= release.release_end
)

select
    request_id,
    channel,
    original_recipient_code,
    transferee_code,
    transfer_type,
    received_date,
    case when is_final then final_action_date end as final_action_date,
    case when is_final then outcome end as outcome
from received
