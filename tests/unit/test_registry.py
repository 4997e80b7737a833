"""The registry and the SQL files agree: every indicator is a measure of a column its
population view really outputs; every view is used, documented, tested and linted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from arms_metrics.compute import indicators, semantic, warehouse
from arms_metrics.config import MEASURES, Config
from arms_metrics.quarters import Quarter

ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = ROOT / "pipelines" / "quarterly" / "sql"
SQL_TESTS = ROOT / "tests" / "sql"
ALL_SQL = sorted(SQL_DIR.glob("*/*.sql"))


def _strip_comments(text: str) -> str:
    return re.sub(r"--[^\n]*", "", text)


@pytest.fixture(scope="module")
def columns(config: Config) -> dict[str, dict[str, str]]:
    """Every population view's output columns and types, as DuckDB builds them (no data)."""
    with warehouse.connect() as con:
        indicators.prepare(con, {}, config, Quarter.parse("FY2026-Q2"))
        return {
            path.stem: semantic.population_columns(con, path.stem)
            for path in sorted((SQL_DIR / "populations").glob("pop_*.sql"))
        }


def test_every_indicator_measures_a_column_of_its_population(config: Config, columns) -> None:
    for indicator in config.registry.indicators:
        assert (SQL_DIR / "populations" / f"{indicator.relation}.sql").is_file(), indicator.id
        assert indicator.measure in MEASURES, indicator.id
        assert MEASURES[indicator.measure] == indicator.unit, indicator.id
        assert indicator.column in columns[indicator.relation], indicator.id
        assert indicator.definition.strip(), indicator.id


def test_every_population_composes_into_one_query(config: Config, columns) -> None:
    # compose() refuses a missing column or breakdown, a share of a non-boolean, a sum of
    # non-money, a quantile of non-numbers (ConfigError): every population passes.
    for population, members in semantic.by_population(config.registry.indicators).items():
        relation = f"pop_{population}"
        sql, _, aliases = semantic.compose(relation, members, columns[relation])
        assert sql.count("grouping sets") == 1
        assert len(aliases) == len({(i.measure, i.column) for i in members})


def test_population_views_lead_with_period(columns) -> None:
    for relation, types in columns.items():
        assert next(iter(types.items())) == ("period", "VARCHAR"), relation


def test_every_population_is_used_and_tested(config: Config) -> None:
    views = {p.stem for p in (SQL_DIR / "populations").glob("*.sql")}
    assert views == {i.relation for i in config.registry.indicators}
    tests_text = "\n".join(p.read_text(encoding="utf-8") for p in SQL_TESTS.glob("test_*.py"))
    for view in sorted(views):
        assert f'"{view}"' in tests_text, f"no test in tests/sql reads {view}"
    for indicator in config.registry.indicators:
        assert f'"{indicator.id}"' in tests_text, f"no test in tests/sql names {indicator.id}"


def test_sql_layers_and_names() -> None:
    assert {p.parent.name for p in ALL_SQL} == {"staging", "intermediate", "populations", "checks"}
    prefixes = {"staging": "stg_", "intermediate": "int_", "populations": "pop_", "checks": "chk_"}
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


@pytest.mark.parametrize(
    "indicator_id", ["lic_decided_within_target_pct", "lic_pending_over_target"]
)
def test_license_target_texts_name_the_configured_days(config: Config, indicator_id) -> None:
    """A reader sees the number of days, not "within target"; the registry's words must
    say the days [targets.license] counts, so a changed target cannot leave them stale."""
    targets = config.license_targets
    indicator = config.registry.get(indicator_id)
    assert "target" not in indicator.title.lower()
    state, commerce = targets["STATE"], targets["COMMERCE"]
    assert f"{state} (State) or {commerce} (Commerce) calendar days" in indicator.title
    assert f"{state} calendar days at State" in indicator.definition
    assert f"{commerce} at Commerce" in indicator.definition
    assert "methodology page" in indicator.definition  # where the basis and exceptions are
