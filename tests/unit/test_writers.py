"""writers.py: atomic writes and the one CSV writer with formula neutralizing (OWASP)."""

from __future__ import annotations

import csv
import io
import os

import polars as pl
import pytest

from arms_metrics import writers


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),  # formula
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),  # starts like a number, is a formula
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("-12.5", "-12.5"),  # numbers are left as they are
        ("+7", "+7"),
        ("-.5", "-.5"),
        ("NAVY", "NAVY"),
        ("", ""),
        ("a=b", "a=b"),  # only the first character matters
        ("-1.5e3", "-1.5e3"),  # a number in any spelling stays a number
        ("-５", "'-５"),  # fullwidth digits are not a number (ASCII only)
        ("-٣", "'-٣"),  # nor Arabic-Indic ones
        ("+", "'+"),
        ("-", "'-"),
        ("=", "'="),
        ("DSP-5", "DSP-5"),
    ],
)
def test_neutralize(cell, expected):
    assert writers.neutralize(cell) == expected


def test_neutralized_frame_applies_the_same_rule_to_every_text_cell():
    cells = ["=1+2", "-5", "-5.5", "+3", "@SUM(A1)", "\tx", "\rx", "NAVY", "-", "-1e5", "-５",
             '=HYPERLINK("http://x")', None, ""]  # fmt: skip
    frame = pl.DataFrame({"text": cells, "number": list(range(len(cells)))})
    out = writers.neutralized(frame)
    assert out["text"].to_list() == [None if c is None else writers.neutralize(c) for c in cells]
    assert out["number"].to_list() == frame["number"].to_list()


def test_csv_bytes_round_trip_keeps_the_original_text_after_the_quote():
    rows = [["=1+2", None, 3, "x,y"], ["-4", "@a", "line\nbreak", ""]]
    data = writers.csv_bytes(["a", "b", "c", "d"], rows)
    assert data.count(b"\r\n") == 3 and data.startswith(b"a,b,c,d\r\n")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert parsed[1] == ["'=1+2", "", "3", "x,y"]
    assert parsed[2] == ["-4", "'@a", "line\nbreak", ""]


def test_write_bytes_replaces_whole_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "sub" / "file.csv"
    writers.write_bytes(target, b"old")
    writers.write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.csv"]
    assert oct(os.stat(target).st_mode & 0o777) == "0o644"


def test_write_bytes_failure_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "file.txt"
    writers.write_bytes(target, b"old")

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(writers.os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        writers.write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]
