-- ind_lic_returned_without_action_pct: RETURNED_WITHOUT_ACTION / all final actions of the
-- quarter; n = final actions.
-- Grain: one row per (period, breakdown, breakdown_value): a total row (All) for every
-- period of quarter_spine, a breakdown row only where n >= 1; purchaser rows carry their
-- region as parent.
-- Inputs: int_export_licenses, int_calendar (day -> quarter), quarter_spine.
-- Unit percent: value = 100 * numerator / n as a double for the checks (null when n = 0);
-- the engine recomputes it exactly from numerator and n.
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
    where final_action_date is not null
),

calendar as (
    select
        calendar_date,
        period
    from int_calendar
),

records as (
    -- each record once, in the quarter of its final_action_date
    select
        source.*,
        calendar.period
    from source
    inner join calendar on source.final_action_date = calendar.calendar_date
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
        records.control_category,
        records.outcome = 'RETURNED_WITHOUT_ACTION' as is_hit
    from spine
    left join records
        on spine.period = records.period
),

cells as (
    select
        period,
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
        count(record_id) filter (where is_hit) as numerator
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
    numerator,
    max_record_value,
    parent,
    cast(100 * numerator as double) / nullif(n, 0) as value
from cells
where breakdown = 'total' or n > 0
order by period, breakdown, breakdown_value
