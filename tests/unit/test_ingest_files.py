"""Finding and opening the input files (issue 11, faults 9, 10, 11, 13, max_file_bytes):
nothing named like a table is skipped in silence, no path leads out of the input folder,
no file state gives anything but a one-line exit-65 error naming the file."""

from __future__ import annotations

import dataclasses
import gzip
import os
import shutil

import pytest

from arms_metrics.config import load_config
from arms_metrics.errors import ConfigError, DataError, UsageError
from arms_metrics.ingest import files
from arms_metrics.ingest.load import ingest
from arms_metrics.ingest.schemas import COLUMNS
from tests.conftest import PIPELINE_TOML
from tests.unit.test_ingest_helpers import make_config, rows_for, write_table

TABLES = tuple(COLUMNS)
LORS = "fms_lors"


def _good(folder, table: str, name: str = "") -> None:
    write_table(folder, table, rows_for(table, [{}, {}]), name=name)


def _refused(tmp_path, config, folder) -> DataError:
    with pytest.raises(DataError) as caught:
        ingest(folder, make_config(tmp_path, config), tmp_path / "work")
    assert caught.value.exit_code == 65
    assert "\n" not in str(caught.value)
    return caught.value


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("suffix", [".CSV", ".Csv", ".csv.GZ", ".PARQUET"])
def test_table_names_match_case_insensitively(tmp_path, config, table, suffix):
    folder = tmp_path / "input"
    _good(folder, table, name="plain.csv")
    data = (folder / "plain.csv").read_bytes()
    (folder / "plain.csv").unlink()
    name = table.upper() + suffix
    if suffix.lower() == ".csv.gz":
        data = gzip.compress(data)
    if suffix.lower() == ".parquet":
        _good(tmp_path / "csv", table)
        frame = ingest(tmp_path / "csv", make_config(tmp_path, config), tmp_path / "w0")
        frame.tables[table].write_parquet(folder / name)
    else:
        (folder / name).write_bytes(data)
    result = ingest(folder, make_config(tmp_path, config), tmp_path / "work")
    assert list(result.tables) == [table]
    assert result.summary["tables"][table]["read"] == 2
    assert result.summary["ignored_files"] == []


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("other", ["{t}.CSV", "{t}.parquet", "{t}.csv.gz", "{T}.Csv"])
def test_two_files_for_one_table_stay_a_duplicate(tmp_path, config, table, other):
    folder = tmp_path / "input"
    _good(folder, table)
    name = other.format(t=table, T=table.upper())
    if name == f"{table}.CSV" and (folder / name).exists():
        pytest.skip("a case-insensitive file system holds one of the two names")
    (folder / name).write_bytes(b"x")
    error = _refused(tmp_path, config, folder)
    assert error.rule == "duplicate_input"
    assert f"two files for table {table}" in str(error)


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("name", ["{t}.csv", "{t}.CSV", "{t}.csv.gz", "{t}.parquet"])
def test_a_directory_named_like_a_table_is_refused(tmp_path, config, table, name):
    folder = tmp_path / "input"
    _good(folder, "fms_cases" if table != "fms_cases" else LORS)
    (folder / name.format(t=table)).mkdir()
    error = _refused(tmp_path, config, folder)
    assert (error.file, error.rule) == (name.format(t=table), "not_a_file")
    assert "a directory" in error.detail


@pytest.mark.parametrize("table", TABLES)
def test_a_dangling_symlink_named_like_a_table_is_refused(tmp_path, config, table):
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / f"{table}.csv").symlink_to(tmp_path / "gone.csv")
    error = _refused(tmp_path, config, folder)
    assert (error.file, error.rule) == (f"{table}.csv", "not_a_file")
    assert "target is missing" in error.detail


def test_a_symlink_loop_is_refused(tmp_path, config):
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "fms_cases.csv").symlink_to(folder / "fms_cases.csv")
    assert _refused(tmp_path, config, folder).rule == "not_a_file"


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("name", ["{t}.xlsx", "{t}.tsv", "{t}.csv.zip", "{t}.csv.bak", "{t}"])
def test_other_files_named_like_a_table_are_refused_not_skipped(tmp_path, config, table, name):
    folder = tmp_path / "input"
    _good(folder, "fms_cases" if table != "fms_cases" else LORS)
    (folder / name.format(t=table)).write_bytes(b"anything")
    error = _refused(tmp_path, config, folder)
    assert (error.file, error.rule) == (name.format(t=table), "unreadable_format")
    assert f"named like table {table}" in error.detail
    assert ".csv, .csv.gz or .parquet" in error.detail


