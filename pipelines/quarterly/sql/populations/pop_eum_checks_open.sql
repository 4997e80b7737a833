-- pop_eum_checks_open: end-use monitoring checks open at each quarter end.
-- Grain: one row per check and spine quarter at whose last day it had been initiated and
-- not completed (a stock: from the quarter of initiated_date up to the quarter before that
-- of completed_date, else up to the release quarter).
-- Inputs: int_eum_checks, int_calendar (day -> quarter), quarter_spine.
-- Columns: period; check_id (the record); breakdowns program, check_type, region (of the
-- country checked).
with

calendar as (
    select * from int_calendar
),

checks as (
    select * from int_eum_checks
),

spine as (
    select * from quarter_spine
),

open_checks as (
    -- one row per check and quarter end at which it is open
    select
        checks.*,
        unnest(generate_series(
            initiated.quarter_index,
            coalesce(completed.quarter_index - 1, (select max(spine.quarter_index) from spine))
        )) as quarter_index
    from checks
    inner join calendar as initiated on checks.initiated_date = initiated.calendar_date
    left join calendar as completed on checks.completed_date = completed.calendar_date
)

select
    spine.period,
    open_checks.check_id,
    open_checks.program,
    open_checks.check_type,
    open_checks.region
from open_checks
inner join spine on open_checks.quarter_index = spine.quarter_index
