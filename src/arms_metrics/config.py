"""Load ``pipeline.toml`` and the indicator registry ``indicators.toml`` into typed objects.

Nothing here touches data; paths are resolved relative to the pipeline folder so a run
behaves the same from any working directory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arms_metrics import methodology, release_calendar
from arms_metrics.errors import ConfigError
from arms_metrics.extract import parse_coverage
from arms_metrics.methodology import Methodology
from arms_metrics.quarters import Quarter

PACKAGE_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PIPELINE = PACKAGE_ROOT / "pipelines" / "quarterly" / "pipeline.toml"
TEMPLATES_DIR = PACKAGE_ROOT / "templates"

UNITS = ("count", "usd", "days", "percent")
KINDS = ("flow", "stock")
# The closed set of measures (docs/architecture.md) and the unit each one yields.
MEASURES = {"count": "count", "sum": "usd", "median": "days", "p90": "days", "share": "percent"}
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")  # population and column names in the registry
TABLES = (
    "fms_lors",
    "fms_documents",
    "fms_cases",
    "fms_deliveries",
    "congressional_notifications",
    "export_licenses",
    "tpt_requests",
    "eum_checks",
)


MAX_FILE_BYTES = 4_294_967_296  # 4 GiB: above the scale-10 sample
POLICIES = ("confidential", "public_record", "exempt")
# The keys an indicator's ``links`` may hold (docs/architecture.md): a stock's flows, the
# indicator that counts a statistic's population, a rate's numerator and denominator outcomes.
LINK_KEYS = ("inflow", "outflow", "count", "numerator", "denominator", "within", "complete",
             "reveals", "follows", "carried_over")  # fmt: skip


@dataclass(frozen=True)
class DisclosureRules:
    """Primary suppression thresholds and the policy of one indicator family.

    ``policy``: ``confidential`` (every cell under the rules), ``public_record`` (count and
    usd totals always published; the rules apply to breakdown cells only) or ``exempt``.
    ``upper_protection`` (confidential families): a hidden count of 1 to
    ``min_n_count - 1`` records must be able to be ``min_n_count`` or more given every
    published figure, not only be more than one value (docs/disclosure.md).
    """

    min_n_count: int = 3
    min_n_statistic: int = 5
    dominance_share: float = 0.85
    exempt: bool = False
    policy: str = "confidential"
    upper_protection: bool = False


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    unit: str
    kind: str
    family: str
    group: str
    sources: tuple[str, ...]
    breakdowns: tuple[str, ...]
    additive: bool
    definition: str
    population: str  # the view sql/populations/pop_<population>.sql it is measured over
    measure: str  # one of MEASURES
    column: str  # the population column the measure reads (a boolean flag for a share)
    headline: bool = False
    headline_breakdown: str | None = None
    higher_is: str = "neutral"
    links: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    links_note: str = ""
    requires: tuple[str, ...] = ()  # "table.column": an optional column the extract must fill

    @property
    def relation(self) -> str:
        """The population view's relation name."""
        return f"pop_{self.population}"


@dataclass(frozen=True)
class Registry:
    indicators: tuple[Indicator, ...]
    groups: dict[str, str]
    breakdown_labels: dict[str, str]
    unit_labels: dict[str, str]
    # [nesting]: a breakdown whose values each belong to one value of another, with the
    # reference file that says which: {child: (parent breakdown, reference file name)}
    nesting: dict[str, tuple[str, str]] = field(default_factory=dict)

    def get(self, indicator_id: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)

    @property
    def ids(self) -> list[str]:
        return [indicator.id for indicator in self.indicators]


