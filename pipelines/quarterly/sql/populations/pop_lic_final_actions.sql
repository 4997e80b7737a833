-- pop_lic_final_actions: license applications, each in the quarter of its final action.
-- Grain: one row per application whose final_action_date is in a spine quarter (a flow).
-- Inputs: int_export_licenses (with the agency's target_days), int_calendar (day -> quarter).
-- Columns: period; application_id (the record); breakdowns agency, application_type, region,
-- purchaser (the destination), control_category;
-- duration_days = final_action_date - received_date (processing time);
-- decided_duration_days = the same for a decision (an approval, with or without conditions,
-- or a denial), null for a return without action or a withdrawal;
-- within_target = duration_days <= the agency's target (false without a target);
-- approved = the outcome is an approval (with or without conditions), null unless the
-- outcome is an approval or a denial (null = not in the approval rate's denominator);
-- approved_unconditionally, approved_with_conditions, denied, returned_without_action,
-- withdrawn = the outcome is APPROVED, APPROVED_WITH_CONDITIONS, DENIED,
-- RETURNED_WITHOUT_ACTION, WITHDRAWN (each share's numerator; every final action has one);
-- approved_value_usd = the approved value of an approval (null otherwise or when not
-- recorded).
with

calendar as (
    select * from int_calendar
),

decided as (
    select * from int_export_licenses
    where final_action_date is not null
)

select
    calendar.period,
    decided.application_id,
    decided.agency,
    decided.application_type,
    decided.region,
    decided.purchaser,
    decided.control_category,
    decided.processing_days as duration_days,
    case
        when decided.outcome in ('APPROVED', 'APPROVED_WITH_CONDITIONS', 'DENIED')
            then decided.processing_days
    end as decided_duration_days,
    coalesce(decided.processing_days <= decided.target_days, false) as within_target,
    case
        when decided.outcome in ('APPROVED', 'APPROVED_WITH_CONDITIONS', 'DENIED')
            then decided.outcome in ('APPROVED', 'APPROVED_WITH_CONDITIONS')
    end as approved,
    coalesce(decided.outcome = 'APPROVED', false) as approved_unconditionally,
    coalesce(decided.outcome = 'APPROVED_WITH_CONDITIONS', false) as approved_with_conditions,
    coalesce(decided.outcome = 'DENIED', false) as denied,
    coalesce(decided.outcome = 'RETURNED_WITHOUT_ACTION', false) as returned_without_action,
    coalesce(decided.outcome = 'WITHDRAWN', false) as withdrawn,
    case
        when decided.outcome in ('APPROVED', 'APPROVED_WITH_CONDITIONS')
            then decided.approved_value_usd
    end as approved_value_usd
from decided
inner join calendar on decided.final_action_date = calendar.calendar_date
