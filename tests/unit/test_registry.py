"""The registry and the SQL files agree: one mart per indicator, documented, tested, linted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from arms_metrics.config import Config

ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = ROOT / "pipelines" / "quarterly" / "sql"
SQL_TESTS = ROOT / "tests" / "sql"
ALL_SQL = sorted(SQL_DIR.glob("*/*.sql"))


def _strip_comments(text: str) -> str:
    return re.sub(r"--[^\n]*", "", text)


def test_every_indicator_has_a_mart_definition_and_test(config: Config) -> None:
    tests_text = "\n".join(p.read_text(encoding="utf-8") for p in SQL_TESTS.glob("test_*.py"))
    for indicator in config.registry.indicators:
        assert (SQL_DIR / "marts" / f"{indicator.mart}.sql").is_file(), indicator.id
        assert indicator.definition.strip(), indicator.id
        assert f'"{indicator.id}"' in tests_text, f"no test in tests/sql names {indicator.id}"


def test_no_mart_without_registry_entry(config: Config) -> None:
    marts = {p.stem for p in (SQL_DIR / "marts").glob("*.sql")}
    assert marts == {i.mart for i in config.registry.indicators}


def test_sql_layers_and_names() -> None:
    assert {p.parent.name for p in ALL_SQL} == {"staging", "intermediate", "marts", "checks"}
    prefixes = {"staging": "stg_", "intermediate": "int_", "marts": "ind_", "checks": "chk_"}
    for path in ALL_SQL:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", path.stem), path
        assert path.stem.startswith(prefixes[path.parent.name]), path


@pytest.mark.parametrize("path", ALL_SQL, ids=lambda p: p.stem)
def test_sql_file_has_header_and_one_select(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    header = text.splitlines()[:3]
    assert header[0].startswith(f"-- {path.stem}:"), "header must start with the relation name"
    assert any("Grain:" in line for line in text.splitlines() if line.startswith("--"))
    assert any("Inputs:" in line for line in text.splitlines() if line.startswith("--"))
    body = _strip_comments(text).strip()
    assert body.count(";") == 0, "one statement, no terminator"
    assert re.match(r"^(with|select)\b", body), "the statement is a select"
    assert not re.search(r"\b(insert|update|delete|create|drop|attach|copy|pragma)\b", body)


def test_mart_columns_follow_the_contract() -> None:
    contract = [
        "period",
        "breakdown",
        "breakdown_value",
        "n",
        "value",
        "numerator",
        "max_record_value",
        "parent",
    ]
    for path in sorted((SQL_DIR / "marts").glob("*.sql")):
        final = _strip_comments(path.read_text(encoding="utf-8")).rsplit("\nselect", 1)[1]
        columns = final.split("\nfrom cells", 1)[0]
        names = [re.split(r"\s+as\s+", c.strip())[-1] for c in columns.split(",\n")]
        assert sorted(names) == sorted(contract), path.stem
