"""charts.py: stable SVG bytes, accessible embedding, suppression marks, no fetching."""

from __future__ import annotations

import re
from decimal import Decimal

from arms_metrics.quarters import Quarter
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
    assert texts.count("(S) suppressed") == 1  # the legend entry explaining the marks
    assert "$2.5B" in texts or "$2.0B" in texts  # an axis label in billions
    # a short chart's quarters on two lines, level: "FY2025" over "Q3"
    assert '<tspan>FY2025</tspan><tspan x="0" dy="14">Q3</tspan>' in svg
    assert svg.count("<tspan>FY20") == len(PERIODS)


def test_svg_fetches_nothing():
    svg = charts.render_svg(charts.spec(points(), PERIODS, "usd", "US dollars"))
    urls = set(re.findall(r"https?://[^\"' )]+", svg))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def test_all_values_missing_still_renders():
    missing = [charts.Point(p, "Total", None, True) for p in PERIODS]
    svg = charts.render_svg(charts.spec(missing, PERIODS, "days", "Calendar days"))
    assert svg.count("(S)") == 1  # three triangles above the plot, one legend entry


def test_embed_is_labelled_and_ids_are_prefixed():
    fake = (
        '<svg width="10" viewBox="0 0 10 10" role="graphics-document"><defs>'
        '<clipPath id="clip1"/></defs><g clip-path="url(#clip1)" aria-label="x"/></svg>'
    )
    markup = str(charts.embed(fake, "c9", "Title <A&B>", "Description"))
    assert 'width="10" height="10"' in markup  # drawn at its natural size, never shrunk
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
    # 12 quarters, FY2024-Q1 .. FY2026-Q4: more than 10 labels would not fit level, so the
    # 3 first quarters
    twelve = [q.label for q in Quarter.span(Quarter(2024, 1), Quarter(2026, 4))]
    assert axis_periods(twelve) == ["FY2024-Q1", "FY2025-Q1", "FY2026-Q1"]


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


def test_rolling_mean_by_hand() -> None:
    # FY2025-Q1..FY2027-Q1 = 10, 20, 30, 40, (S), 60, 70, 80, 90
    values = ["10", "20", "30", "40", None, "60", "70", "80", "90"]
    periods = [q.label for q in Quarter.span(Quarter(2025, 1), Quarter(2027, 1))]
    published = {p: None if v is None else Decimal(v) for p, v in zip(periods, values, strict=True)}
    # FY2025-Q1..Q3: fewer than four quarters published (FY2024 is not in the series);
    # FY2025-Q4: (10 + 20 + 30 + 40) / 4 = 25; FY2026-Q1..Q4: each window holds the (S);
    # FY2027-Q1: (60 + 70 + 80 + 90) / 4 = 75
    assert charts.rolling_mean(published, periods) == {
        "FY2025-Q4": Decimal(25),
        "FY2027-Q1": Decimal(75),
    }


def test_suppressed_quarter_is_a_gap_marked_above_the_plot_never_at_zero() -> None:
    chart = charts.spec(points(), PERIODS, "usd", "US dollars")
    lines = [layer for layer in chart["layer"] if layer["mark"]["type"] == "line"]
    assert len(lines) == 1
    assert lines[0]["mark"]["invalid"] == "break-paths-filter-domains"  # a null breaks the path
    assert lines[0]["data"]["values"][0] == {"period": "FY2025-Q3", "series": "Total",
                                             "value": None}  # fmt: skip
    marks = [layer for layer in chart["layer"] if layer["mark"]["type"] == "point"]
    assert [m["data"]["values"] for m in marks] == [
        [{"period": "FY2025-Q3", "mark": "(S) suppressed"}]
    ]
    # placed in pixels above the plot (y < 0), not on the value scale: never y = 0
    assert marks[0]["encoding"]["y"] == {"value": -10}
    assert all(layer["encoding"]["y"] != {"datum": 0} for layer in chart["layer"])
    # a point marked suppressed draws no value even when handed one
    leaked = [charts.Point("FY2025-Q3", "Total", Decimal(7), True)]
    values = charts.spec(leaked, PERIODS[:1], "count", "Number")["layer"][0]["data"]["values"]
    assert values == [{"period": "FY2025-Q3", "series": "Total", "value": None}]


