-- pop_fms_loas_accepted: basic LOAs and amendments, each in the quarter it was accepted.
-- Grain: one row per LOA or AMENDMENT document whose accepted_date is in a spine quarter
-- (a flow: the quarter of accepted_date).
-- Inputs: int_fms_loa_documents, int_calendar (day -> quarter).
-- Columns: period; document_id (the record); breakdowns implementing_agency, region,
-- purchaser, priority_platform, development_group; value_usd (null when not recorded);
-- duration_days = accepted_date - offered_date (offer to acceptance; null without an offer).
with

calendar as (
    select * from int_calendar
),

accepted as (
    select * from int_fms_loa_documents
    where accepted_date is not null
)

select
    calendar.period,
    accepted.document_id,
    accepted.implementing_agency,
    accepted.region,
    accepted.purchaser,
    accepted.priority_platform,
    accepted.development_group,
    accepted.value_usd,
    accepted.acceptance_days as duration_days
from accepted
inner join calendar on accepted.accepted_date = calendar.calendar_date
