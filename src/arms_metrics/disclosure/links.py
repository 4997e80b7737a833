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

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_array
from scipy.sparse.linalg import lsqr

Key = tuple[str, str, str, str]  # (quantity id, period, breakdown, breakdown value)
EPS = 1e-7
CAP = 0.01  # the most slack one candidate counts for in an LP round (see _slack)


@dataclass
class Index:
    """The identities as sparse matrices over every quantity they name (built once)."""

    keys: list[Key]
    a: csr_array  # coefficients, one row per identity
    a_pos: csr_array  # the positive coefficients
    a_neg: csr_array  # minus the negative coefficients
    touching: dict[Key, list[int]]  # quantity -> the identities it appears in


def index(equations: list[list[tuple[Key, int]]]) -> Index:
    keys = sorted({key for equation in equations for key, _ in equation})
    pos = {key: i for i, key in enumerate(keys)}
    rows, cols, vals = [], [], []
    touching: dict[Key, list[int]] = defaultdict(list)
    for r, equation in enumerate(equations):
        for key, coeff in equation:
            rows.append(r)
            cols.append(pos[key])
            vals.append(float(coeff))
            touching[key].append(r)
    a = csr_array((vals, (rows, cols)), shape=(len(equations), len(keys)))
    a.sum_duplicates()
    return Index(keys, a, a.maximum(0).tocsr(), (-a).maximum(0).tocsr(), dict(touching))


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


def _split(system: System, equation: list[tuple[Key, int]], fixed: dict[Key, int]):
    """(unknown terms, constant) of one identity given the known and fixed quantities."""
    unknowns, constant = [], 0
    for key, coeff in equation:
        if key in system.hidden and key not in fixed:
            unknowns.append((key, coeff))
        else:
            constant += coeff * fixed.get(key, system.value(key))
    return unknowns, constant


def _propagate(system: System) -> dict[Key, int]:
    """Closed form to a fixed point, on the sparse identities: an identity whose unknowns
    are all forced (one unknown, or unknowns of one sign whose lower bounds already use up
    the constant) fixes them; repeat until nothing new is fixed."""
    ix = system.index()
    if system.arrays is not None:
        unknown, value, lower = (array.copy() for array in system.arrays)
    else:
        unknown = np.array([key in system.hidden for key in ix.keys])
        value = np.array([float(system.truth.get(k, system.known.get(k, 0))) for k in ix.keys])
        lower = np.array([float(system.hidden.get(key, 0)) for key in ix.keys])
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
    return {ix.keys[j]: system.truth[ix.keys[j]] for j in np.flatnonzero(start & ~unknown)}


def _components(system: System, fixed: dict[Key, int]) -> list[tuple[list[Key], list[list]]]:
    """Connected sets of the remaining unknowns with the identities that touch them."""
    parent: dict[Key, Key] = {}

    def find(key: Key) -> Key:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    live = []
    for equation in system.equations:
        unknowns, constant = _split(system, equation, fixed)
        if unknowns:
            live.append((unknowns, constant))
            for key, _ in unknowns[1:]:
                parent[find(key)] = find(unknowns[0][0])
    groups: dict[Key, tuple[list[Key], list]] = {}
    for unknowns, constant in live:
        root = find(unknowns[0][0])
        groups.setdefault(root, (set(), []))[1].append((unknowns, constant))
        groups[root][0].update(k for k, _ in unknowns)
    return [(sorted(keys), eqs) for keys, eqs in groups.values()]


def _matrix(keys: list[Key], equations: list) -> tuple[csr_array, np.ndarray]:
    index = {key: i for i, key in enumerate(keys)}
    rows, cols, vals, rhs = [], [], [], []
    for r, (unknowns, constant) in enumerate(equations):
        for key, coeff in unknowns:
            rows.append(r)
            cols.append(index[key])
            vals.append(float(coeff))
        rhs.append(-float(constant))
    shape = (len(equations), len(keys))
    return csr_array((vals, (rows, cols)), shape=shape), np.array(rhs)


