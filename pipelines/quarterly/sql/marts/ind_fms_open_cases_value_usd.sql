-- ind_fms_open_cases_value_usd: sum of case_value_usd of the cases open at quarter end
-- (see fms_open_cases); n = cases summed.
-- Grain: one row per (period, breakdown, breakdown_value): a total row (All) for every
-- period of quarter_spine, a breakdown row only where n >= 1; purchaser rows carry their
-- region as parent.
-- Inputs: int_fms_cases, int_calendar (day -> quarter), quarter_spine.
-- Unit usd: value = exact DECIMAL sum (0 when no records), n = records summed,
-- max_record_value = largest single record.
with

spine as (
    select
        period,
        quarter_index,
        end_date
    from quarter_spine
),

source as (
    select * from int_fms_cases
    where case_value_usd is not null
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
    -- in stock from the quarter of implemented_date to the quarter before it leaves
    select
        source.*,
        entered.quarter_index as first_index,
        coalesce(exited.quarter_index - 1, last_quarter.last_index) as last_index
    from source
    cross join last_quarter
    inner join calendar as entered on source.implemented_date = entered.calendar_date
    left join calendar as exited on source.closed_date = exited.calendar_date
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
        records.case_id as record_id,
        records.implementing_agency,
        records.region,
        records.purchaser,
        records.priority_platform,
        records.funding_source,
        records.case_value_usd as amount
    from spine
    left join records
        on spine.quarter_index = records.quarter_index
),

cells as (
    select
        period,
        cast(null as bigint) as numerator,
        case
            when grouping(purchaser) = 0 then 'purchaser'
            when grouping(region) = 0 then 'region'
            when grouping(implementing_agency) = 0 then 'implementing_agency'
            when grouping(priority_platform) = 0 then 'priority_platform'
            when grouping(funding_source) = 0 then 'funding_source'
            else 'total'
        end as breakdown,
        case
            when grouping(purchaser) = 0 then purchaser
            when grouping(region) = 0 then region
            when grouping(implementing_agency) = 0 then implementing_agency
            when grouping(priority_platform) = 0 then priority_platform
            when grouping(funding_source) = 0 then funding_source
            else 'All'
        end as breakdown_value,
        case when grouping(purchaser) = 0 then region end as parent,
        count(record_id) as n,
        coalesce(sum(amount), 0) as value,
        max(amount) as max_record_value
    from population
    group by grouping sets (
        (period),
        (period, implementing_agency),
        (period, region),
        (period, purchaser, region),
        (period, priority_platform),
        (period, funding_source)
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
