"""The review pack's page on a hand-made pack: marked internal on every PDF page, escaped,
and the same bytes twice."""

from __future__ import annotations

import datetime as dt

from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from arms_metrics.quarters import Quarter
from arms_metrics.review import pack, pdf, records

QUARTER = Quarter.parse("FY2026-Q3")
END = dt.date(2026, 6, 30)


def _hand_made() -> pack.Pack:
    """A pack of long record lists (several PDF pages), one id holding markup."""
    title, _, columns, _ = records.BACKLOGS["tpt_pending"]
    rows = tuple(
        {"request_id": f"T{i:03d}", "channel": "FMS", "original_recipient_code": "GB",
         "transferee_code": "FR", "transfer_type": "RETRANSFER", "since": END, "age_days": 9 - i}
        for i in range(10)
    )  # fmt: skip
    rows = ({**rows[0], "request_id": "<b>T-x</b>"}, *rows[1:])
    expiring = [
        {"document_id": f"D{d:03d}", "purchaser": "GB", "implementing_agency": "ARMY",
         "expiration_date": END + dt.timedelta(days=d), "days_left": d,
         "bucket": records.bucket_of(d)}
        for d in range(1, 91)
    ]  # fmt: skip
    backlog = records.Backlog("tpt_pending", title, columns, total=12, rows=rows)
    return pack.Pack(QUARTER, [], [], [backlog], expiring, ())


def _margin_texts(page) -> list[str]:
    # WeasyPrint's laid-out page: the text of its boxes, margin boxes (header, footer) included
    return [b.text for b in page._page_box.descendants() if isinstance(b, boxes.TextBox)]


def test_every_pdf_page_carries_the_banner_in_header_and_footer() -> None:
    html = pack.render_html(_hand_made(), None)
    pages = HTML(string=html).render().pages
    assert len(pages) >= 3
    for number, page in enumerate(pages, 1):
        texts = _margin_texts(page)
        assert texts.count(pack.BANNER) >= 2, number
        assert f"Page {number} of {len(pages)}" in texts


def test_page_is_escaped_marked_and_first() -> None:
    html = pack.render_html(_hand_made(), None)
    assert "&lt;b&gt;T-x&lt;/b&gt;" in html and "<b>T-x" not in html
    assert '<meta name="robots" content="noindex">' in html
    assert "<title>Quarterly review pack, FY2026-Q3</title>" in html
    assert "This is the first pack" in html
    assert "Third-party transfer requests pending: the 10 oldest of 12" in html
    for low, high, count in ((1, 30, 30), (31, 60, 30), (61, 90, 30)):
        assert f"{low} to {high} days: {count}</caption>" in html


def test_same_pack_same_pdf_bytes() -> None:
    html = pack.render_html(_hand_made(), None)
    first = pdf.pdf_bytes(html, END)
    assert first.startswith(b"%PDF") and first == pdf.pdf_bytes(html, END)
