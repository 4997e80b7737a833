-- int_fms_documents: every LOA document (basic LOA, amendment, modification) with its
-- purchaser's region and the date DSCA's timeliness goal measures it against.
-- Grain: one row per document in stg_fms_documents.
-- Inputs: stg_fms_documents, ref_purchasers (code -> region).
-- goal_date: the original anticipated offer date, else the current one, so that a reset
-- anticipated offer date does not hide lateness (DSCA measures against the original).
with

documents as (
    select * from stg_fms_documents
),

purchasers as (
    select * from ref_purchasers
)

select
    documents.document_id,
    documents.document_type,
    documents.implementing_agency,
    documents.purchaser_code as purchaser,
    purchasers.region,
    cast(documents.priority_platform as varchar) as priority_platform,
    documents.offered_date,
    documents.implemented_date,
    documents.cancelled_date,
    coalesce(documents.original_anticipated_offer_date, documents.anticipated_offer_date)
        as goal_date
from documents
left join purchasers on documents.purchaser_code = purchasers.code