def test_target_rules_carry_their_values_and_labels() -> None:
    rules = [charts.Rule("Target, group A: 45 days", Decimal(45)),
             charts.Rule("Target, group B: 100 days", Decimal(100))]  # fmt: skip
    chart = charts.spec(points(), PERIODS, "days", "Calendar days", rules)
    ruled = [layer for layer in chart["layer"] if layer["mark"]["type"] == "rule"]
    assert [r["encoding"]["y"]["datum"] for r in ruled] == [45.0, 100.0]
    texts = [layer for layer in chart["layer"] if layer["mark"].get("text")]
    labels = [t for t in texts if t["mark"]["color"] == charts.RULE_COLOR]
    assert [(t["mark"]["text"], t["encoding"]["y"]["datum"]) for t in labels] == [
        ("Target, group A: 45 days", 45.0),
        ("Target, group B: 100 days", 100.0),
    ]
    # each label on a white halo of the same text, drawn just before it (beneath it)
    halos = [t for t in texts if t["mark"]["color"] == "#ffffff"]
    assert [(t["mark"]["text"], t["mark"]["stroke"]) for t in halos] == [
        ("Target, group A: 45 days", "#ffffff"),
        ("Target, group B: 100 days", "#ffffff"),
    ]
    assert [texts.index(h) + 1 for h in halos] == [texts.index(t) for t in labels]


def test_rendered_text_is_12px_or_more_and_no_s_label_at_zero() -> None:
    rules = [charts.Rule("Goal: 85%", Decimal(85))]
    many = [charts.Point(p, "Total", None, True) for p in PERIODS[:2]]
    many.append(charts.Point("FY2026-Q1", "Total", Decimal("70.5"), False))
    rolling = [charts.Point(p, "Four-quarter average", None, False) for p in PERIODS]
    charts._CACHE.clear()
    svg = charts.render_svg(charts.spec(many, PERIODS, "percent", "Percent", rules, rolling))
    sizes = [float(s) for s in re.findall(r'font-size="([0-9.]+)px"', svg)]
    assert sizes and min(sizes) >= 12
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    # two suppressed quarters: two triangles, one legend entry, no "(S)" text on the plot
    assert texts.count("(S) suppressed") == 1 and "(S)" not in texts
    assert "Goal: 85%" in texts and "Four-quarter average" in texts


def _specs_of(monkeypatch) -> list[dict]:
    """Record the specs the site asks for, drawing nothing."""
    seen: list[dict] = []

    def record(chart_spec, cache_dir=None):
        seen.append(chart_spec)
        return '<svg viewBox="0 0 10 10"></svg>'

    monkeypatch.setattr(charts, "render_svg", record)
    return seen


def test_indicator_chart_window_and_four_quarter_average(config, monkeypatch) -> None:
    from arms_metrics.site import render
    from tests.unit.site_fixtures import cell, tiny_release

    # fms_loas_offered (a count flow): FY2021-Q1..FY2026-Q4, quarter i (from 0) = 10 (i + 1),
    # FY2025-Q2 (i = 17) suppressed
    periods = [q.label for q in Quarter.span(Quarter(2021, 1), Quarter(2026, 4))]
    rows = [
        cell("fms_loas_offered", p, None if i == 17 else 10 * (i + 1), "count",
             None if i == 17 else 9, suppressed=i == 17)
        for i, p in enumerate(periods)
    ]  # fmt: skip
    release = tiny_release(config, rows, "FY2026-Q4")
    seen = _specs_of(monkeypatch)
    view = render.build_view(release, config.registry.get("fms_loas_offered"))
    short, window, full = seen  # the release page's 8 quarters, the indicator page's 20, all 24
    assert full["layer"][0]["encoding"]["x"]["scale"]["domain"] == periods
    assert short["layer"][0]["encoding"]["x"]["scale"]["domain"] == periods[-8:]
    assert len(short["layer"]) == 2  # the quarters and the (S) marks: no average on it
    assert window["layer"][0]["encoding"]["x"]["scale"]["domain"] == periods[-20:]
    assert (view.history_chart.first, view.history_chart.last) == ("FY2022-Q1", "FY2026-Q4")
    assert len(view.history_table.rows) == 24  # the table keeps every quarter
    average = window["layer"][1]
    assert average["mark"] == {"type": "line", "invalid": "break-paths-filter-domains",
                               "strokeWidth": 3}  # fmt: skip
    drawn = {v["period"]: v["value"] for v in average["data"]["values"]}
    # mean of quarters i-3..i = 10 ((i-2) + (i-1) + i + (i+1)) / 4 = 10 i - 5:
    # FY2022-Q1 (i = 4) averages FY2021-Q2..FY2022-Q1, before the window: 35;
    # i = 17..20 (FY2025-Q2..FY2026-Q1) hold the (S) in their four: no point
    expected = {p: None if 17 <= i <= 20 else float(10 * i - 5)
                for i, p in enumerate(periods) if i >= 4}  # fmt: skip
    assert drawn == expected
    assert drawn["FY2022-Q1"] == 35.0 and drawn["FY2026-Q2"] == 205.0
    assert {v["series"] for v in average["data"]["values"]} == {"Four-quarter average"}
    assert view.history_chart.rolling == "Four-quarter average"


