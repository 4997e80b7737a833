"""docs/inputs.md, written from the input schemas themselves so it cannot drift from them.

``python -m arms_metrics.ingest.inputs_doc > docs/inputs.md`` (``make docs``) regenerates
it; a test fails when the committed file differs. Columns and kinds come from
``schemas.COLUMNS``, required/allowed values/rules from the pandera models and the
reference rules of ``build_schema``, parse rules from the column kind (``values.py``).
"""

from __future__ import annotations

from collections.abc import Iterator

from arms_metrics.config import load_config
from arms_metrics.ingest.columns import OPTIONAL_COLUMNS
from arms_metrics.ingest.oversight import CODE_COLUMNS
from arms_metrics.ingest.reference import Reference, load_reference
from arms_metrics.ingest.rules import describe_rule, rule_id
from arms_metrics.ingest.schemas import (
    APPLICATION_TYPES,
    COLUMNS,
    NAME_CODE,
    ROUND_TO_CENTS,
    build_schema,
    empty_parent,
)
from arms_metrics.ingest.values import SCIENTIFIC_TABLES

KINDS = {
    "text": "text",
    "date": "date (ISO `YYYY-MM-DD`)",
    "money": "decimal (US dollars, up to 2 decimals)",
    "bool": "bool (`true` / `false`)",
}
PARSE_RULES = {
    "date": ("not_a_date", "out_of_range"),
    "money": ("not_a_number", "precision", "scientific"),
    "bool": ("not_a_bool",),
}
TABLES = {
    "fms_lors": "Letters of Request (LOR) received by the implementing agencies.",
    "fms_documents": "LOA documents: basic LOA, amendment, modification.",
    "fms_cases": "Implemented FMS cases (execution).",
    "fms_deliveries": "Deliveries against FMS cases.",
    "congressional_notifications": "AECA 36(b)/(c) notifications to Congress, as published.",
    "export_licenses": "License applications to State (DDTC) and Commerce (BIS), one row each.",
    "tpt_requests": "Requests to transfer US-origin defense articles to a third party "
    "(retransfer, reexport, change of end use, temporary transfer): FMS articles to State "
    "(PM/RSAT), licensed exports (DCS) to State (DDTC); one row each.",
    "eum_checks": "End-use monitoring checks: DoD Golden Sentry (FMS), State Blue Lantern "
    "(DCS), Commerce (BIS) pre-license checks and post-shipment verifications; one row each.",
}
HEADER = """# Input tables

Generated from the input schemas (`src/arms_metrics/ingest/schemas.py`) by `make docs`;
a test fails when this file differs from them. Do not edit by hand.

Each table is one file in the input folder named after it: `<table>.csv` (UTF-8, header
row, optional BOM), `<table>.csv.gz` or `<table>.parquet`. Every table is optional; at
least one must be present. Extra columns and missing required columns refuse the file
(exit 65). A row that breaks a rule below is quarantined with every rule it broke (see
[validation-rules.md](validation-rules.md) for the file-level refusals and the decisions
taken where the design is silent).

## extract.toml

Beside the tables, `extract.toml` says what the extract is (`arms-metrics sample` writes
one; `sample_data/` carries one):

```toml
synthetic = true              # demonstration data (default false)
extract_date = "2026-10-15"   # YYYY-MM-DD; the default release quarter is the latest
                              # that ended on or before it (else before today)
[coverage]                    # per table: the first quarter from which the extract holds
fms_cases = "FY2017-Q1"       # every record (for stocks: every record still open then)
export_licenses = "FY2018-Q1"
```

Coverage may also be declared in `pipeline.toml` (`[coverage]`, the operator's standing
configuration); the input folder's declaration wins, table by table. `run` stops with exit
78 on a table present without a declared coverage (naming the line to add), on a malformed
file (bad TOML, an unknown key, a bad quarter or date, an unknown table), and with exit 2
for a release quarter before the coverage of every table present. An indicator's series
starts at the latest coverage start of its sources: no earlier quarter is computed,
published or charted, and a zero means "no records", never "no data". An indicator whose
sources do not cover the release quarter has no CSV rows and shows "not available". A
stock's first quarter holds the records opened before the coverage start (a case
implemented in FY1996 and still open): declare the first *complete* quarter, after any
warm-up (`sample_data/extract.toml` explains its choice per table). Scheduled dates
(`anticipated_offer_date`, `offer_expiration_date`) are kept even when after the release
quarter; the as-of cut applies to event dates only. `validate` needs no coverage.
"""


def _column_rules(table: str, name: str, column) -> list[str]:
    kind = COLUMNS[table][name]
    skip = {"scientific"} if table in SCIENTIFIC_TABLES else set()
    skip |= {"precision"} if (table, name) in ROUND_TO_CENTS else set()
    rules = [f"{name}_{s}" for s in PARSE_RULES.get(kind, ()) if s not in skip]
    if not column.nullable:
        rules.append(f"{name}_required")
    rules += [rule_id(name, check.name) for check in column.checks]
    return rules


def _allowed(table: str, name: str, column, reference: Reference) -> str:
    for check in column.checks:
        values = check.statistics.get("allowed_values")
        if values:
            return ", ".join(f"`{v}`" for v in values)
    if name in ("purchaser_code", "destination_code", *CODE_COLUMNS.get(table, ())):
        return "a code in `reference/purchasers.csv`"
    if name == "application_type":
        return "; ".join(
            f"{a}: " + ", ".join(f"`{t}`" for t in ts) for a, ts in APPLICATION_TYPES.items()
        )
    if name == "control_category":
        return "; ".join(
            f"{a}: " + ", ".join(f"`{c}`" for c in cs) for a, cs in reference.categories.items()
        )
    return ""


def _table_lines(table: str, reference: Reference) -> Iterator[str]:
    schema = build_schema(table, reference, empty_parent(table))
    yield f"## {table}\n\n{TABLES[table]}\n"
    yield "| column | type | required | allowed values | rules |"
    yield "|---|---|---|---|---|"
    for name in COLUMNS[table]:
        column = schema.columns[name]
        rules = ", ".join(f"`{r}`" for r in _column_rules(table, name, column))
        required = "no" if column.nullable else "yes"
        yield (
            f"| `{name}` | {KINDS[COLUMNS[table][name]]} | {required} | "
            f"{_allowed(table, name, column, reference)} | {rules} |"
        )
    optional = OPTIONAL_COLUMNS.get(table, ())
    if optional:
        names = ", ".join(f"`{name}`" for name in optional)
        yield f"\nA file may leave out these columns (every value is then missing): {names}."
    row_rules = [check.name for check in schema.checks]
    if row_rules:
        yield "\nRules across columns or tables:\n"
        yield from (f"- `{rule}`: {describe_rule(rule)}" for rule in row_rules)
    yield ""


def render(reference: Reference | None = None) -> str:
    """The whole of docs/inputs.md as text."""
    reference = reference or load_reference(load_config().reference_dir)
    lines = [HEADER]
    for table in COLUMNS:
        lines.extend(_table_lines(table, reference))
    text = "\n".join(lines)
    return text.replace(f"`{NAME_CODE}`", "the code of `purchaser`").rstrip("\n") + "\n"


if __name__ == "__main__":
    print(render(), end="")
