-- stg_fms_documents: LOA documents as knowable at the release quarter's end (as-of cut).
-- Grain: one row per document whose LOR was complete on or before release.release_end.
-- Inputs: fms_documents (accepted ingest rows), params (one row: release_end).
-- Offer, acceptance, implementation and cancellation dated after the release end have not
-- happened yet (null). The anticipated offer dates (current and original) and the offer
-- expiry are plans, not events, and are kept as given; lor_id names the document's Letter
-- of Request (null when the extract does not link it).
with

documents as (
    select * from fms_documents
),

release as (
    select release_end from params
)

select
    documents.document_id,
    documents.case_id,
    documents.lor_id,
    documents.document_type,
    documents.purchaser_code,
    documents.implementing_agency,
    documents.development_group,
    documents.priority_platform,
    documents.lor_complete_date,
    documents.anticipated_offer_date,
    documents.original_anticipated_offer_date,
    documents.offer_expiration_date,
    documents.value_usd,
    case when documents.offered_date <= release.release_end then documents.offered_date end
        as offered_date,
    case when documents.accepted_date <= release.release_end then documents.accepted_date end
        as accepted_date,
    case
        when documents.implemented_date <= release.release_end then documents.implemented_date
    end as implemented_date,
    case
        when documents.cancelled_date <= release.release_end then documents.cancelled_date
    end as cancelled_date
from documents
cross join release
where documents.lor_complete_date <= release.release_end