@pytest.mark.parametrize(
    "target", ["{tmp}/passwd", "../secret.csv", "../elsewhere/fms_lors.csv", "{tmp}/secret.csv"]
)  # absolute and relative links to files outside the folder, one shaped as a password file
@pytest.mark.parametrize("table", [LORS, "congressional_notifications"])
def test_a_path_out_of_the_input_folder_is_refused_and_never_echoed(
    tmp_path, config, target, table
):
    (tmp_path / "elsewhere").mkdir()
    secret = "root:x:0:0:TOPSECRET:/root:/bin/bash\n"
    for path in (tmp_path / "passwd", tmp_path / "secret.csv", tmp_path / "elsewhere/fms_lors.csv"):
        path.write_text(secret)
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / f"{table}.csv").symlink_to(target.format(tmp=tmp_path))
    error = _refused(tmp_path, config, folder)
    assert (error.file, error.rule) == (f"{table}.csv", "outside_input")
    assert "root" not in str(error) and "TOPSECRET" not in str(error)


def test_a_symlink_within_the_folder_is_read(tmp_path, config):
    folder = tmp_path / "input"
    _good(folder / "archive", LORS, name="lors-2026.csv")
    (folder / "fms_lors.csv").symlink_to(folder / "archive" / "lors-2026.csv")
    result = ingest(folder, make_config(tmp_path, config), tmp_path / "work")
    assert result.summary["tables"][LORS]["read"] == 2
    assert result.summary["ignored_files"] == ["archive/"]


def test_a_symlinked_input_folder_is_its_target(tmp_path, config):
    _good(tmp_path / "real", LORS)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    result = ingest(tmp_path / "link", make_config(tmp_path, config), tmp_path / "work")
    assert result.summary["tables"][LORS]["read"] == 2


@pytest.mark.parametrize("table", TABLES)
def test_a_fifo_named_like_a_table_is_refused_without_blocking(tmp_path, config, table):
    folder = tmp_path / "input"
    folder.mkdir()
    os.mkfifo(folder / f"{table}.csv")
    error = _refused(tmp_path, config, folder)
    assert (error.rule, error.file) == ("not_a_file", f"{table}.csv")


@pytest.mark.parametrize("table", TABLES)
def test_an_unreadable_file_is_exit_65(tmp_path, config, table, monkeypatch):
    folder = tmp_path / "input"
    path = write_table(folder, table, rows_for(table, [{}]))
    real_open = os.open

    def denied(target, *args, **kwargs):
        if os.fspath(target) == os.fspath(path):
            raise PermissionError(13, "Permission denied")
        return real_open(target, *args, **kwargs)

    monkeypatch.setattr(files.os, "open", denied)
    error = _refused(tmp_path, config, folder)
    assert (error.file, error.rule) == (f"{table}.csv", "unreadable")
    assert error.detail == "cannot be read (Permission denied)"


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("form", ["csv", "csv.gz", "parquet"])
def test_max_file_bytes(tmp_path, config, table, form):
    folder = tmp_path / "input"
    path = write_table(folder, table, rows_for(table, [{}] * 20))
    text_size = path.stat().st_size
    if form == "csv.gz":
        gz = folder / f"{table}.csv.gz"
        gz.write_bytes(gzip.compress(path.read_bytes()))
        path.unlink()
        path = gz
    if form == "parquet":
        frame = ingest(folder, make_config(tmp_path, config), tmp_path / "w0").tables[table]
        path.unlink()
        path = folder / f"{table}.parquet"
        frame.write_parquet(path)
    size = path.stat().st_size
    enough = max(size, text_size) if form == "csv.gz" else size  # the limit holds unzipped too
    limited = dataclasses.replace(make_config(tmp_path, config), max_file_bytes=enough)
    assert ingest(folder, limited, tmp_path / "w1").summary["tables"][table]["read"] == 20
    limited = dataclasses.replace(limited, max_file_bytes=size - 1)
    with pytest.raises(DataError) as caught:
        ingest(folder, limited, tmp_path / "w2")
    assert caught.value.rule == "file_too_large"
    assert str(caught.value) == (
        f"{path.name}: file_too_large: the file ({size:,} bytes) is over "
        f"[ingest] max_file_bytes = {size - 1:,} bytes"
    )