@dataclass(frozen=True)
class Config:
    """Everything ``pipeline.toml`` says, plus where the pipeline's files are."""

    path: Path
    publication: dict[str, Any]
    tables: tuple[str, ...]
    max_quarantine_share: float
    development_targets: dict[str, int]
    license_targets: dict[str, int]
    disclosure: dict[str, DisclosureRules]
    revision_policy: str
    release_calendar: dict[str, str]
    release_lag_days: int
    registry: Registry
    raw_hash: str = field(repr=False, default="")
    min_date: dt.date = dt.date(1975, 10, 1)  # [ingest]: earlier dates are quarantined
    max_years_after_quarter_end: int = 10  # [ingest]: so are dates this far after it
    max_indicator_loss_share: float = 0.005  # [quality]: records an indicator may lose
    max_file_bytes: int = MAX_FILE_BYTES  # [ingest]: a larger input file is refused (exit 65)
    methodology: Methodology | None = None  # methodology.toml beside pipeline.toml
    coverage: dict[str, Quarter] = field(default_factory=dict)  # [coverage]: extract.toml wins
    release_time: dt.time = dt.time(11, 0)  # [release_calendar] time: a release's time of day
    goals: dict[str, float] = field(default_factory=dict)  # [targets.goals]: percent goals
    release_zone: str = "America/New_York"  # [release_calendar] zone: that time's zone

    @property
    def pipeline_dir(self) -> Path:
        return self.path.parent

    @property
    def reference_dir(self) -> Path:
        return self.pipeline_dir / "reference"

    @property
    def sql_dir(self) -> Path:
        return self.pipeline_dir / "sql"

    def rules_for(self, family: str) -> DisclosureRules:
        return self.disclosure.get(family, DisclosureRules())

    def release_date(self, quarter: Quarter) -> dt.date:
        """The publication date of ``quarter``'s release, from the release calendar."""
        text = self.release_calendar.get(quarter.label)
        if text is None:
            return quarter.end + dt.timedelta(days=self.release_lag_days)
        return dt.date.fromisoformat(text)

    def release_moment(self, quarter: Quarter, day: dt.date | None = None) -> dt.datetime:
        """When ``quarter``'s release may be public: its date (``day``, else the calendar's)
        at the calendar's time in its zone, as an aware datetime."""
        day = day or self.release_date(quarter)
        zone = zoneinfo.ZoneInfo(self.release_zone)
        return dt.datetime.combine(day, self.release_time, tzinfo=zone)


def _read_toml(path: Path) -> tuple[dict[str, Any], bytes]:
    try:
        raw = path.read_bytes()
        return tomllib.loads(raw.decode("utf-8")), raw
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: config file not found") from exc
    except OSError as exc:  # a folder, no permission
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def _indicator(entry: dict[str, Any], source: Path) -> Indicator:
    try:
        indicator = Indicator(
            id=entry["id"],
            title=entry["title"],
            unit=entry["unit"],
            kind=entry["kind"],
            family=entry["family"],
            group=entry["group"],
            sources=tuple(entry["sources"]),
            breakdowns=tuple(entry["breakdowns"]),
            additive=bool(entry["additive"]),
            definition=entry["definition"],
            population=entry["population"],
            measure=entry["measure"],
            column=entry["column"],
            headline=bool(entry.get("headline", False)),
            headline_breakdown=entry.get("headline_breakdown"),
            higher_is=entry.get("higher_is", "neutral"),
            links=dict(entry["links"]),
            links_note=entry.get("links_note", ""),
            requires=tuple(entry.get("requires", ())),
        )
    except KeyError as exc:
        raise ConfigError(f"{source}: indicator {entry.get('id', '?')} lacks {exc}") from exc
    if indicator.unit not in UNITS or indicator.kind not in KINDS:
        raise ConfigError(f"{source}: indicator {indicator.id}: bad unit or kind")
    unknown = set(indicator.sources) - set(TABLES)
    unknown |= {r for r in indicator.requires if r.partition(".")[0] not in indicator.sources}
    if unknown:
        raise ConfigError(f"{source}: indicator {indicator.id}: unknown sources {sorted(unknown)}")
    problem = _measure_problem(indicator, source.parent / "sql" / "populations")
    if problem:
        raise ConfigError(f"{source}: indicator {indicator.id}: {problem}")
    return indicator


def _measure_problem(indicator: Indicator, populations: Path) -> str | None:
    """What is wrong with ``population``, ``measure`` and ``column`` (None when nothing).

    Whether the column exists is known only once the view runs: the engine checks it."""
    name, measure, column = indicator.population, indicator.measure, indicator.column
    if not (isinstance(name, str) and IDENTIFIER.fullmatch(name)):
        return f"population {name!r} is not a lower-case name"
    if not (populations / f"pop_{name}.sql").is_file():
        return f"population {name!r} has no view {populations.name}/pop_{name}.sql"
    if measure not in MEASURES:
        return f"measure {measure!r} is not one of {', '.join(MEASURES)}"
    if MEASURES[measure] != indicator.unit:
        return f"measure {measure} gives {MEASURES[measure]}, but the unit is {indicator.unit}"
    if not (isinstance(column, str) and IDENTIFIER.fullmatch(column)):
        return f"column {column!r} must name a column of pop_{name} (lower-case, non-empty)"
    return None


def load_registry(path: Path) -> Registry:
    data, _ = _read_toml(path)
    indicators = tuple(_indicator(entry, path) for entry in data.get("indicator", []))
    ids = [indicator.id for indicator in indicators]
    if len(ids) != len(set(ids)):
        raise ConfigError(f"{path}: duplicate indicator ids")
    labels = data.get("breakdowns", {})
    for indicator in indicators:
        missing = [b for b in indicator.breakdowns if b not in labels]
        if missing or indicator.group not in data.get("groups", {}):
            raise ConfigError(f"{path}: indicator {indicator.id}: unknown group or breakdown")
        problem = links_problem(indicator, {i.id: i for i in indicators})
        if problem:
            raise ConfigError(f"{path}: indicator {indicator.id}: links: {problem}")
    nesting = _nesting(data.get("nesting", {}), labels, path)
    return Registry(indicators, data.get("groups", {}), labels, data.get("units", {}), nesting)


