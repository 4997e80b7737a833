-- pop_fms_documents_offered_or_implemented: LOAs and amendments offered and modifications
-- implemented, each in the quarter it reached the purchaser (DSCA's timeliness goal).
-- Grain: one row per LOA or AMENDMENT whose offered_date is in a spine quarter and per
-- MODIFICATION (never offered) whose implemented_date is, neither cancelled on or before
-- that date (a flow).
-- Inputs: int_fms_documents (with goal_date), int_calendar (day -> quarter).
-- Columns: period; document_id (the record); breakdowns implementing_agency, region,
-- purchaser, priority_platform; by_anticipated_date = reached on or before goal_date (the
-- original anticipated offer date, else the current one), null when the document has
-- neither (null = not in the share's denominator).
with

calendar as (
    select * from int_calendar
),

offers as (
    select * from int_fms_documents
    where document_type in ('LOA', 'AMENDMENT')
),

mods as (
    select * from int_fms_documents
    where document_type = 'MODIFICATION'
),

offered as (
    select
        calendar.period,
        offers.*,
        offers.offered_date <= offers.goal_date as by_anticipated_date
    from offers
    inner join calendar on offers.offered_date = calendar.calendar_date
    where (offers.cancelled_date is null or offers.cancelled_date > offers.offered_date)
),

implemented as (
    select
        calendar.period,
        mods.*,
        mods.implemented_date <= mods.goal_date as by_anticipated_date
    from mods
    inner join calendar on mods.implemented_date = calendar.calendar_date
    where (mods.cancelled_date is null or mods.cancelled_date > mods.implemented_date)
),

reached as (
    select * from offered
    union all
    select * from implemented
)

select
    reached.period,
    reached.document_id,
    reached.implementing_agency,
    reached.region,
    reached.purchaser,
    reached.priority_platform,
    reached.by_anticipated_date
from reached