def _stuck(system: System, parts: list[tuple[list[Key], list]]) -> set[Key]:
    """The unknowns of ``parts`` forced to their lower bound in every solution.

    The true values are a solution, so only an unknown whose true value is its bound can be
    forced. An LP (HiGHS) over the parts with such candidates maximises their capped slacks;
    a candidate given slack is free. When the best total slack is 0, no remaining candidate
    can leave its bound (one that could would make the total positive).
    """
    candidates = {k for part, _ in parts for k in part if system.truth[k] - system.hidden[k] < EPS}
    while candidates:
        busy = [(part, eqs) for part, eqs in parts if any(k in candidates for k in part)]
        keys = [key for part, _ in busy for key in part]
        a, b = _matrix(keys, [eq for _, eqs in busy for eq in eqs])
        lower = np.array([float(system.hidden[k]) for k in keys])
        tight = np.array([i for i, key in enumerate(keys) if key in candidates])
        free = {keys[i] for i, s in zip(tight, _slack(a, b, lower, tight), strict=True) if s > EPS}
        if not free:
            break
        candidates -= free
    return candidates


def _slack(a: csr_array, b: np.ndarray, lower: np.ndarray, tight: np.ndarray) -> np.ndarray:
    """max sum(s) with s_i <= x_tight(i) - lower, 0 <= s <= CAP, subject to a x = b, x >= lower.
    A small cap lets one solution give slack to many candidates that share their room."""
    m, n, k = *a.shape, tight.size
    pick = csr_array((np.ones(k), (np.arange(k), tight)), shape=(k, n))
    a_eq = _hstack(a, csr_array((m, k)))
    a_ub = _hstack(-pick, _sparse_eye(k))
    cost = np.concatenate([np.zeros(n), -np.ones(k)])
    bounds = [(lo, None) for lo in lower] + [(0, CAP)] * k
    result = linprog(cost, A_ub=a_ub, b_ub=-lower[tight], A_eq=a_eq, b_eq=b, bounds=bounds,
                     method="highs")  # fmt: skip
    if result.status != 0:
        raise ValueError(f"the published identities have no solution (status {result.status})")
    return result.x[n:]


def _sparse_eye(n: int) -> csr_array:
    return csr_array((np.ones(n), (np.arange(n), np.arange(n))), shape=(n, n))


def _hstack(left: csr_array, right: csr_array) -> csr_array:
    from scipy.sparse import hstack

    return csr_array(hstack([left, right], format="csr"))


def _fixed_by_identities(a: csr_array, seed: int) -> np.ndarray:
    """Unknowns every null-space vector leaves at zero: the identities alone fix them
    (random vectors projected onto the null space with lsqr)."""
    n = a.shape[1]
    rng = np.random.default_rng(seed)
    free = np.zeros(n, dtype=bool)
    for _ in range(2):
        r = rng.standard_normal(n)
        y = lsqr(a.T, r, atol=1e-13, btol=1e-13, iter_lim=20 * n + 100)[0]
        d = r - a.T @ y
        free |= np.abs(d) > 1e-6 * np.linalg.norm(r)
    return ~free


def _solve(system: System, parts: list[tuple[list[Key], list]]) -> list[Key]:
    """The unknowns of ``parts`` (connected sets with their identities) that are pinned: LPs
    find those forced to a bound; once those are fixed, the identities may fix more (per
    part: they are independent)."""
    stuck = _stuck(system, parts)
    found = sorted(stuck)
    for number, (part, equations) in enumerate(parts):
        free = [key for key in part if key not in stuck]
        if free:
            fixed = {key: system.truth[key] for key in part if key in stuck}
            live = [(u, c) for u, c in (_split_fixed(eq, c, fixed) for eq, c in equations) if u]
            if len(live) == 1 and len(live[0][0]) > 1:
                continue  # one identity over several unknowns fixes none of them
            a, _ = _matrix(free, live)
            found += [k for k, f in zip(free, _fixed_by_identities(a, number), strict=True) if f]
    return found


def _split_fixed(unknowns: list[tuple[Key, int]], constant: int, fixed: dict[Key, int]):
    """One identity's unknowns and constant once the ``fixed`` unknowns take their values."""
    rest = [(key, coeff) for key, coeff in unknowns if key not in fixed]
    return rest, constant + sum(coeff * fixed[key] for key, coeff in unknowns if key in fixed)


def pinned(system: System, solve: bool = True) -> list[Key]:
    """Every hidden quantity the public can work out exactly and that is not zero (a zero
    tells nothing about any record: zero cells are published anyway), sorted by key.
    ``solve`` False stops after the closed-form pass."""
    fixed = _propagate(system)
    found = set(fixed)
    if solve:
        parts = _components(system, fixed)
        if parts:
            found.update(_solve(system, parts))
    return sorted(key for key in found if system.truth[key] != 0)
