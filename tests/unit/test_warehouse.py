"""The DuckDB plumbing: identifiers, loading, model order, checks, offline settings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from arms_metrics.compute import indicators, warehouse
from arms_metrics.errors import CheckFailed, ConfigError, DataError
from arms_metrics.quarters import Quarter


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("name", ["stg_x", "a", "pop_fms_lors_received", "x9_y"])
def test_relation_name_accepts_allow_listed(name: str) -> None:
    assert warehouse.relation_name(name) == name


@pytest.mark.parametrize("name", ["", "1abc", "Abc", "a-b", "a;drop table x", "a b", "_x", "a\n"])
def test_relation_name_rejects_everything_else(name: str) -> None:
    with pytest.raises(ConfigError):
        warehouse.relation_name(name)


def test_connect_never_downloads_extensions() -> None:
    with warehouse.connect(threads=1) as con:
        settings = dict(
            con.execute(
                "select name, value from duckdb_settings() where name in "
                "('autoinstall_known_extensions', 'autoload_known_extensions', 'threads')"
            ).fetchall()
        )
    assert settings == {
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
        "threads": "1",
    }


def test_load_frame_keeps_decimal_and_date_types() -> None:
    frame = pl.DataFrame(
        {"d": [dt.date(2024, 2, 29)], "m": [Decimal("1.05")]},
        schema={"d": pl.Date(), "m": pl.Decimal(18, 2)},
    )
    with warehouse.connect() as con:
        warehouse.load_frame(con, "t", frame)
        types = con.execute("select typeof(d), typeof(m) from t").fetchall()[0]
        back = warehouse.fetch(con, "t")
    assert types == ("DATE", "DECIMAL(18,2)")
    assert back.to_dicts() == [{"d": dt.date(2024, 2, 29), "m": Decimal("1.05")}]


def test_conform_source_absent_table_is_empty_with_schema() -> None:
    empty = warehouse.conform_source("export_licenses", None)
    assert empty.height == 0
    assert empty.schema == pl.Schema(warehouse.SOURCE_SCHEMAS["export_licenses"])


def test_conform_source_missing_column_is_a_data_error() -> None:
    frame = pl.DataFrame({"delivery_id": ["x"]})
    with pytest.raises(DataError, match="fms_deliveries.*missing column 'case_id'"):
        warehouse.conform_source("fms_deliveries", frame)


def test_models_run_in_dependency_order(tmp_path: Path) -> None:
    # int_b reads int_c, int_c reads int_a: alphabetical order would be a, b, c.
    _write(tmp_path / "intermediate" / "int_a.sql", "-- int_a\nselect 1 as x")
    _write(tmp_path / "intermediate" / "int_b.sql", "-- int_b\nselect x + 1 as x from int_c")
    _write(tmp_path / "intermediate" / "int_c.sql", "-- int_c\nselect x + 1 as x from int_a")
    order = [p.stem for p in warehouse.models(tmp_path, "intermediate")]
    assert order == ["int_a", "int_c", "int_b"]
    with warehouse.connect() as con:
        assert warehouse.run_layer(con, tmp_path, "intermediate") == order
        assert con.execute("select x from int_b").fetchall() == [(3,)]


def test_models_cycle_is_a_config_error(tmp_path: Path) -> None:
    _write(tmp_path / "populations" / "pop_a.sql", "select * from pop_b")
    _write(tmp_path / "populations" / "pop_b.sql", "select * from pop_a")
    with pytest.raises(ConfigError, match="cycle"):
        warehouse.models(tmp_path, "populations")


def test_bad_file_name_is_refused(tmp_path: Path) -> None:
    _write(tmp_path / "staging" / "Bad-Name.sql", "select 1")
    with pytest.raises(ConfigError):
        warehouse.models(tmp_path, "staging")


def test_run_checks_names_the_failing_check(tmp_path: Path) -> None:
    _write(tmp_path / "checks" / "chk_ok.sql", "select 1 as x where false")
    _write(tmp_path / "checks" / "chk_bad.sql", "select 'FY2026-Q3' as period")
    with warehouse.connect() as con, pytest.raises(CheckFailed) as info:
        warehouse.run_checks(con, tmp_path)
    assert "chk_bad" in str(info.value) and "FY2026-Q3" in str(info.value)
    assert info.value.exit_code == 70


def test_run_checks_passes_with_no_rows(tmp_path: Path) -> None:
    _write(tmp_path / "checks" / "chk_ok.sql", "select 1 as x where false")
    with warehouse.connect() as con:
        warehouse.run_checks(con, tmp_path)  # returns without raising


HOSTILE_SQL = [
    "select * from read_csv('{tmp}/in.csv')",
    "select * from 'https://example.com/x.csv'",
    "copy (select 1) to '{tmp}/out.csv'",
    "attach '{tmp}/other.db'",
    "install httpfs",
    "load httpfs",
]


@pytest.mark.parametrize("sql", HOSTILE_SQL)
def test_prepared_warehouse_reaches_no_file_network_or_extension(tmp_path, config, sql):
    (tmp_path / "in.csv").write_text("a\n1\n", encoding="utf-8")
    with warehouse.connect(threads=1) as con:
        indicators.prepare(con, {}, config, Quarter(2026, 3))
        with pytest.raises(Exception, match="(?i)permission|disabled|external"):
            con.execute(sql.format(tmp=tmp_path))
        with pytest.raises(Exception, match="(?i)configuration"):  # and it cannot be undone
            con.execute("set enable_external_access = true")
        settings = dict(con.execute(
            "select name, value from duckdb_settings() where name in ('enable_external_access',"
            " 'autoinstall_known_extensions', 'autoload_known_extensions')"
        ).fetchall())  # fmt: skip
    assert set(settings.values()) == {"false"}
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "other.db").exists()
