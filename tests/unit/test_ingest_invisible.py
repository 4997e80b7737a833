"""Invisible characters in identifiers and codes (tester's F4): ``LOR-1`` with a zero-width
space, a BOM or a soft hyphen is not a second record. Every id and code column of every
table quarantines such a value (``<column>_invisible_character``); free text keeps it."""

from __future__ import annotations

import pytest

from arms_metrics.errors import DataError
from arms_metrics.ingest.columns import FREE_TEXT
from arms_metrics.ingest.load import ingest
from arms_metrics.ingest.schemas import COLUMNS
from tests.unit.test_ingest_helpers import (
    ID_COLUMN,
    make_config,
    quarantine_rules,
    rows_for,
    write_table,
)
from tests.unit.test_values import _write_parquet

CODES = [
    (t, c)
    for t in sorted(COLUMNS)
    for c, kind in COLUMNS[t].items()
    if kind == "text" and c not in FREE_TEXT.get(t, ())
]
INVISIBLE = {  # each a character a copy from a web page or a spreadsheet can carry
    "zero-width-space": "\u200b",
    "bom": "\ufeff",
    "soft-hyphen": "\u00ad",
    "word-joiner": "\u2060",
    "bell": "\x07",
    # an outside tester's: Default_Ignorable_Code_Point but not control or format, and U+2800
    "hangul-filler": "\u3164",
    "grapheme-joiner": "\u034f",
    "variation-selector": "\ufe0f",
    "braille-blank": "\u2800",
}
SPACES = {"line-separator": "\u2028", "nbsp": "\u00a0"}  # Unicode White_Space: stripped at ends


def _ingest(tmp_path, config, table, rows, fmt="csv") -> dict[int, str]:
    folder = tmp_path / "input"
    if fmt == "csv":
        write_table(folder, table, rows)
    else:
        _write_parquet(folder, table, rows)
    try:
        ingest(folder, make_config(tmp_path, config), tmp_path / "work")
    except DataError as error:  # above the table threshold: the quarantine is still written
        assert error.exit_code == 65
    path = tmp_path / "work" / "quarantine" / f"{table}.csv"
    return quarantine_rules(tmp_path, table) if path.exists() else {}


@pytest.mark.parametrize(("table", "column"), CODES)
@pytest.mark.parametrize("where", ["start", "middle", "end"])
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_an_invisible_character_in_an_id_or_code_is_quarantined(
    tmp_path, config, table, column, where, fmt
):
    rows = rows_for(table, [{}, {}, {}])
    value = rows[1][column] or "X1"
    cut = {"start": 0, "middle": len(value) // 2, "end": len(value)}[where]
    rows[1][column] = value[:cut] + "\u200b" + value[cut:]
    rules = _ingest(tmp_path, config, table, rows, fmt)
    # a code read as missing may break a rule between columns too (outcome and its date)
    assert list(rules) == [2] and f"{column}_invisible_character" in rules[2].split(";")


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE.keys())
@pytest.mark.parametrize("table", sorted(ID_COLUMN))
def test_the_testers_lor_1_variants_are_not_distinct_records(tmp_path, config, table, char):
    column = ID_COLUMN[table]
    ids = ["LOR-1", "LOR-1" + char, char + "LOR-1", "LOR" + char + "-1"]
    rows = rows_for(table, [{column: i} for i in ids] + [{}] * 2)
    rules = _ingest(tmp_path, config, table, rows)
    # records 2-4 carry the character: quarantined; the clean LOR-1 (record 1) is accepted
    assert rules == dict.fromkeys([2, 3, 4], f"{column}_invisible_character")


@pytest.mark.parametrize("char", SPACES.values(), ids=SPACES.keys())
@pytest.mark.parametrize("table", sorted(ID_COLUMN))
def test_odd_spaces_are_stripped_at_the_ends_and_refused_inside(tmp_path, config, table, char):
    column = ID_COLUMN[table]
    ids = ["LOR-1", "LOR-1" + char, char + "LOR-1", "LOR" + char + "-1"]
    rows = rows_for(table, [{column: i} for i in ids] + [{}] * 2)
    rules = _ingest(tmp_path, config, table, rows)
    # records 1-3 read as LOR-1 once the ends are stripped: duplicates; record 4 is refused
    expected = dict.fromkeys([1, 2, 3], f"{column}_duplicate")
    assert rules == expected | {4: f"{column}_invisible_character"}


def test_spaces_at_the_ends_are_stripped_and_then_duplicates(tmp_path, config):
    rows = rows_for("fms_lors", [{"lor_id": "LOR-1"}, {"lor_id": "LOR-1\u00a0"}, {}, {}])
    rules = _ingest(tmp_path, config, "fms_lors", rows)
    assert rules == {1: "lor_id_duplicate", 2: "lor_id_duplicate"}


@pytest.mark.parametrize("column", FREE_TEXT["congressional_notifications"])
def test_free_text_keeps_its_invisible_characters(tmp_path, config, column):
    table = "congressional_notifications"
    rows = rows_for(table, [{}, {}, {}])
    if column == "description":
        rows[1][column] = "F-16\u200b block 70 \u00ad aircraft"
        assert _ingest(tmp_path, config, table, rows) == {}
    else:  # a purchaser name is looked up in the aliases: an unknown name, not this rule
        rows[1][column] = rows[1][column] + "\u200b"
        rules = _ingest(tmp_path, config, table, rows)
        assert "purchaser_invisible_character" not in rules.get(2, "")


@pytest.mark.parametrize(("table", "column"), CODES)
def test_a_field_quoted_after_a_space_is_quarantined(tmp_path, config, table, column):
    """``, "AE-B"``: a quote after a space opens no quoted field, so the quotes are text;
    ``"X1"`` is no second record of ``X1`` in any of the 25 id and code columns."""
    rows = rows_for(table, [{}, {}, {}])
    rows[1][column] = ' "' + (rows[1][column] or "X1") + '"'
    folder = tmp_path / "input"
    folder.mkdir()
    lines = [",".join(COLUMNS[table])] + [",".join(r[c] for c in COLUMNS[table]) for r in rows]
    (folder / f"{table}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        ingest(folder, make_config(tmp_path, config), tmp_path / "work")
    except DataError as error:  # above the table threshold: the quarantine is still written
        assert error.exit_code == 65
    rules = quarantine_rules(tmp_path, table)
    assert list(rules) == [2] and f"{column}_quote_character" in rules[2].split(";")


@pytest.mark.parametrize(
    ("name", "code"),
    [("United\u200bKingdom", "GB"), ("United Kingdom\u200b", "GB"), ("\u200bUK", "GB"),
     ("U\u200bK", None)],
)  # fmt: skip
def test_an_invisible_character_in_a_purchaser_name_never_gives_another_code(
    tmp_path, config, name, code
):
    # by hand: normalise_name reads U+200B as a space; "united kingdom" and "uk" are the
    # name and an alias of GB in the test reference, "u k" is nothing
    table = "congressional_notifications"
    rows = rows_for(table, [{}, {"purchaser": name}, {}])
    rules = _ingest(tmp_path, config, table, rows)
    assert rules == ({} if code else {2: "purchaser_unknown"})