def test_development_time_and_goal_charts_draw_the_configured_lines(config, monkeypatch):
    from arms_metrics.site import render
    from tests.unit.site_fixtures import make_release

    release = make_release(config)
    seen = _specs_of(monkeypatch)

    def rules_of(indicator_id):
        seen.clear()
        render.build_view(release, config.registry.get(indicator_id))
        ruled = [layer for layer in seen[1]["layer"] if layer["mark"]["type"] == "rule"]
        marks = [layer["mark"] for layer in seen[1]["layer"]]
        labels = [m["text"] for m in marks if "text" in m and m["color"] == charts.RULE_COLOR]
        return [r["encoding"]["y"]["datum"] for r in ruled], labels

    # pipeline.toml: [targets.development_group] A = 45, B = 100, C = 150
    assert rules_of("fms_loa_development_days_p90") == (
        [45.0, 100.0, 150.0],
        ["Target, group A: 45 days", "Target, group B: 100 days", "Target, group C: 150 days"],
    )
    # [targets.license] STATE = 60, COMMERCE = 90
    values, labels = rules_of("lic_processing_days_median")
    assert values == [60.0, 90.0] and labels[0].endswith(": 60 days")
    # [targets.goals] offered_by_anticipated_date_pct = 85
    assert rules_of("fms_documents_by_anticipated_date_pct") == ([85.0], ["Goal: 85%"])
    assert rules_of("fms_loas_offered_within_target_pct") == ([], [])  # no day line on a percent
    assert rules_of("fms_offer_to_acceptance_days_median") == ([], [])  # no target
    # no average for a median or a percent
    assert not any(layer["mark"].get("strokeWidth") == 3 for layer in seen[1]["layer"])


def test_a_long_chart_is_a_line_with_points_only_where_a_quarter_stands_alone() -> None:
    # 41 quarters FY2016-Q1..FY2026-Q1, all 5.0 but FY2020-Q1 and FY2020-Q3 suppressed:
    # FY2020-Q2 stands alone between two gaps, so it alone gets a point
    periods = [q.label for q in Quarter.span(Quarter(2016, 1), Quarter(2026, 1))]
    hidden = {"FY2020-Q1", "FY2020-Q3"}
    series = [charts.Point(p, "Total", None if p in hidden else Decimal(5), p in hidden)
              for p in periods]  # fmt: skip
    chart = charts.spec(series, periods, "count", "Number")
    assert len(periods) == 41 and chart["layer"][0]["mark"]["point"] is False
    points = [layer for layer in chart["layer"] if layer["mark"]["type"] == "point"]
    assert points[0]["data"]["values"] == [{"period": "FY2020-Q2", "series": "Total", "value": 5.0}]
    assert points[1]["data"]["values"] == [  # the (S) triangles
        {"period": "FY2020-Q1", "mark": "(S) suppressed"},
        {"period": "FY2020-Q3", "mark": "(S) suppressed"},
    ]


def test_suppressed_marks_of_several_lines_differ_in_shape_not_only_color() -> None:
    # State suppressed in FY2025-Q2, Commerce in FY2025-Q3: one legend entry and one shape
    # each (WCAG 1.4.1: color is not all that tells them apart); a single line keeps the
    # one "(S) suppressed" triangle
    two = [
        charts.Point("FY2025-Q1", "State (DDTC)", Decimal(5), False),
        charts.Point("FY2025-Q2", "State (DDTC)", None, True),
        charts.Point("FY2025-Q1", "Commerce (BIS)", Decimal(4), False),
        charts.Point("FY2025-Q3", "Commerce (BIS)", None, True),
    ]
    periods = ["FY2025-Q1", "FY2025-Q2", "FY2025-Q3"]
    chart = charts.spec(two, periods, "count", "Number")
    shapes = [layer["encoding"]["shape"] for layer in chart["layer"]
              if "shape" in layer.get("encoding", {})]  # fmt: skip
    assert shapes[0]["scale"] == {
        "domain": ["(S) State (DDTC) suppressed", "(S) Commerce (BIS) suppressed"],
        "range": ["triangle-down", "square"],
    }
    assert all(s["scale"] == shapes[0]["scale"] for s in shapes)  # one legend for both
    svg = charts.render_svg(chart)
    assert "(S) State (DDTC) suppressed" in svg and "(S) Commerce (BIS) suppressed" in svg


def test_small_percents_have_whole_axis_labels_that_never_repeat() -> None:
    # Shares of 0.7 to 1.7 %: ticks at every half percent would read 0%, 1%, 1%, 2%, 2%
    # once rounded to whole labels (the denied and withdrawn shares did); whole steps only.
    small = [
        charts.Point("FY2025-Q3", "Total", Decimal("0.7"), False),
        charts.Point("FY2025-Q4", "Total", Decimal("1.7"), False),
        charts.Point("FY2026-Q1", "Total", Decimal("1.1"), False),
    ]
    svg = charts.render_svg(charts.spec(small, PERIODS, "percent", "Percent"))
    labels = [t for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg) if t.endswith("%")]
    assert labels == sorted(set(labels), key=labels.index)  # no label twice
    assert labels[:2] == ["0%", "1%"]
