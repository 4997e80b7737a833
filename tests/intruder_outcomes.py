"""Two more of the intruder's links (``tests/intruder.py``), kept apart for size.

- ``outcomes``: rates over one population whose registry outcome lists overlap are read
  together. The outcomes split into *atoms* (outcomes that every list holds together);
  each list is a sum of atoms, every atom is >= 0, and the population count is their sum
  (when a rate counted by it lists them all). Atoms that are exactly a rate's numerator or
  complement are that tally; any other (withdrawals: final actions - approval-rate n -
  returns) is an unknown of its own, ``small`` when pinned at 1 or 2. A sum whose ``within``
  names outcomes has n <= the sum of those atoms (approvals with a value <= approvals), or
  n = that sum with ``complete`` (the decided-only median counts every decision).
- ``threshold``: a published median or p90 of whole days with its n bounds how many of its
  records took at most T days (linear interpolation between order statistics: for p90 with
  n = 14 at 62.2, the 12th and 13th values straddle 62.2). Read beside the within-target
  share the statistic ``reveals`` and that share's targets (``[targets.*]`` of
  pipeline.toml): a cell whose records share one target (its breakdown is the target
  table's) gets both bounds on the share's numerator; any other cell the lower bound at the
  smallest target and the upper bound at the largest. A statistic of longer durations over
  part of the records (the LOR-to-offer median) gives the lower bound only.

Written from the definitions only, like ``intruder.py``: it imports nothing from the program.
"""

from __future__ import annotations

import math
from collections import defaultdict
from fractions import Fraction

# the share -> (the breakdown whose values name its targets, its table in [targets])
TARGET_TABLES = {
    "lic_decided_within_target_pct": ("agency", "license"),
    "fms_loas_offered_within_target_pct": ("development_group", "development_group"),
}
QUANTILE = {"median": Fraction(1, 2), "p90": Fraction(9, 10)}
# The population column holding the durations a within-target share times. A statistic of
# another duration over part of its records, never shorter (LOR receipt to offer: an LOR is
# received before it is complete), says only that at least so many took at most T days.
SHARE_DURATIONS = {"duration_days"}


def at_most(value: Fraction, n: int, q: Fraction, target: int) -> tuple[int, int]:
    """(least, most) records of ``n`` that took at most ``target`` days, given their
    ``q``-quantile ``value`` (whole days, linear interpolation: position h = q (n - 1),
    value = x[lo] + f (x[lo+1] - x[lo]), lo = floor(h), f = h - lo, x sorted from x[0])."""
    h = q * (n - 1)
    lo = math.floor(h)
    f = h - lo
    if f == 0:
        return (lo + 1, n) if value <= target else (0, lo)
    cases = set()
    gap = 0
    while value - f * gap >= 0:  # every pair of whole days x[lo] <= x[lo+1] giving value
        below = value - f * gap
        if below.denominator == 1:
            above = below + gap
            if above <= target:
                cases.add((lo + 2, n))  # x[lo+1] and all before it
            elif below <= target:
                cases.add((lo + 1, lo + 1))
            else:
                cases.add((0, lo))
        gap += 1
        if gap > 100_000:
            break
    return min(c[0] for c in cases), max(c[1] for c in cases)


def outcome_members(registry: dict) -> dict[str, list[str]]:
    """Per population count: its rates (numerator within denominator) and ``within`` sums."""
    members: dict[str, list[str]] = defaultdict(list)
    for ind, entry in registry.items():
        links, population = entry.get("links", {}), entry.get("population")
        if registry.get(population, {}).get("unit") != "count":
            continue
        rate = entry["unit"] == "percent" and set(links.get("numerator", ["?"])) <= set(
            links.get("denominator", [])
        )
        if rate or "within" in links:
            members[population].append(ind)
    return dict(sorted(members.items()))


def cell_dimension(registry: dict, population: str, everyone: list[str], breakdown: str):
    """The members published by ``breakdown`` (all by the total; an entry without
    ``breakdowns`` by every one) as atoms, or None when fewer than two are."""
    ids = [i for i in everyone
           if breakdown in ("total", *registry[i].get("breakdowns", [breakdown]))]  # fmt: skip
    return _dimension(registry, population, ids) if len(ids) > 1 else None


def _dimension(registry: dict, population: str, ids: list[str]) -> dict:
    """One group of members over ``population``: their atoms (outcomes every list holds
    together) and whether a rate over the whole population lists them all."""
    lists = {i: _lists(registry[i]) for i in ids}
    outcomes = sorted({o for ls in lists.values() for lst in ls for o in lst})
    flat = [lst for ls in lists.values() for lst in ls]
    atoms: dict[tuple, list[str]] = defaultdict(list)
    for o in outcomes:
        atoms[tuple(o in lst for lst in flat)].append(o)
    covered = any(
        registry[i]["links"].get("count") == population
        and set(registry[i]["links"].get("denominator", ())) == set(outcomes)
        for i in ids
    )
    return {"population": population, "ids": ids, "lists": lists,
            "atoms": sorted(atoms.values()), "covered": covered}  # fmt: skip


