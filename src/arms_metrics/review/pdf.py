"""The review pack as PDF, by WeasyPrint (HTML and CSS to PDF, with paged media: the
banner in every page's header and footer comes from the template's ``@page`` rules).

The PDF carries no creation or modification date (the template sets none and WeasyPrint
adds none), its file identifier is a digest of its content, and the embedded font subsets
are stamped with the quarter's end, not the clock (fontTools reads SOURCE_DATE_EPOCH, set
for the rendering only): the same HTML gives the same bytes. A missing or broken engine
(WeasyPrint, or the pango library it needs) is exit 69 with one line, checked before any
work is done.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from arms_metrics.errors import Unavailable


def engine() -> ModuleType:
    """The WeasyPrint module, or exit 69 naming why it cannot run."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: pango or its fonts cannot be loaded
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise Unavailable(
            f"the PDF engine (WeasyPrint) cannot run here: {reason}; install the project's "
            "dependencies (uv sync) and the pango library"
        ) from None
    return weasyprint


@contextmanager
def _stamped(day: dt.date) -> Iterator[None]:
    """SOURCE_DATE_EPOCH at midnight UTC of ``day`` while rendering, then as it was."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(calendar.timegm(day.timetuple()))
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def pdf_bytes(html: str, day: dt.date) -> bytes:
    """``html`` (self-contained: no links to fetch) rendered as PDF, its fonts stamped
    with ``day``."""
    weasyprint = engine()
    with _stamped(day):
        return weasyprint.HTML(string=html, base_url=None).write_pdf()