def _nesting(section: dict[str, Any], labels: dict[str, str], path: Path) -> dict:
    """``[nesting] child = { within = "parent", reference = "file.csv" }``: both breakdowns
    known, the file in ``reference/`` beside the registry."""
    out = {}
    for child, entry in sorted(section.items()):
        within = entry.get("within") if isinstance(entry, dict) else None
        reference = entry.get("reference") if isinstance(entry, dict) else None
        if child not in labels or within not in labels or within == child:
            raise ConfigError(f"{path}: [nesting] {child}: needs two different breakdowns")
        if not isinstance(reference, str) or not (path.parent / "reference" / reference).is_file():
            raise ConfigError(f"{path}: [nesting] {child}: reference {reference!r} not found")
        out[child] = (within, reference)
    return out


def links_problem(indicator: Indicator, known: dict[str, Indicator]) -> str | None:
    """What is wrong with ``indicator.links`` (None when nothing): unknown keys, a link to no
    published indicator or to one of another unit, a rate without its outcomes, a stock
    with one flow, an empty entry without a ``links_note``."""
    links = indicator.links
    if not links and not indicator.links_note:
        return "empty links need a links_note saying why none applies"
    unknown = sorted(set(links) - set(LINK_KEYS))
    if unknown:
        return f"unknown keys {unknown}"
    for key in ("inflow", "outflow", "count"):
        target = known.get(str(links.get(key)))
        unit = "count" if key == "count" else indicator.unit
        if key in links and (target is None or target.unit != unit):
            return f"{key} = {links[key]!r} names no published {unit} indicator"
    flows = ("inflow" in links) + ("outflow" in links)
    if flows == 1 or (flows and indicator.kind != "stock"):
        return "only a stock names flows, and then both its inflow and its outflow"
    if indicator.unit == "percent" and not (links.get("numerator") and links.get("denominator")):
        return "a percent names the outcomes of its numerator and denominator"
    return _outcome_links_problem(indicator, known)


def _outcome_links_problem(indicator: Indicator, known: dict[str, Indicator]) -> str | None:
    """``within`` (a sum's n counts some outcomes of its population) names outcomes a rate
    over the same population lists (``complete = true``: every record of them, none
    unrecorded); ``reveals`` (a days statistic bounds a within-target
    share) names a percent over the same population."""
    links = indicator.links
    if "within" in links:
        listed = {o for i in known.values() if i.population == indicator.population
                  and i.unit == "percent" for o in i.links.get("denominator", ())}  # fmt: skip
        if indicator.unit == "percent" or "count" in links or not links["within"]:
            return "within belongs to a sum or statistic without a count link"
        if not set(links["within"]) <= listed:
            return f"within = {links['within']!r} names outcomes no rate over its population lists"
    if "complete" in links and (links["complete"] is not True or "within" not in links):
        return "complete = true says a within statistic's n counts every record of its outcomes"
    problem = _stage_links_problem(indicator, known)
    if problem:
        return problem
    target = known.get(str(links.get("reveals")))
    if "reveals" in links and (
        indicator.unit != "days" or target is None or target.unit != "percent"
        or target.population != indicator.population
    ):  # fmt: skip
        return f"reveals = {links['reveals']!r} names no share over the same population"
    return None


def _stage_links_problem(indicator: Indicator, known: dict[str, Indicator]) -> str | None:
    """``follows`` names the count flow a count flow's records passed first;
    ``carried_over`` the stock (with both flows) a count of its records past target is of."""
    first = known.get(str(indicator.links.get("follows")))
    if "follows" in indicator.links and (
        first is None or first.unit != "count" or indicator.unit != "count" or first.kind != "flow"
    ):
        return f"follows = {indicator.links['follows']!r} names no published count flow"
    stock = known.get(str(indicator.links.get("carried_over")))
    if "carried_over" in indicator.links and (
        stock is None or "outflow" not in stock.links or indicator.population != stock.id
    ):
        return f"carried_over = {indicator.links['carried_over']!r} names no stock it counts"
    return None


