-- pop_fms_offers_expiring: open offers whose offer expiration date (OED) falls within the
-- 90 days after a quarter's end: the advance notice of deadlines the executive order's
-- section 4(iii) asks for (the 90 days are the definition of fms_offers_expiring_90_days).
-- Grain: one row per offered LOA or AMENDMENT document and spine quarter at whose last day
-- it had been offered, neither accepted nor cancelled, and its OED was 1 to 90 days ahead
-- (a stock: at most the two quarters before the quarter of its OED). The OED is a
-- scheduled date, kept even when after the release (stg_fms_documents).
-- Inputs: int_fms_loa_documents, quarter_spine.
-- Columns: period; document_id (the record); breakdowns implementing_agency, region,
-- purchaser, priority_platform, development_group;
-- days_to_expiration = offer_expiration_date - quarter end (1 to 90).
with

spine as (
    select * from quarter_spine
),

open_offers as (
    -- offered, and not cancelled on its offer date (then it was never an offer)
    select * from int_fms_loa_documents
    where
        offered_date is not null
        and offer_expiration_date is not null
        and (cancelled_date is null or cancelled_date > offered_date)
)

select
    spine.period,
    open_offers.document_id,
    open_offers.implementing_agency,
    open_offers.region,
    open_offers.purchaser,
    open_offers.priority_platform,
    open_offers.development_group,
    open_offers.offer_expiration_date - spine.end_date as days_to_expiration
from open_offers
inner join spine
    on
        open_offers.offered_date <= spine.end_date
        and open_offers.offer_expiration_date > spine.end_date
        and open_offers.offer_expiration_date <= spine.end_date + 90
where
    (open_offers.accepted_date is null or open_offers.accepted_date > spine.end_date)
    and (open_offers.cancelled_date is null or open_offers.cancelled_date > spine.end_date)
