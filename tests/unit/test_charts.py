"""charts.py: stable SVG bytes, accessible embedding, suppression marks, no fetching."""

from __future__ import annotations

import re
from decimal import Decimal

from arms_metrics.site import charts

PERIODS = ["FY2025-Q3", "FY2025-Q4", "FY2026-Q1"]


def points():
    return [
        charts.Point("FY2025-Q3", "Total", None, True),
        charts.Point("FY2025-Q4", "Total", Decimal("1250000000.0"), False),
        charts.Point("FY2026-Q1", "Total", Decimal("2500000000.0"), False),
    ]


def test_svg_bytes_stable_across_renders():
    spec = charts.spec(points(), PERIODS, "usd", "US dollars")
    charts._CACHE.clear()
    first = charts.render_svg(spec)
    charts._CACHE.clear()
    second = charts.render_svg(charts.spec(points(), PERIODS, "usd", "US dollars"))
    assert first == second
    assert first.startswith("<svg")


def test_cache_renders_each_spec_once():
    charts._CACHE.clear()
    spec = charts.spec(points(), PERIODS, "count", "Number")
    charts.render_svg(spec)
    charts.render_svg(charts.spec(points(), PERIODS, "count", "Number"))
    assert len(charts._CACHE) == 1


def test_suppressed_point_marked_and_axis_labels_formatted():
    svg = charts.render_svg(charts.spec(points(), PERIODS, "usd", "US dollars"))
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "(S)" in texts
    assert "$2.5B" in texts or "$2.0B" in texts  # an axis label in billions
    assert set(PERIODS) <= set(texts)


def test_svg_fetches_nothing():
    svg = charts.render_svg(charts.spec(points(), PERIODS, "usd", "US dollars"))
    urls = set(re.findall(r"https?://[^\"' )]+", svg))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def test_all_values_missing_still_renders():
    missing = [charts.Point(p, "Total", None, True) for p in PERIODS]
    svg = charts.render_svg(charts.spec(missing, PERIODS, "days", "Calendar days"))
    assert svg.count("(S)") == 3


def test_embed_is_labelled_and_ids_are_prefixed():
    fake = (
        '<svg width="10" viewBox="0 0 10 10" role="graphics-document"><defs>'
        '<clipPath id="clip1"/></defs><g clip-path="url(#clip1)" aria-label="x"/></svg>'
    )
    markup = str(charts.embed(fake, "c9", "Title <A&B>", "Description"))
    assert markup.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert 'role="img" aria-labelledby="c9-title c9-desc" id="c9"' in markup
    assert '<title id="c9-title">Title &lt;A&amp;B&gt;</title>' in markup
    assert '<desc id="c9-desc">Description</desc>' in markup
    assert 'id="c9-clip1"' in markup and "url(#c9-clip1)" in markup
    assert 'id="clip1"' not in markup and "graphics-document" not in markup
    assert "aria-label=" not in markup and 'viewBox="0 0 10 10"' in markup


def test_axis_labels_of_a_long_history_are_fiscal_year_starts() -> None:
    from arms_metrics.quarters import Quarter
    from arms_metrics.site.charts import axis_periods

    short = [Quarter(2026, q).label for q in (1, 2, 3, 4)]
    assert axis_periods(short) == short
    # FY2000-Q2 .. FY2026-Q4: 107 quarters, 26 first quarters (FY2001..FY2026) -> every 3rd
    periods = [q.label for q in Quarter.span(Quarter(2000, 2), Quarter(2026, 4))]
    assert len(periods) == 107
    assert axis_periods(periods) == [f"FY{year}-Q1" for year in range(2001, 2027, 3)]


def test_cache_folder_serves_a_later_run_the_same_bytes(tmp_path, monkeypatch):
    spec = charts.spec(points(), PERIODS, "usd", "US dollars")
    charts._CACHE.clear()
    first = charts.render_svg(spec, tmp_path)
    assert len(list(tmp_path.glob("*.svg"))) == 1
    charts._CACHE.clear()  # a new run: only the folder remembers

    def no_rendering(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(charts.vlc, "vegalite_to_svg", no_rendering)
    assert charts.render_svg(spec, tmp_path) == first
    charts._CACHE.clear()
    other = charts.spec(points(), PERIODS, "count", "Number")  # a new spec is rendered
    monkeypatch.undo()
    charts.render_svg(other, tmp_path)
    assert len(list(tmp_path.glob("*.svg"))) == 2
