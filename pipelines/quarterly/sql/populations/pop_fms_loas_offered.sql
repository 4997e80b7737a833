-- pop_fms_loas_offered: the offered docs, each in the quarter of its offer.
-- Grain: one row per LOA or AMENDMENT document whose offered_date is in a spine quarter and
-- that was not cancelled on or before that date (a flow: the quarter of offered_date).
-- Inputs: int_fms_loa_documents (with the group's target_days), int_fms_lors (lor_id ->
-- received_date), int_calendar (day -> quarter).
-- Columns: period; document_id (the record); breakdowns implementing_agency, region,
-- purchaser, priority_platform, development_group;
-- duration_days = offered_date - lor_complete_date (development time);
-- within_target = duration_days <= the development group's target (false without a target);
-- by_anticipated_date = offered_date <= anticipated_offer_date, null when the document has
-- no anticipated offer date (null = not in that share's denominator);
-- lor_to_offer_days = offered_date - the linked LOR's received_date, null when the document
-- names no LOR.
with

calendar as (
    select * from int_calendar
),

offered as (
    select * from int_fms_loa_documents
    where
        offered_date is not null
        and (cancelled_date is null or cancelled_date > offered_date)
),

lors as (
    select * from int_fms_lors
)

select
    calendar.period,
    offered.document_id,
    offered.implementing_agency,
    offered.region,
    offered.purchaser,
    offered.priority_platform,
    offered.development_group,
    offered.development_days as duration_days,
    coalesce(offered.development_days <= offered.target_days, false) as within_target,
    offered.offered_date <= offered.anticipated_offer_date as by_anticipated_date,
    offered.offered_date - lors.received_date as lor_to_offer_days
from offered
inner join calendar on offered.offered_date = calendar.calendar_date
left join lors on offered.lor_id = lors.lor_id
