-- int_fms_loa_documents: basic LOAs and amendments with breakdowns, target and durations.
-- Grain: one row per LOA or AMENDMENT document in stg_fms_documents (modifications are
-- never offered, so no indicator uses them).
-- Inputs: stg_fms_documents, ref_purchasers (code -> region), development_targets
-- (development_group -> target_days, from pipeline.toml).
-- development_days = offered_date - lor_complete_date; acceptance_days = accepted_date -
-- offered_date (calendar days, null while the later date is null).
with

documents as (
    select * from stg_fms_documents
    where document_type in ('LOA', 'AMENDMENT')
),

purchasers as (
    select * from ref_purchasers
),

targets as (
    select * from development_targets
)

select
    documents.document_id,
    documents.lor_id,
    documents.implementing_agency,
    documents.purchaser_code as purchaser,
    purchasers.region,
    cast(documents.priority_platform as varchar) as priority_platform,
    documents.development_group,
    targets.target_days,
    documents.lor_complete_date,
    documents.anticipated_offer_date,
    documents.offered_date,
    documents.offer_expiration_date,
    documents.accepted_date,
    documents.cancelled_date,
    documents.value_usd,
    documents.offered_date - documents.lor_complete_date as development_days,
    documents.accepted_date - documents.offered_date as acceptance_days
from documents
left join purchasers on documents.purchaser_code = purchasers.code
left join targets on documents.development_group = targets.development_group
