-- pop_fms_development_backlog: LOAs and amendments in development at each quarter end.
-- Grain: one row per LOA or AMENDMENT document and spine quarter at whose last day its LOR
-- was complete and it had been neither offered nor cancelled (a stock: from the quarter of
-- lor_complete_date up to the quarter before its offer or cancellation, whichever is first,
-- else up to the release quarter).
-- Inputs: int_fms_loa_documents (with the group's target_days), int_calendar (day ->
-- quarter), quarter_spine.
-- Columns: period; document_id (the record); breakdowns implementing_agency, region,
-- purchaser, priority_platform, development_group;
-- over_target = age (quarter end - lor_complete_date) > the development group's target
-- (false without a target).
with

calendar as (
    select * from int_calendar
),

documents as (
    select * from int_fms_loa_documents
),

spine as (
    select * from quarter_spine
),

backlog as (
    -- one row per document and quarter end at which it is in development
    select
        documents.*,
        unnest(generate_series(
            complete.quarter_index,
            coalesce(resolved.quarter_index - 1, (select max(spine.quarter_index) from spine))
        )) as quarter_index
    from documents
    inner join calendar as complete on documents.lor_complete_date = complete.calendar_date
    left join calendar as resolved
        on least(documents.offered_date, documents.cancelled_date) = resolved.calendar_date
)

select
    spine.period,
    backlog.document_id,
    backlog.implementing_agency,
    backlog.region,
    backlog.purchaser,
    backlog.priority_platform,
    backlog.development_group,
    coalesce(spine.end_date - backlog.lor_complete_date > backlog.target_days, false)
        as over_target
from backlog
inner join spine on backlog.quarter_index = spine.quarter_index
