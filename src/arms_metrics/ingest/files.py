"""Find the input files and read their bytes safely: nothing skipped in silence.

A folder entry whose name matches a table (case-insensitively, ``FMS_LORS.CSV`` too) is that
table's file, and it must be a regular file inside the input folder that can be read and is
no larger than ``[ingest] max_file_bytes``; anything else named like a table (a directory, a
dangling symlink, a symlink out of the folder, ``fms_lors.xlsx``) stops the run with exit 65
naming it. The bytes are checked for what they are before any parsing: UTF-16 or UTF-32
text, a gzip, parquet or Excel file named ``.csv``, NUL bytes and corrupt parquet pages are
refused by name; a CSV's line endings all become LF. Error messages never quote a file's
content.
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
import stat
import zlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from arms_metrics.errors import DataError, UsageError

SUFFIXES = (".csv", ".csv.gz", ".parquet")
READABLE = ".csv, .csv.gz or .parquet"
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32LE"),
    (codecs.BOM_UTF32_BE, "UTF-32BE"),
    (codecs.BOM_UTF16_LE, "UTF-16LE"),
    (codecs.BOM_UTF16_BE, "UTF-16BE"),
)
_MAGIC = (
    (b"\x1f\x8b", "a gzip file, not CSV text (a compressed table is named <table>.csv.gz)"),
    (b"PAR1", "a parquet file, not CSV text (a parquet table is named <table>.parquet)"),
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx workbook?), not CSV text"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook, not CSV text"),
)


def shown(name: str) -> str:
    """A file name safe to print on one line (control characters escaped)."""
    return name if name.isprintable() else ascii(name)[1:-1]


def _table_of(name: str, tables: tuple[str, ...]) -> tuple[str | None, bool]:
    """(table the name is named like, whether its suffix is one we read)."""
    lower = name.lower()
    for table in tables:
        if lower in (table + s for s in SUFFIXES):
            return table, True
    stem = lower.split(".", 1)[0].rstrip()
    return (stem, False) if stem in tables else (None, False)


def _refuse_entry(path: Path, folder: Path, table: str, readable: bool) -> None:
    """Raise DataError unless ``path`` is a regular file inside ``folder``."""
    name = shown(path.name)
    if not readable:
        detail = f"named like table {table} but not {READABLE}; rename or move it"
        raise DataError(name, "unreadable_format", detail)
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling or looping symlink
        raise DataError(
            name, "not_a_file", "a symlink to nothing (its target is missing)"
        ) from None
    if not target.is_relative_to(folder):
        raise DataError(name, "outside_input", "resolves to a path outside the input folder")
    try:
        mode = target.stat().st_mode
    except OSError as exc:
        raise DataError(name, "unreadable", f"cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        raise DataError(name, "not_a_file", "a directory, not a file (give one file per table)")
    if not stat.S_ISREG(mode):
        raise DataError(name, "not_a_file", "not a regular file (a pipe, socket or device)")


def _folder(input_dir: Path) -> Path:
    if input_dir.is_dir():
        return input_dir.resolve()
    if input_dir.exists():
        raise UsageError(f"--input {input_dir} is a file, not a folder: give the input folder")
    raise UsageError(f"input folder not found: {input_dir}")


def find_inputs(input_dir: Path, tables: tuple[str, ...]) -> tuple[dict[str, Path], list[str]]:
    """One file per table present, and the names of every other entry (ignored)."""
    folder = _folder(input_dir)
    found: dict[str, Path] = {}
    ignored: list[str] = []
    try:
        entries = sorted(input_dir.iterdir())
    except OSError as exc:
        raise DataError(
            shown(str(input_dir)), "unreadable", f"cannot list ({exc.strerror})"
        ) from None
    for path in entries:
        # a hidden entry (.fms_lors.csv, macOS ._fms_lors.csv) is never read, but listed
        table, readable = (
            (None, False) if path.name.startswith(".") else _table_of(path.name, tables)
        )
        if table is None:
            ignored.append(path.name + ("/" if path.is_dir() else ""))
            continue
        _refuse_entry(path, folder, table, readable)
        if table in found:
            detail = f"two files for table {table}: {found[table].name} and {shown(path.name)}"
            raise DataError(shown(path.name), "duplicate_input", detail)
        found[table] = path
    if not found:
        names = ", ".join(tables)
        detail = f"expected at least one of {names}, as <table>.csv, .csv.gz or .parquet"
        raise DataError(f"input folder {shown(str(input_dir))}", "no_input_tables", detail)
    return found, ignored


def _too_large(name: str, what: str, limit: int) -> DataError:
    detail = f"{what} is over [ingest] max_file_bytes = {limit:,} bytes"
    return DataError(name, "file_too_large", detail)


def read_input(path: Path, limit: int) -> bytes:
    """The file's bytes; exit 65 (never a traceback) if it cannot be read or is too large."""
    name = shown(path.name)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise _too_large(name, f"the file ({size:,} bytes)", limit)
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise DataError(name, "unreadable", f"cannot be read ({exc.strerror})") from None
    if len(raw) > limit:  # it grew while read
        raise _too_large(name, "the file", limit)
    return raw


