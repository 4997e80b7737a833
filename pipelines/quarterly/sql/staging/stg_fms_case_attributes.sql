-- stg_fms_case_attributes: the static attributes of every FMS case, for its deliveries.
-- Grain: one row per case_id, whatever its dates (attributes are not events, so the
-- as-of cut does not apply: a delivery keeps the breakdowns of the case it was made under).
-- Inputs: fms_cases (accepted ingest rows).
with

cases as (
    select * from fms_cases
)

select
    case_id,
    purchaser_code,
    implementing_agency,
    funding_source,
    priority_platform
from cases
