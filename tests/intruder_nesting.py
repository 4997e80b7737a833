"""Two more of the intruder's links (``tests/intruder.py``), from what the public knows of
the rules and the reference lists.

- ``nesting``: ``[nesting]`` in the registry names breakdowns whose values each belong to
  one value of another (control categories and forms within their licensing agency, by the
  reference files' ``code`` and agency columns): per additive series and quarter, the
  children of a parent value add up to the parent's cell.
- ``floor``: a published dollar sum, median, percentile or percentage rests on at least the
  rule's number of records (``min_n_count`` for a sum, ``min_n_statistic`` otherwise) where
  its family's rules apply (every cell of a ``confidential`` family, the breakdown cells of
  a ``public_record`` one), so the count its ``links.count`` names is at least that, once it
  is at least 1 (a hidden count is).

Written from the definitions only; it imports nothing from the program.
"""

from __future__ import annotations

import csv
import tomllib
from collections import defaultdict
from pathlib import Path

INF = float("inf")


def read_nesting(pipeline: Path) -> dict[str, tuple[str, dict[str, str]]]:
    """{child: (parent, {child value: parent value})} from indicators.toml and reference/."""
    with (pipeline / "indicators.toml").open("rb") as handle:
        section = tomllib.load(handle).get("nesting", {})
    out = {}
    for child, entry in section.items():
        parent = entry["within"]
        with (pipeline / "reference" / entry["reference"]).open(encoding="utf-8") as handle:
            out[child] = (parent, {r["code"]: r[parent] for r in csv.DictReader(handle)})
    return out


def read_floors(pipeline: Path) -> dict[str, tuple[str, int, int]]:
    """family -> (policy, min_n_count, min_n_statistic) from pipeline.toml."""
    with (pipeline / "pipeline.toml").open("rb") as handle:
        disclosure = tomllib.load(handle)["disclosure"]
    return {
        family: (rules.get("policy", "confidential"), rules.get("min_n_count", 3),
                 rules.get("min_n_statistic", 5))
        for family, rules in disclosure.get("families", {}).items()
    }  # fmt: skip


def nesting(attack, rel, nests: dict) -> None:
    for (ind, period, b), keys in list(rel.groups.items()):
        if ind not in attack.reg or b not in nests:
            continue
        parent, belongs = nests[b]
        if (ind, parent) not in rel.tables or any(k[3] not in belongs for k in keys):
            continue
        by_owner = defaultdict(list)
        for key in keys:
            by_owner[belongs[key[3]]].append(key)
        owners = set(by_owner) | {k[3] for k in rel.groups.get((ind, period, parent), [])}
        for owner in sorted(owners):
            for to_var in attack.series(ind):
                terms = [(to_var(k), 1) for k in by_owner.get(owner, [])]
                attack.s.add("nesting", [*terms, (to_var((ind, period, parent, owner)), -1)])


def floors(attack, rel, rules: dict) -> None:
    for key, row in rel.rows.items():
        entry = attack.reg.get(key[0])
        count = (entry or {}).get("links", {}).get("count")
        if not count or entry["unit"] == "count" or row["suppressed"] == "true":
            continue
        policy, least_sum, least_statistic = rules.get(entry["family"], ("confidential", 3, 5))
        if policy == "exempt" or (policy == "public_record" and key[2] == "total"):
            continue
        least = least_sum if entry["unit"] == "usd" else least_statistic
        unknown = attack.raw((count, *key[1:]))
        if attack.s.lo[unknown] >= 1:  # a hidden count: 0 is ruled out, so >= least
            attack.s.narrow(unknown, least, INF, frozenset({"floor"}))
