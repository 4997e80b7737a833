-- pop_fms_offers_expired: offers that lapsed, each in the quarter of its offer expiration
-- date (OED).
-- Grain: one row per offered LOA or AMENDMENT document whose offer_expiration_date is in a
-- spine quarter and that was neither accepted nor cancelled on or before that date (a
-- flow: the quarter of offer_expiration_date). An acceptance after the OED (an offer
-- reinstated late) does not undo the lapse.
-- Inputs: int_fms_loa_documents, int_calendar (day -> quarter).
-- Columns: period; document_id (the record); breakdowns implementing_agency, region,
-- purchaser, priority_platform, development_group.
with

calendar as (
    select * from int_calendar
),

lapsed as (
    -- offered (an offer expiration date is never before the offer date: a row rule), then
    -- neither accepted nor cancelled on or before the expiration date
    select * from int_fms_loa_documents
    where
        offered_date is not null
        and offer_expiration_date is not null
        and (accepted_date is null or accepted_date > offer_expiration_date)
        and (cancelled_date is null or cancelled_date > offer_expiration_date)
)

select
    calendar.period,
    lapsed.document_id,
    lapsed.implementing_agency,
    lapsed.region,
    lapsed.purchaser,
    lapsed.priority_platform,
    lapsed.development_group
from lapsed
inner join calendar on lapsed.offer_expiration_date = calendar.calendar_date
