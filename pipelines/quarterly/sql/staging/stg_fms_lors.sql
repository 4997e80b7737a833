-- stg_fms_lors: Letters of Request as knowable at the release quarter's end (as-of cut).
-- Grain: one row per LOR received on or before release.release_end.
-- Inputs: fms_lors (accepted ingest rows), params (one row: release_end).
-- A LOR received after the release end does not exist yet; a later completion or
-- cancellation has not happened yet (null).
with

lors as (
    select * from fms_lors
),

release as (
    select release_end from params
)

select
    lors.lor_id,
    lors.purchaser_code,
    lors.implementing_agency,
    lors.request_type,
    lors.received_date,
    case when lors.complete_date <= release.release_end then lors.complete_date end
        as complete_date,
    case when lors.cancelled_date <= release.release_end then lors.cancelled_date end
        as cancelled_date
from lors
cross join release
where lors.received_date <= release.release_end
