"""The building blocks of the input models (``schemas.py``, ``oversight.py``): the strict
base model and the row checks every table uses.

A row check returns one boolean per row, true when the row keeps the rule; a check that
reads an empty value keeps it (a missing value breaks only its own ``_required`` rule).
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl


def money(**kwargs: object) -> object:
    return pa.Field(ge=0, dtype_kwargs={"precision": 18, "scale": 2}, **kwargs)


def rows(data: pa.PolarsData, ok: pl.Expr) -> pl.LazyFrame:
    """A check result that is true or false on every row (never null)."""
    return data.lazyframe.select(ok.fill_null(True).alias("ok"))


def unique(data: pa.PolarsData) -> pl.LazyFrame:
    """Every row that shares a non-empty id with another fails: no one can tell which is right."""
    key = pl.col(data.key)
    return rows(data, key.is_null() | ~key.is_duplicated())


def not_before(later: str, earlier: str) -> pl.Expr:
    return pl.col(later).is_null() | pl.col(earlier).is_null() | (pl.col(later) >= pl.col(earlier))


def given_without(column: str, other: str) -> pl.Expr:
    """``column`` has a value and ``other`` has none (an outcome without its decision date)."""
    return pl.col(column).is_not_null() & pl.col(other).is_null()


def is_in(column: str, values: list[str]) -> pl.Expr:
    return pl.col(column).is_in(values).fill_null(False)


class Strict(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = False
