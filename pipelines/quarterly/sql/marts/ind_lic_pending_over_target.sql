-- ind_lic_pending_over_target: stock at quarter end: pending applications (see
-- lic_pending) with age end - received_date > the agency target.
-- Grain: one row per (period, breakdown, breakdown_value): a total row (All) for every
-- period of quarter_spine, a breakdown row only where n >= 1; purchaser rows carry their
-- region as parent.
-- Inputs: int_export_licenses, int_calendar (day -> quarter), quarter_spine.
-- Unit count: value = n = the number of records; the total is 0 in a quarter without
-- records.
with

spine as (
    select
        period,
        quarter_index,
        end_date
    from quarter_spine
),

source as (
    select * from int_export_licenses
),

calendar as (
    select
        calendar_date,
        quarter_index
    from int_calendar
),

last_quarter as (
    select max(quarter_index) as last_index from quarter_spine
),

entries as (
    -- in stock from the quarter of received_date to the quarter before it leaves
    select
        source.*,
        entered.quarter_index as first_index,
        coalesce(exited.quarter_index - 1, last_quarter.last_index) as last_index
    from source
    cross join last_quarter
    inner join calendar as entered on source.received_date = entered.calendar_date
    left join calendar as exited on source.final_action_date = exited.calendar_date
),

records as (
    -- one row per record and quarter end at which it is in stock
    select
        entries.*,
        unnest(generate_series(entries.first_index, entries.last_index)) as quarter_index
    from entries
),

population as (
    -- a quarter without records keeps one all-null row, so its total row exists
    select
        spine.period,
        records.application_id as record_id,
        records.agency,
        records.application_type,
        records.region,
        records.purchaser,
        records.control_category
    from spine
    left join records
        on
            spine.quarter_index = records.quarter_index
            and spine.end_date - records.received_date > records.target_days
),

cells as (
    select
        period,
        cast(null as bigint) as numerator,
        cast(null as decimal(38, 2)) as max_record_value,
        case
            when grouping(purchaser) = 0 then 'purchaser'
            when grouping(region) = 0 then 'region'
            when grouping(agency) = 0 then 'agency'
            when grouping(application_type) = 0 then 'application_type'
            when grouping(control_category) = 0 then 'control_category'
            else 'total'
        end as breakdown,
        case
            when grouping(purchaser) = 0 then purchaser
            when grouping(region) = 0 then region
            when grouping(agency) = 0 then agency
            when grouping(application_type) = 0 then application_type
            when grouping(control_category) = 0 then control_category
            else 'All'
        end as breakdown_value,
        case when grouping(purchaser) = 0 then region end as parent,
        count(record_id) as n,
        count(record_id) as value
    from population
    group by grouping sets (
        (period),
        (period, agency),
        (period, application_type),
        (period, region),
        (period, purchaser, region),
        (period, control_category)
    )
)

select
    period,
    breakdown,
    breakdown_value,
    n,
    value,
    numerator,
    max_record_value,
    parent
from cells
where breakdown = 'total' or n > 0
order by period, breakdown, breakdown_value