def _disclosure(section: dict[str, Any]) -> dict[str, DisclosureRules]:
    exempt = set(section.get("exempt_families", []))
    rules = {
        family: DisclosureRules(
            min_n_count=int(values.get("min_n_count", 3)),
            min_n_statistic=int(values.get("min_n_statistic", 5)),
            dominance_share=float(values.get("dominance_share", 0.85)),
            exempt=family in exempt,
            policy="exempt" if family in exempt else values.get("policy", "confidential"),
            upper_protection=values.get("upper_protection", False),
        )
        for family, values in section.get("families", {}).items()
    }
    flags = sorted(f for f, r in rules.items() if not isinstance(r.upper_protection, bool))
    if flags:
        raise ConfigError(f"disclosure.families.{flags[0]}.upper_protection must be true or false")
    for family in exempt:
        rules.setdefault(family, DisclosureRules(exempt=True, policy="exempt"))
    bad = sorted(f for f, r in rules.items() if r.policy not in POLICIES)
    if bad:
        raise ConfigError(f"disclosure.families.{bad[0]}.policy must be one of {POLICIES}")
    return rules


def _quality(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """The ``[ingest]`` date range and file size limit and the ``[quality]`` loss share,
    checked."""
    ingest, quality = data.get("ingest", {}), data.get("quality", {})
    try:
        first = dt.date.fromisoformat(str(ingest.get("min_date", "1975-10-01")))
        years = int(ingest.get("max_years_after_quarter_end", 10))
        share = float(quality.get("max_indicator_loss_share", 0.005))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: bad [ingest] or [quality] setting: {exc}") from exc
    if first < Quarter(1901, 1).start or not 0 <= years <= 100 or not 0 <= share <= 1:
        detail = "min_date from 1900-10-01, max_years_after_quarter_end 0..100, share 0..1"
        raise ConfigError(f"{path}: [ingest]/[quality] out of range ({detail})")
    size = ingest.get("max_file_bytes", MAX_FILE_BYTES)
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise ConfigError(
            f"{path}: [ingest] max_file_bytes must be a whole number of bytes above 0"
        )
    return {"min_date": first, "max_years_after_quarter_end": years,
            "max_indicator_loss_share": share, "max_file_bytes": size}  # fmt: skip


GOALS = ("offered_by_anticipated_date_pct",)  # the keys [targets.goals] may hold


def _goals(targets: dict[str, Any], path: Path) -> dict[str, float]:
    """``[targets.goals]``: percent goals (DSCA's 85% of LOAs offered by the anticipated
    date), each a number from 0 to 100; an unknown key or a bad value is exit 78."""
    goals = targets.get("goals", {})
    if not isinstance(goals, dict):
        raise ConfigError(f"{path}: [targets.goals] must be a table")
    out = {}
    for key, value in sorted(goals.items()):
        if key not in GOALS:
            raise ConfigError(f"{path}: [targets.goals] has unknown key {key!r}; known: {GOALS}")
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not 0 <= value <= 100:
            raise ConfigError(f"{path}: [targets.goals] {key} must be a percent from 0 to 100")
        out[key] = float(value)
    return out


def _publication(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """``[publication]``, its ``official`` a boolean (default false: a draft)."""
    publication = data.get("publication", {})
    if not isinstance(publication.get("official", False), bool):
        raise ConfigError(f"{path}: [publication] official must be true or false")
    return publication


def load_config(path: Path | str | None = None) -> Config:
    """Read ``pipeline.toml`` (default: the quarterly pipeline) and the registry beside it."""
    path = Path(path) if path else DEFAULT_PIPELINE
    data, raw = _read_toml(path)
    registry_path = path.parent / "indicators.toml"
    registry = load_registry(registry_path)
    calendar = release_calendar.read(data.get("release_calendar", {}), path)
    targets = data.get("targets", {})
    if "licence" in targets:  # the British spelling of 0.1; refused rather than guessed
        raise ConfigError(f"{path}: [targets.licence] is now [targets.license]; rename it")
    goals = _goals(targets, path)
    texts, texts_raw = methodology.load(path.parent / "methodology.toml", targets)
    digest = hashlib.sha256(raw + registry_path.read_bytes() + texts_raw).hexdigest()
    try:
        return Config(
            path=path.resolve(),
            publication=_publication(data, path),
            tables=tuple(data.get("inputs", {}).get("tables", TABLES)),
            max_quarantine_share=float(data["validation"]["max_quarantine_share"]),
            development_targets={k: int(v) for k, v in targets["development_group"].items()},
            license_targets={k: int(v) for k, v in targets["license"].items()},
            disclosure=_disclosure(data.get("disclosure", {})),
            revision_policy=data.get("revisions", {}).get("policy", ""),
            registry=registry,
            raw_hash=digest,
            methodology=texts,
            goals=goals,
            coverage=parse_coverage(data.get("coverage", {}), str(path), TABLES),
            **_quality(data, path),
            **calendar,
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ConfigError(f"{path}: missing or bad setting {exc}") from exc