def gunzip(name: str, raw: bytes, limit: int) -> bytes:
    """The decompressed bytes of a .gz file, at most ``limit`` of them."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as handle:
            data = handle.read(limit + 1)
    except (OSError, EOFError, zlib.error):
        detail = "not a valid gzip file (damaged or not compressed)"
        raise DataError(name, "unparseable", detail) from None
    if len(data) > limit:
        raise _too_large(name, "its decompressed content", limit)
    return data


def _utf16(sample: bytes) -> str | None:
    """UTF-16 without a byte-order mark: ASCII text has a NUL in every other byte."""
    odd, even = sample[1::2], sample[0::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
        return "UTF-16LE"
    if even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
        return "UTF-16BE"
    return None


def _sniff(name: str, raw: bytes) -> None:
    """Refuse bytes that are not UTF-8 CSV text, naming what they are."""
    for mark, encoding in _BOMS:
        if raw.startswith(mark):
            detail = f"{encoding} text (with a byte-order mark), not UTF-8: export it as UTF-8"
            raise DataError(name, "not_utf8", detail, 1)
    for magic, detail in _MAGIC:
        if raw.startswith(magic):
            raise DataError(name, "not_csv", detail, None)
    if b"\x00" in raw[:4096] and (encoding := _utf16(raw[:4096])):
        detail = f"{encoding} text without a byte-order mark, not UTF-8: export it as UTF-8"
        raise DataError(name, "not_utf8", detail, 1)


def _one_line_ending(data: bytes) -> bytes:
    """Every line ending as LF. The header's ending decides the two-byte conventions."""
    if b"\r" not in data:
        return data
    first = min(i for i in (data.find(b"\r"), data.find(b"\n")) if i >= 0)
    if data.startswith(b"\r\r\n", first):  # CRLF written again through a text-mode file
        data = data.replace(b"\r\r\n", b"\n")
    elif data.startswith(b"\n\r", first):  # LF CR, as some older systems write
        data = data.replace(b"\n\r", b"\n")
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _mixed(raw: bytes) -> str:
    """A note for a ragged record when the file mixes line endings (a stray CR is a break)."""
    if b"\r" not in raw:  # LF alone: one convention (and no three counts of a large file)
        return ""
    crlf = raw.count(b"\r\n")
    counts = {"LF": raw.count(b"\n") - crlf, "CRLF": crlf, "lone CR": raw.count(b"\r") - crlf}
    kinds = [f"{n:,} {kind}" for kind, n in counts.items() if n]
    return f" (the file mixes line endings: {', '.join(kinds)})" if len(kinds) > 1 else ""


def csv_text(name: str, raw: bytes) -> tuple[bytes, str]:
    """The file as UTF-8 bytes without a BOM, lines ended by LF; and a note on its endings."""
    _sniff(name, raw)
    data = _one_line_ending(raw.removeprefix(codecs.BOM_UTF8))
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise DataError(name, "nul_byte", "a NUL byte: binary data, not CSV text", line)
    return data, _mixed(raw)


def check_parquet(name: str, raw: bytes, limit: int) -> None:
    """Decode every page with pyarrow's checks first: a damaged file is exit 65 here, where
    polars' reader could abort the process on a corrupt page (found by the fuzz test)."""
    try:
        parquet = pq.ParquetFile(io.BytesIO(raw))
        meta = parquet.metadata
        size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if size > limit:
            raise _too_large(name, f"its decoded content ({size:,} bytes)", limit)
        for _ in parquet.iter_batches():  # decoded batch by batch, none kept
            pass
    except (pa.ArrowException, OSError, ValueError, EOFError, IndexError, TypeError):
        detail = "not a readable parquet file (damaged, or not parquet)"
        raise DataError(name, "unparseable", detail) from None
