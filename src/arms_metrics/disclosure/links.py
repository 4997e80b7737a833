"""The intruder's audit across linked tables: which hidden counts can the public pin down?

The public knows every definition, so it can combine published figures of different
indicators, quarters and releases. Every count the release publishes or hides is a
*quantity*; the public knows these linear identities between them (docs/disclosure.md):

- additivity: in one (indicator, quarter) each breakdown table adds up to the total, and the
  purchasers of a region add up to the region;
- stock-flow: ``stock(t) = stock(t-1) + inflow(t) - outflow(t)`` for every breakdown value,
  for a stock whose registry ``links`` name both flows;
- rates: a published percent with its population pins its numerator and complement, so each
  rate contributes two *tally* quantities (``<id>#numerator``, ``<id>#complement``), additive
  like counts, and ``numerator + complement = count`` where ``links.count`` names the
  indicator counting its population;
- absence: a breakdown row is published only where it rests on a record, so an absent row is
  a known zero.

Known quantities are the published cells and the cells published unchanged in an earlier
release. A hidden count is at least 1 (zero cells are always published), a hidden tally at
least 0. A hidden quantity is *pinned* when every solution of the identities gives it the
same value. ``pinned`` finds them in two passes: closed-form propagation (an identity with
one unknown, or whose unknowns' bounds meet) to a fixed point, then, per connected set of
the remaining unknowns, linear programming with HiGHS: one LP finds whether any unknown is
forced to its bound, and a random vector of the identities' null space shows which unknowns
the identities themselves fix. Proofs are over the reals (the LP relaxation); every identity
has coefficients +1/-1 and integer constants.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_array

from arms_metrics.disclosure import solver, upper
from arms_metrics.disclosure.solver import EPS, Terms

Key = tuple[str, str, str, str]  # (quantity id, period, breakdown, breakdown value)
# quantity id suffixes: a rate's tallies, a statistic's n, a population's unpublished rest
NUMERATOR, COMPLEMENT, N, REST = "#numerator", "#complement", "#n", "#rest"
LATENT = -2  # the cell row of a quantity no cell publishes: always unknown to the public


@dataclass
class Index:
    """The identities as sparse matrices over every quantity they name (built once)."""

    keys: list[Key]
    a: csr_array  # coefficients, one row per identity
    a_pos: csr_array  # the positive coefficients
    a_neg: csr_array  # minus the negative coefficients
    touching: dict[Key, list[int]]  # quantity -> the identities it appears in
    terms: Terms  # every term of every identity, in order (``solver``)

    def position(self, key: Key) -> int | None:
        """The column of ``key`` (None: no identity names it)."""
        j = bisect_left(self.keys, key)
        return j if j < len(self.keys) and self.keys[j] == key else None


def index(equations: list[list[tuple[Key, int]]]) -> Index:
    """The identities' terms as arrays and sparse matrices over the sorted quantities."""
    named = [key for equation in equations for key, _ in equation]
    keys = sorted(set(named))
    pos = {key: i for i, key in enumerate(keys)}
    cols = np.fromiter((pos[key] for key in named), dtype=np.int64, count=len(named))
    rows = np.repeat(np.arange(len(equations), dtype=np.int64), [len(eq) for eq in equations])
    vals = np.fromiter((c for equation in equations for _, c in equation), dtype=float,
                       count=len(named))  # fmt: skip
    shape = (len(equations), len(keys))
    terms = Terms(rows, cols, vals, *shape)
    a = csr_array((vals, (rows, cols)), shape=shape)
    a.sum_duplicates()
    return Index(keys, a, a.maximum(0).tocsr(), (-a).maximum(0).tocsr(), _touching(terms, keys),
                 terms)  # fmt: skip


def _touching(terms: Terms, keys: list[Key]) -> dict[Key, list[int]]:
    """Quantity -> the identities it appears in (once per term, in order)."""
    if not keys:
        return {}
    order = np.argsort(terms.col, kind="stable")
    cuts = np.searchsorted(terms.col[order], np.arange(len(keys) + 1)).tolist()
    eqs = terms.eq[order].tolist()
    return {key: eqs[cuts[j] : cuts[j + 1]] for j, key in enumerate(keys)}


