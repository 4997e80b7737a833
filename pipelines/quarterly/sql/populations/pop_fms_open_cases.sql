-- pop_fms_open_cases: FMS cases open at each quarter end.
-- Grain: one row per case and spine quarter at whose last day it was implemented and not
-- closed (a stock: from the quarter of implemented_date up to the quarter before that of
-- closed_date, else up to the release quarter).
-- Inputs: int_fms_cases, int_calendar (day -> quarter), quarter_spine.
-- Columns: period; case_id (the record); breakdowns implementing_agency, region, purchaser,
-- priority_platform, funding_source; value_usd = case_value_usd (null when not recorded).
with

calendar as (
    select * from int_calendar
),

cases as (
    select * from int_fms_cases
),

spine as (
    select * from quarter_spine
),

open_cases as (
    -- one row per case and quarter end at which it is open
    select
        cases.*,
        unnest(generate_series(
            implemented.quarter_index,
            coalesce(closed.quarter_index - 1, (select max(spine.quarter_index) from spine))
        )) as quarter_index
    from cases
    inner join calendar as implemented on cases.implemented_date = implemented.calendar_date
    left join calendar as closed on cases.closed_date = closed.calendar_date
)

select
    spine.period,
    open_cases.case_id,
    open_cases.implementing_agency,
    open_cases.region,
    open_cases.purchaser,
    open_cases.priority_platform,
    open_cases.funding_source,
    open_cases.case_value_usd as value_usd
from open_cases
inner join spine on open_cases.quarter_index = spine.quarter_index
