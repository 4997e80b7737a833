"""Outcomes and thresholds: what figures over one population, read together, tell the public.

**Outcome atoms.** Each rate declares the outcomes of its numerator and denominator
(``links``). Rates over the same population whose lists share an outcome describe one
*dimension* (a license decision: approved, approved with conditions, denied, returned
without action, withdrawn), and the public can combine them: for one destination, final
actions - (approvals + denials, the approval rate's n) - returns (the return rate's
numerator) = withdrawals. So per population count and cell the audit adds one quantity per
*atom*, a set of outcomes that every list holds whole or not at all (the finest split the
lists allow), at least 0 and published in no cell, with

- a rate's numerator = the sum of its numerator's atoms, its complement = the sum of the
  other atoms of its denominator;
- the population count = the sum of every atom, plus a rest (at least 0) unless a rate
  over the whole population (``links.count``) lists every outcome of the dimension;
- for a sum whose n counts the records of some outcomes only (``links.within``: the
  approved value's n, approvals with a value), n + the unrecorded (at least 0) = the sum of
  those atoms; with ``links.complete`` (the decided-only median's n, every approval and
  denial), n = the sum of those atoms.

A dimension of a single rate and no ``within`` adds nothing to the rate's own tallies and
is left out. A pinned atom is a count of records: ``knowledge.leaks`` calls it a leak when
it is small.

**Thresholds.** A median or p90 of whole days, published with its n, bounds how many of
its records are at or under a day count (linear interpolation between order statistics:
n = 14, p90 = 62.2 puts the 12th and 13th values around 62, so at least 12 of 14 took at
most 62 days); read beside a published target, that is the numerator of the within-target
share of the same cell (``links.reveals``). The audit takes the worst case: where the
statistic is published, the share's numerator and complement are as good as published
(a *shown* copy of each, published by the statistic's cell, equal to the tally).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from arms_metrics.cells import TOTAL
from arms_metrics.config import Config, Indicator
from arms_metrics.disclosure.links import COMPLEMENT, LATENT, NUMERATOR, Key, N

ATOMS, UNRECORDED, SHOWN = "#outcomes:", "#unrecorded", "#shown:"


@dataclass(frozen=True)
class Dimension:
    """The rates (and ``within`` sums) over one population that share outcomes."""

    population: str
    rates: tuple[Indicator, ...]
    within: tuple[Indicator, ...]
    atoms: tuple[tuple[str, ...], ...]  # each a sorted set of outcomes, in sorted order
    covered: bool  # the atoms add up to the population (no rest)
    breakdowns: tuple[str, ...]  # published by every member: where the identities hold

    def atoms_of(self, outcomes: list[str]) -> list[int]:
        return [j for j, atom in enumerate(self.atoms) if set(atom) <= set(outcomes)]


def dimensions(config: Config, present: dict[str, set] | None = None) -> list[Dimension]:
    """The dimensions of the registry with more than one member (sorted by population);
    with ``present`` (quantity id -> cell keys), of the members a release publishes."""
    registry = config.registry
    counts = {i.id for i in registry.indicators if i.unit == "count"}
    if present is not None:
        counts &= set(present)
    groups: dict[str, list[Indicator]] = defaultdict(list)
    for indicator in registry.indicators:
        quantity = indicator.id + (NUMERATOR if indicator.unit == "percent" else N)
        if present is not None and quantity not in present:
            continue
        if indicator.population in counts and _outcome_lists(indicator):
            groups[indicator.population].append(indicator)
    out = []
    for population, members in sorted(groups.items()):
        count = registry.get(population)
        for part in _connected(members):
            for subset, breakdowns in _by_breakdown(count, part):
                rates = tuple(i for i in subset if i.unit == "percent")
                within = tuple(i for i in subset if i.unit != "percent")
                if len(rates) + len(within) > 1 and rates:
                    out.append(_dimension(count, rates, within, breakdowns))
    return out


def _by_breakdown(count: Indicator, part: list[Indicator]) -> list[tuple[list, tuple]]:
    """The members published by each breakdown of the count (every member by the total),
    breakdowns with the same members together: the identities of a cell hold among the
    figures published for it (outcome shares not published by destination leave the
    approval and return rates' own atoms there)."""
    grouped: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for breakdown in (TOTAL, *count.breakdowns):
        members = tuple(m.id for m in part if breakdown == TOTAL or breakdown in m.breakdowns)
        grouped[members].append(breakdown)
    return [([m for m in part if m.id in ids], tuple(b)) for ids, b in grouped.items()]


def _outcome_lists(indicator: Indicator) -> list[list[str]]:
    """A rate's numerator and denominator (when the numerator's outcomes are among the
    denominator's), or a sum's ``within``."""
    links = indicator.links
    if "within" in links:
        return [list(links["within"])]
    top, bottom = links.get("numerator"), links.get("denominator")
    if indicator.unit == "percent" and top and bottom and set(top) <= set(bottom):
        return [list(top), list(bottom)]
    return []


def _connected(members: list[Indicator]) -> list[list[Indicator]]:
    """Members grouped by shared outcomes (transitively), in registry order."""
    parts: list[tuple[set[str], list[Indicator]]] = []
    for member in members:
        outcomes = {o for lst in _outcome_lists(member) for o in lst}
        joined = [p for p in parts if p[0] & outcomes]
        merged = (outcomes.union(*(p[0] for p in joined)), [m for p in joined for m in p[1]])
        merged[1].append(member)
        parts = [p for p in parts if not any(p is q for q in joined)] + [merged]
    return [sorted(p[1], key=members.index) for p in parts]


def _dimension(count: Indicator, rates: tuple, within: tuple, breakdowns: tuple) -> Dimension:
    lists = [lst for member in (*rates, *within) for lst in _outcome_lists(member)]
    outcomes = sorted({o for lst in lists for o in lst})
    signature: dict[tuple[bool, ...], list[str]] = defaultdict(list)
    for outcome in outcomes:
        signature[tuple(outcome in lst for lst in lists)].append(outcome)
    atoms = tuple(sorted(tuple(sorted(a)) for a in signature.values()))
    covered = any(
        r.links.get("count") == count.id and set(r.links["denominator"]) == set(outcomes)
        for r in rates
    )
    return Dimension(count.id, rates, within, atoms, covered, breakdowns)


def add_outcomes(system, config: Config, present: dict[str, set]) -> None:
    """The atoms, rests and unrecorded of every dimension, with their identities, in
    ``system`` (a ``knowledge.Knowledge``; ``present``: quantity id -> its cell keys)."""
    for dim in dimensions(config, present):
        ids = [dim.population, *(r.id + s for r in dim.rates for s in (NUMERATOR, COMPLEMENT))]
        counted = present[dim.population]  # a rate's cell without its count: nothing to add
        wheres = sorted({w for i in ids for w in present.get(i, ()) if w[1] in dim.breakdowns})
        wheres = [w for w in wheres if w in counted]
        if not wheres:
            continue
        matrix, names = _matrix(dim)
        truth = np.array([[system.level((i, *w)) for i in ids] for w in wheres], dtype=float)
        solved = _solve(matrix, truth.T)
        for where, column in zip(wheres, solved.T, strict=True):
            _add_cell(system, dim, where, names, column)


def _matrix(dim: Dimension) -> tuple[np.ndarray, list[str]]:
    """Rows: the population, then each rate's numerator and complement; columns: the
    atoms, then the rest when the atoms do not cover the population."""
    names = [dim.population + ATOMS + "+".join(atom) for atom in dim.atoms]
    if not dim.covered:
        names.append(dim.population + "#rest:outcomes")
    rows = [np.ones(len(names))]
    for rate in dim.rates:
        for chosen in _tallies(dim, rate):
            rows.append(np.isin(np.arange(len(names)), chosen).astype(float))
    return np.array(rows), names


def _solve(matrix: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Non-negative integer values of the atoms that reproduce the true tallies, one
    column per cell: least squares, rounded and checked; a cell it does not fit (atoms the
    tallies do not fix) gets any non-negative integer solution (a MILP), which is all the audit
    needs: a pinned atom has the same value in every solution."""
    found = np.rint(np.linalg.lstsq(matrix, truth, rcond=None)[0])
    bad = np.flatnonzero(
        (np.abs(matrix @ found - truth) > 1e-9).any(axis=0) | (found < 0).any(axis=0)
    )
    for j in bad:
        res = linprog(np.zeros(matrix.shape[1]), A_eq=matrix, b_eq=truth[:, j],
                      integrality=np.ones(matrix.shape[1]), method="highs")  # fmt: skip
        if res.status != 0:
            raise RuntimeError("the rates' tallies contradict their declared outcomes")
        found[:, j] = res.x
    return found


def _add_cell(system, dim: Dimension, where: tuple, names: list[str], values) -> None:
    """The identities of one cell. An atom that is a rate's whole numerator or complement
    is that tally (no new quantity: the LP stays small); the others are new, at least 0."""
    aliases = _aliases(dim)
    atoms = [aliases.get(j, name) for j, name in enumerate(names)]
    keys = [(name, *where) for name in atoms]
    for j, (key, value) in enumerate(zip(keys, values, strict=True)):
        if j not in aliases:
            system.quantities[key] = (_number(value), 0, LATENT)
    system.add_equation([((dim.population, *where), 1), *((k, -1) for k in keys)])
    for rate in dim.rates:
        for suffix, chosen in zip((NUMERATOR, COMPLEMENT), _tallies(dim, rate), strict=True):
            tally = (rate.id + suffix, *where)
            if [keys[j] for j in chosen] != [tally]:
                system.add_equation([(tally, 1), *((keys[j], -1) for j in chosen)])
    for part in dim.within:
        n, unrecorded = (part.id + N, *where), (part.id + UNRECORDED, *where)
        chosen = dim.atoms_of(part.links["within"])
        atoms = [(keys[j], -1) for j in chosen]
        if part.links.get("complete"):  # every record of those outcomes: n is their sum
            system.add_equation([(n, 1), *atoms])
            continue
        total = sum(system.level(keys[j]) for j in chosen)
        system.quantities[unrecorded] = (total - system.level(n), 0, LATENT)
        system.add_equation([(n, 1), (unrecorded, 1), *atoms])


def _tallies(dim: Dimension, rate: Indicator) -> tuple[list[int], list[int]]:
    """The atoms of a rate's numerator and of its complement."""
    top = dim.atoms_of(rate.links["numerator"])
    return top, [j for j in dim.atoms_of(rate.links["denominator"]) if j not in top]


def _aliases(dim: Dimension) -> dict[int, str]:
    """Atom -> the tally that is exactly that atom (the first rate's, in registry order)."""
    out: dict[int, str] = {}
    for rate in dim.rates:
        for suffix, chosen in zip((NUMERATOR, COMPLEMENT), _tallies(dim, rate), strict=True):
            if len(chosen) == 1:
                out.setdefault(chosen[0], rate.id + suffix)
    return out


def add_shown(system, config: Config, rows: list[tuple[str, tuple, int, bool]]) -> None:
    """The tallies each published statistic shows (``links.reveals``): ``rows`` are the
    (statistic id, cell key, cell row, published before) of the statistics' cells."""
    reveals = {i.id: i.links.get("reveals") for i in config.registry.indicators}
    for statistic, where, row, before in rows:
        for suffix in (NUMERATOR, COMPLEMENT):
            tally = (reveals[statistic] + suffix, *where)
            if tally not in system.quantities:
                continue
            shown: Key = (statistic + SHOWN + tally[0], *where)
            system.quantities[shown] = (system.quantities[tally][0], 0, row)
            if before:
                system.locked.add(shown)
            system.add_equation([(shown, 1), (tally, -1)])


def _number(value: float) -> int:
    return int(round(float(value)))