@dataclass
class System:
    """The public's knowledge: known values, hidden quantities with lower bounds, identities.

    ``truth`` holds the true value of every hidden quantity (the audit knows them; the
    public does not) so a pinned quantity can be reported and propagation can continue.
    """

    known: dict[Key, int] = field(default_factory=dict)
    hidden: dict[Key, int] = field(default_factory=dict)  # key -> lower bound
    truth: dict[Key, int] = field(default_factory=dict)
    equations: list[list[tuple[Key, int]]] = field(default_factory=list)  # sum(c * q) = 0
    locked: set[Key] = field(default_factory=set)  # published unchanged in an earlier release
    cached: Index | None = None
    # (unknown mask, value, lower bound) over ``index().keys``, when the caller has them
    arrays: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    memo: dict | None = None  # ``solver.solve``'s, shared by systems with the same identities
    # what this system alone determines, computed once: ``_propagate``'s mask, the connected
    # sets of the unknowns it leaves (a system is never changed once its checks start)
    derived: dict = field(default_factory=dict)

    def index(self) -> Index:
        if self.cached is None:
            self.cached = index(self.equations)
        return self.cached

    def add_equation(self, terms: Iterable[tuple[Key, int]]) -> None:
        merged: dict[Key, int] = defaultdict(int)
        for key, coeff in terms:
            merged[key] += coeff
        terms = [(k, c) for k, c in merged.items() if c]
        if any(k in self.hidden for k, _ in terms):
            self.equations.append(terms)

    def value(self, key: Key) -> int:
        """Known value of a quantity; an absent row is a known zero."""
        return self.known.get(key, 0)