def test_max_file_bytes_bounds_a_gzip_bomb(tmp_path, config):
    folder = tmp_path / "input"
    folder.mkdir()
    header = ",".join(COLUMNS[LORS]).encode() + b"\n"
    (folder / "fms_lors.csv.gz").write_bytes(gzip.compress(header + b" " * 10_000_000))
    limited = dataclasses.replace(make_config(tmp_path, config), max_file_bytes=1_000_000)
    with pytest.raises(DataError) as caught:
        ingest(folder, limited, tmp_path / "work")
    assert (caught.value.rule, caught.value.detail) == (
        "file_too_large",
        "its decompressed content is over [ingest] max_file_bytes = 1,000,000 bytes",
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1000", 1000), ("4294967296", 4_294_967_296), ("0", None), ("-5", None),
     ('"4GB"', None), ("true", None), ("1.5", None)],
)  # fmt: skip
def test_max_file_bytes_in_pipeline_toml(tmp_path, value, expected):
    assert load_config(PIPELINE_TOML).max_file_bytes == 4_294_967_296
    shutil.copytree(PIPELINE_TOML.parent, tmp_path / "pipeline")
    path = tmp_path / "pipeline" / "pipeline.toml"
    text = path.read_text(encoding="utf-8")
    assert "max_file_bytes = 4294967296" in text
    path.write_text(text.replace("max_file_bytes = 4294967296", f"max_file_bytes = {value}"))
    if expected is not None:
        assert load_config(path).max_file_bytes == expected
    else:
        with pytest.raises(ConfigError, match=r"\[ingest\] max_file_bytes must be a whole"):
            load_config(path)


def test_input_that_is_a_file_is_a_usage_error(tmp_path, config):
    readme = tmp_path / "README.md"
    readme.write_text("about")
    with pytest.raises(UsageError) as caught:
        ingest(readme, make_config(tmp_path, config), tmp_path / "work")
    assert caught.value.exit_code == 2
    assert str(caught.value) == f"--input {readme} is a file, not a folder: give the input folder"
    with pytest.raises(UsageError, match="input folder not found"):
        ingest(tmp_path / "nowhere", make_config(tmp_path, config), tmp_path / "work")


@pytest.mark.parametrize("folder_name", ["empty", "input"])
def test_empty_folder_message_names_every_readable_form(tmp_path, config, folder_name):
    folder = tmp_path / folder_name
    folder.mkdir()
    (folder / "notes.txt").write_text("x")
    error = _refused(tmp_path, config, folder)
    assert error.rule == "no_input_tables"
    text = str(error)
    assert not text.startswith(f"{folder_name}:")
    assert text.startswith(f"input folder {folder}: no_input_tables: ")
    for form in (".csv", ".csv.gz", ".parquet"):
        assert form in text
    for table in config.tables:
        assert table in text


def test_directories_and_links_not_named_like_tables_are_listed(tmp_path, config):
    folder = tmp_path / "input"
    _good(folder, LORS)
    (folder / "old").mkdir()
    (folder / "notes.md").symlink_to(tmp_path / "gone")
    (folder / ".hidden.csv").write_text("x")
    (folder / ".fms_lors.csv").write_text("x")  # hidden: never read as the table, but listed
    (folder / "._fms_lors.csv").write_bytes(b"\x00\x05\x16\x07")  # macOS AppleDouble
    result = ingest(folder, make_config(tmp_path, config), tmp_path / "work")
    assert result.summary["ignored_files"] == [
        "._fms_lors.csv",
        ".fms_lors.csv",
        ".hidden.csv",
        "notes.md",
        "old/",
    ]
    assert result.summary["tables"]["fms_lors"]["file"] == "fms_lors.csv"


def test_names_with_control_characters_are_shown_on_one_line(tmp_path, config, capsys):
    folder = tmp_path / "input"
    _good(folder, LORS)
    (folder / "fms_cases\n.csv").write_text("x")
    error = _refused(tmp_path, config, folder)
    assert error.file == "fms_cases\\n.csv" and error.rule == "unreadable_format"
    (folder / "fms_cases\n.csv").unlink()
    (folder / "x\rfake.csv").write_text("x")
    ingest(folder, make_config(tmp_path, config), tmp_path / "work")
    assert "warning: ignoring x\\rfake.csv: not an input table name" in capsys.readouterr().err
