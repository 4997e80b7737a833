"""The bare DuckDB pass: the floor of reading and aggregating the inputs, nothing else.

    python benchmarks/bare.py FOLDER THREADS SPEC_JSON

One DuckDB connection with THREADS threads (the count the pipeline's DuckDB uses) reads
every input CSV of FOLDER with explicit column types (read_csv ``columns``, from SPEC_JSON:
{table: {"columns": {name: type}, "date": column, "money": column or null}}) and computes
per fiscal quarter of the table's date column the row count and the sum of its money
column. Imports duckdb only, so its time and peak memory are DuckDB's own. Prints one line
per table: the table, the rows read and the fiscal quarters seen.
"""

from __future__ import annotations

import json
import re
import sys

import duckdb

NAME = re.compile(r"[a-z][a-z0-9_]*")


def quarterly(con: duckdb.DuckDBPyConnection, path: str, table: dict) -> list[tuple]:
    """(fiscal year, fiscal quarter, rows, money sum) of one CSV, by the quarter of its date."""
    date, money = table["date"], table["money"]
    assert all(NAME.fullmatch(c) for c in (date, money or date)), "column names only"
    total = f"sum({money})" if money else "null"
    query = (  # the fiscal year starts on 1 October: shift by three months
        f"select year({date} + interval 3 month) as fiscal_year,"
        f" quarter({date} + interval 3 month) as fiscal_quarter, count(*) as n, {total} as usd"
        " from read_csv(?, header = true, columns = ?) group by all order by all"
    )
    return con.execute(query, [path, table["columns"]]).fetchall()


def main() -> None:
    folder, threads, spec = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
    settings = {"threads": threads, "autoinstall_known_extensions": False}
    with duckdb.connect(":memory:", config=settings) as con:
        for name, table in spec.items():
            rows = quarterly(con, f"{folder}/{name}.csv", table)
            print(f"{name}: {sum(r[2] for r in rows)} rows, {len(rows)} fiscal quarters")


if __name__ == "__main__":
    main()