def _arrays(system: System) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unknown mask, value, lower bound) over ``index().keys``: a hidden quantity's value is
    its true value, a known one's its known value, an absent row's 0."""
    if system.arrays is not None:
        return system.arrays
    keys = system.index().keys
    unknown = np.array([key in system.hidden for key in keys], dtype=bool)
    value = np.array([float(system.truth.get(k, system.known.get(k, 0))) for k in keys])
    lower = np.array([float(system.hidden.get(key, 0)) for key in keys])
    return unknown, value, lower


def _propagate(system: System) -> np.ndarray:
    """Closed form to a fixed point, on the sparse identities: an identity whose unknowns
    are all forced (one unknown, or unknowns of one sign whose lower bounds already use up
    the constant) fixes them; repeat until nothing new is fixed. Returns the mask of the
    quantities it fixed (computed once per system)."""
    if "propagated" not in system.derived:
        mask = _fixed_point(system)
        mask.setflags(write=False)  # shared by every caller: never changed in place
        system.derived["propagated"] = mask
    return system.derived["propagated"]


def _open_parts(system: System) -> solver.Parts:
    """The connected sets of the hidden quantities ``_propagate`` leaves unknown (computed
    once per system)."""
    if "parts" not in system.derived:
        ix = system.index()
        unknown, value, _ = _arrays(system)
        open_ = unknown & ~_propagate(system)
        system.derived["parts"] = solver.components(ix.terms, open_, value)
    return system.derived["parts"]


def _fixed_point(system: System) -> np.ndarray:
    ix = system.index()
    unknown, value, lower = (array.copy() for array in _arrays(system))
    start = unknown.copy()
    while True:
        mask = unknown.astype(float)
        constant = ix.a @ np.where(unknown, 0.0, value)
        pos, neg = ix.a_pos @ mask, ix.a_neg @ mask
        room_pos = -constant - ix.a_pos @ (lower * mask)
        room_neg = constant - ix.a_neg @ (lower * mask)
        forced = (pos + neg == 1) | ((neg == 0) & (pos > 0) & (np.abs(room_pos) < EPS))
        forced |= (pos == 0) & (neg > 0) & (np.abs(room_neg) < EPS)
        if not forced.any():
            break
        newly = unknown & ((ix.a_pos + ix.a_neg).T @ forced.astype(float) > 0)
        unknown &= ~newly
    return start & ~unknown


def pinned(system: System, solve: bool = True, thorough: bool = True,
           asked: Callable[[Key], bool] | None = None) -> list[Key]:  # fmt: skip
    """Every hidden quantity the public can work out exactly and that is not zero (a zero
    tells nothing about any record: zero cells are published anyway), sorted by key.
    ``solve`` False stops after the closed-form pass; ``thorough`` False also counts those
    no proof near them frees (``solver.solve``): more, never fewer. ``asked``: the
    quantities whose answer matters (default: all): the others may be listed or not."""
    ix = system.index()
    unknown, value, lower = _arrays(system)
    found = _propagate(system).copy()  # the system's own mask stays as computed
    if solve:
        parts = _open_parts(system)
        if parts.keys:
            wanted = None if asked is None else np.fromiter(map(asked, ix.keys), bool, len(ix.keys))
            found |= solver.solve(ix.terms, parts, value, lower, system.memo, thorough, wanted)
    return [ix.keys[j] for j in np.flatnonzero(found & (value != 0))]


def _ceilings(system: System, unknown: np.ndarray) -> np.ndarray:
    """Closed-form upper bounds of the ``unknown`` quantities (inf where none): an identity
    whose unknowns all have one sign caps each of them at its lower bound plus the
    identity's room (its constant less the other unknowns' lower bounds)."""
    ix = system.index()
    _, value, lower = _arrays(system)
    mask = unknown.astype(float)
    constant = ix.a @ np.where(unknown, 0.0, value)
    pos, neg = ix.a_pos @ mask, ix.a_neg @ mask
    room = np.full(constant.size, np.inf)
    one_sign = neg == 0
    room[one_sign] = (-constant - ix.a_pos @ (lower * mask))[one_sign]
    room[pos == 0] = (constant - ix.a_neg @ (lower * mask))[pos == 0]
    terms = ix.a.tocoo()
    open_ = unknown[terms.col]
    cols, rows, coeff = terms.col[open_], terms.row[open_], np.abs(terms.data[open_])
    ceiling = np.full(unknown.size, np.inf)
    np.minimum.at(ceiling, cols, lower[cols] + room[rows] / coeff)
    return ceiling


def short(system: System, target: dict[Key, int], solve: bool = True,
          thorough: bool = True) -> list[Key]:  # fmt: skip
    """The hidden quantities of ``target`` (key -> the least value the public must not be
    able to rule out, above the true value) that every solution keeps below it: a small
    count shown to be small, sorted by key. Closed form first (``_ceilings``); ``solve``:
    then LPs (``upper.short``, with ``thorough``) for the others."""
    if not target:  # no family asks for the level: nothing to bound
        return []
    ix = system.index()
    unknown, value, lower = _arrays(system)
    goal = np.zeros(unknown.size)
    for key, least in target.items():
        j = ix.position(key)
        if j is not None and unknown[j]:
            goal[j] = least
    unknown = unknown & ~_propagate(system)  # those it fixes are pinned: known at their value
    found = (goal > value + EPS) & (_ceilings(system, unknown) < goal - EPS)
    if solve and (goal > value + EPS).any():
        parts = _open_parts(system)
        rest = np.where(found, 0.0, goal)
        found |= upper.short(ix.terms, parts, value, lower, rest, thorough, system.memo)
    return [ix.keys[j] for j in np.flatnonzero(found)]


def binding(system: System, key: Key, wide: bool = False) -> set[Key]:
    """The published quantities of the identities that bind ``key`` from above: the
    identities with a nonzero dual value in the LP maximising ``key`` over the identities
    near it (``upper.binding``, HiGHS). Hiding one of them relaxes an identity that stops
    ``key`` from growing: the complement a small or pinned count needs when those beside it
    do not help (a pending total whose published regions bound a destination's final
    actions through its unpublished pending stock). ``wide``: over its whole connected set
    of unknowns (slower; the window may stop at quantities it holds fixed)."""
    ix = system.index()
    unknown, value, lower = _arrays(system)
    unknown = unknown & ~_propagate(system)
    j = ix.position(key)
    if j is None or not unknown[j]:
        return set()
    parts = _open_parts(system)
    eqs = upper.binding(ix.terms, parts, value, lower, j, None if wide else upper.HOPS[-1],
                       system.memo)  # fmt: skip
    return {k for e in eqs for k, _ in system.equations[e] if k in system.known}
