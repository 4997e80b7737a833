"""Validation rule ids and the readable sentence for each, for the quarantine, summary.json,
the validation report and docs/validation-rules.md.

pandera names its built-in checks (``not_nullable``, ``isin`` ...); they become
``<column>_required``, ``<column>_not_allowed`` ...; custom checks are named by their id.
"""

from __future__ import annotations

_BUILTIN = {
    "not_nullable": "required",
    "isin": "not_allowed",
    "greater_than_or_equal_to": "negative",
}
_SUFFIXES = {
    "required": "is required but empty",
    "not_allowed": "is not one of the allowed values",
    "negative": "is negative",
    "duplicate": "shares its value with another row (every such row is quarantined)",
    "not_a_date": "is not an ISO date YYYY-MM-DD (or not a real day)",
    "not_a_number": "is not a plain decimal number (ASCII digits, no separators or symbols)",
    "precision": "has non-zero digits beyond the cent",
    "not_a_bool": "is not true or false",
    "out_of_range": "is outside the plausible dates ([ingest] min_date and max_years)",
    "scientific": "is in scientific notation, a display form that may have rounded the amount",
    "invisible_character": "holds an invisible character (control, format such as a zero-width "
    "space, BOM or soft hyphen, a space other than U+0020, or another character Unicode renders "
    "invisibly, such as U+3164 or a variation selector)",
    "quote_character": 'holds a quote character (a field quoted after a space, `, "AE-B"`, '
    "is not a quoted field: its quotes are text)",
}
_SPECIAL = {
    "development_group_required": "development_group is empty on an LOA or AMENDMENT",
    "offered_date_on_modification": "a MODIFICATION has an offered_date (it must be empty)",
    "accepted_date_without_offered_date": "an LOA or AMENDMENT is accepted but never offered",
    "closed_date_without_supply_complete_date": "closed_date set, supply_complete_date not",
    "outcome_without_final_action_date": "outcome is set but final_action_date is empty",
    "outcome_missing_for_final_action": "final_action_date is set but outcome is empty",
    "result_without_completed_date": "result is set but completed_date is empty",
    "result_missing_for_completed_check": "completed_date is set but result is empty",
    "approved_value_usd_not_approved": "approved_value_usd on an outcome other than approved",
    "application_type_not_allowed": "application_type is not valid for the agency",
    "control_category_unknown": "control_category is not a USML (STATE) or CCL (COMMERCE) category",
    "purchaser_code_unknown": "purchaser_code is not in reference/purchasers.csv",
    "destination_code_unknown": "destination_code is not in reference/purchasers.csv",
    "original_recipient_code_unknown": "original_recipient_code is not in reference/purchasers.csv",
    "transferee_code_unknown": "transferee_code is not in reference/purchasers.csv",
    "country_code_unknown": "country_code is not in reference/purchasers.csv",
    "purchaser_unknown": "the purchaser name matches no name or alias in purchasers.csv",
    "purchaser_code_mismatch": "purchaser_code disagrees with the code of the purchaser name",
    "case_id_unknown": "case_id is not among the accepted fms_cases rows",
    "lor_id_unknown": "lor_id is not among the accepted fms_lors rows",
    "lor_id_received_after_lor_complete_date": (
        "the LOR that lor_id names was received after the document's lor_complete_date"
    ),
    "lor_id_not_an_loa_request": (
        "the LOR that lor_id names is a price and availability request, not a request for an LOA"
    ),
    "lor_id_of_another_purchaser": "the LOR that lor_id names is from another purchaser",
}


def rule_id(column: str | None, check: str) -> str:
    """The stable rule id of a pandera failure: custom checks are named by their rule id."""
    base = check.split("(", 1)[0]
    if base in _BUILTIN and column:
        return f"{column}_{_BUILTIN[base]}"
    return check


def describe_rule(rule: str) -> str:
    """One readable sentence for the report and docs/validation-rules.md."""
    if rule in _SPECIAL:
        return _SPECIAL[rule]
    if "_before_" in rule:
        later, earlier = rule.split("_before_", 1)
        return f"{later} is earlier than {earlier}"
    for suffix, text in _SUFFIXES.items():
        if rule.endswith("_" + suffix):
            return f"{rule[: -len(suffix) - 1]} {text}"
    return rule.replace("_", " ")