def _lists(entry: dict) -> list[list[str]]:
    links = entry["links"]
    if "within" in links:
        return [list(links["within"])]
    top = list(links["numerator"])
    return [top, [o for o in links["denominator"] if o not in top]]  # numerator, complement


def outcomes(attack, rel) -> None:
    """The ``outcomes`` link over one release (``attack``: an ``intruder._Attack``): a cell's
    identities hold among the members its breakdown publishes."""
    for population, everyone in outcome_members(attack.reg).items():
        dims: dict[str, dict | None] = {}
        for key in [k for k in rel.rows if k[0] == population]:
            if key[2] not in dims:
                dims[key[2]] = cell_dimension(attack.reg, population, everyone, key[2])
            if dims[key[2]] is not None:
                _cell_outcomes(attack, dims[key[2]], key)


def _cell_outcomes(attack, dim: dict, key) -> None:
    where = key[1:]
    atom_var = {}
    for ind in dim["ids"]:
        entry = attack.reg[ind]
        if entry["unit"] != "percent":
            continue
        attack.cell((ind, *where))  # a rate absent from the release is a known 0
        _, num, comp = attack.rate_vars((ind, *where))
        for var, lst in zip((num, comp), dim["lists"][ind], strict=True):
            atoms = [a for a in dim["atoms"] if set(a) <= set(lst)]
            if len(atoms) == 1:
                atom_var.setdefault(tuple(atoms[0]), var)
    for atom in dim["atoms"]:
        if tuple(atom) not in atom_var:
            name = (dim["population"] + "#outcome:" + "+".join(atom), *where)
            atom_var[tuple(atom)] = attack.s.var(name)
            attack.outcomes[name] = (key, atom_var[tuple(atom)])
    terms = [(attack.raw(key), 1)] + [(v, -1) for v in atom_var.values()]
    if not dim["covered"]:
        terms.append((attack.s.var((dim["population"] + "#other", *where)), -1))
    attack.s.add("outcomes", terms)
    for ind in dim["ids"]:
        _member(attack, dim, ind, where, atom_var)


def _member(attack, dim: dict, ind: str, where: tuple, atom_var: dict) -> None:
    entry = attack.reg[ind]
    sums = []
    for lst in dim["lists"][ind]:
        sums.append([atom_var[tuple(a)] for a in dim["atoms"] if set(a) <= set(lst)])
    if entry["unit"] == "percent":
        _, num, comp = attack.rate_vars((ind, *where))
        for var, atoms in zip((num, comp), sums, strict=True):
            if atoms != [var]:
                attack.s.add("outcomes", [(var, 1)] + [(a, -1) for a in atoms])
        return
    state, row, _ = attack.observe((ind, *where))
    if state == "published" and row["n"] != "":
        n = attack.s.var((ind + "#n", *where), int(row["n"]), int(row["n"]))
        terms = [(n, 1)] + [(a, -1) for a in sums[0]]
        if not entry.get("links", {}).get("complete"):  # some records may lack the value
            terms.append((attack.s.var((ind + "#unrecorded", *where)), 1))
        attack.s.add("outcomes", terms)


def thresholds(attack, rel, targets: dict[str, dict[str, int]]) -> None:
    """The ``threshold`` link over one release's published medians and p90s."""
    for key, row in rel.rows.items():
        entry = attack.reg.get(key[0])
        share = entry and entry.get("links", {}).get("reveals")
        if not share or row["suppressed"] == "true" or row["n"] in ("", "0"):
            continue
        breakdown, table = TARGET_TABLES[share]
        days = targets.get(table, {})
        if not days or row["value"] == "":
            continue
        own = days.get(key[3]) if key[2] == breakdown else None
        low_t, high_t = (own, own) if own is not None else (min(days.values()), max(days.values()))
        q, n, value = QUANTILE[entry["measure"]], int(row["n"]), Fraction(row["value"])
        attack.cell((share, *key[1:]))
        _, num, _ = attack.rate_vars((share, *key[1:]))
        least, most = at_most(value, n, q, low_t)[0], at_most(value, n, q, high_t)[1]
        if entry.get("column", "duration_days") not in SHARE_DURATIONS:
            most = math.inf  # longer durations of part of the records: a lower bound only
        attack.s.narrow(num, least, most, frozenset({"threshold"}))  # before ``solve``
