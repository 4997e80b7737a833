"""The second pass of ``links.pinned``, on arrays: connected sets of the unknowns, and
the proofs that an unknown is not pinned: LPs that move the unknowns forced to no bound,
and the null space that shows the unknowns the identities leave free (``solve``).

Everything here works on positions, not keys: quantity ``j`` is ``Index.keys[j]`` (sorted,
so ascending positions are sorted keys), identity ``r`` is ``System.equations[r]``, and the
identities' terms are the arrays ``eq``, ``col``, ``coeff`` in the order the identities list
them (``Terms``). Matrices are built in the same row, column and term order as a
key-by-key build would, so HiGHS and the LU see exactly the same problems.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_array, hstack
from scipy.sparse.csgraph import connected_components

from arms_metrics.disclosure.nullspace import fixed_by_identities
from arms_metrics.disclosure.proofs import Proofs

EPS = 1e-7
CAP = 0.01  # the most slack one candidate counts for in an LP round (see capped)
WIDER = (1, 2, 4, 8)  # the windows ``solve`` tries around its candidates (identity steps)
MANY = 10000  # candidates ``solve`` frees in one joint pass over their parts first
FREED = "solver.freed"  # the memo entry holding the proofs of freedom


@dataclass(frozen=True)
class Terms:
    """Every term of every identity: identity number, quantity position, coefficient."""

    eq: np.ndarray
    col: np.ndarray
    coeff: np.ndarray
    n_eqs: int
    n_keys: int


@dataclass
class Parts:
    """Connected sets of the unknowns: per part its quantities (ascending) and identities
    (in order), parts ordered by their first identity; ``constant`` is each identity's sum
    of known terms."""

    keys: list[np.ndarray]
    eqs: list[np.ndarray]
    unknown: np.ndarray
    constant: np.ndarray

    def holding(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(quantities, identities) of every part with a quantity in ``mask``, in order."""
        busy = [number for number, keys in enumerate(self.keys) if mask[keys].any()]
        return (np.concatenate([self.keys[number] for number in busy]),
                np.concatenate([self.eqs[number] for number in busy]))  # fmt: skip


def components(terms: Terms, unknown: np.ndarray, value: np.ndarray) -> Parts:
    """Connected sets of the ``unknown`` quantities through the identities that name them;
    a quantity not unknown counts at ``value``."""
    open_ = unknown[terms.col]
    known = ~open_
    constant = np.bincount(
        terms.eq[known], weights=terms.coeff[known] * value[terms.col[known]], minlength=terms.n_eqs
    )
    live = np.bincount(terms.eq[open_], minlength=terms.n_eqs) > 0
    # a graph on quantities and identities: one edge per unknown term
    nodes = terms.n_keys + terms.n_eqs
    edges = csr_array(
        (np.ones(int(open_.sum())), (terms.col[open_], terms.n_keys + terms.eq[open_])),
        shape=(nodes, nodes),
    )
    _, label = connected_components(edges, directed=False)
    eqs = np.flatnonzero(live)
    first = {}
    for lab in label[terms.n_keys + eqs]:
        first.setdefault(lab, len(first))  # parts in the order of their first identity
    rank = np.full(label.max(initial=0) + 1, -1)
    rank[list(first)] = list(first.values())
    part_of_eq, part_of_key = rank[label[terms.n_keys + eqs]], rank[label[: terms.n_keys]]
    keys = np.flatnonzero(unknown & (part_of_key >= 0))
    return Parts(
        keys=_groups(keys, part_of_key[keys], len(first)),
        eqs=_groups(eqs, part_of_eq, len(first)),
        unknown=unknown,
        constant=constant,
    )


def _groups(items: np.ndarray, group: np.ndarray, count: int) -> list[np.ndarray]:
    """``items`` split by ``group`` (0..count-1), each keeping the order of ``items``."""
    order = np.argsort(group, kind="stable")
    return np.split(items[order], np.searchsorted(group[order], np.arange(1, count)))


def matrix(terms: Terms, eqs: np.ndarray, keys: np.ndarray, unknown: np.ndarray) -> csr_array:
    """The unknown terms of the identities ``eqs`` (rows, in that order) over ``keys``
    (columns, in that order), terms in identity order."""
    row_of = np.full(terms.n_eqs, -1)
    row_of[eqs] = np.arange(eqs.size)
    col_of = np.full(terms.n_keys, -1)
    col_of[keys] = np.arange(keys.size)
    rows = row_of[terms.eq]
    picked = np.flatnonzero((rows >= 0) & unknown[terms.col])
    picked = picked[np.argsort(rows[picked], kind="stable")]
    return csr_array(
        (terms.coeff[picked], (rows[picked], col_of[terms.col[picked]])),
        shape=(eqs.size, keys.size),
    )


def capped(a: csr_array, b: np.ndarray, lower: np.ndarray, tight: np.ndarray,
            cap: np.ndarray) -> np.ndarray:  # fmt: skip
    """(x, s) maximising sum(s) with s_i <= x_tight(i) - lower, 0 <= s_i <= cap_i, subject
    to a x = b, x >= lower (HiGHS)."""
    m, n, k = *a.shape, tight.size
    pick = csr_array((np.ones(k), (np.arange(k), tight)), shape=(k, n))
    a_eq = csr_array(hstack([a, csr_array((m, k))], format="csr"))
    a_ub = csr_array(hstack([-pick, _sparse_eye(k)], format="csr"))
    cost = np.concatenate([np.zeros(n), -np.ones(k)])
    bounds = [(lo, None) for lo in lower] + [(0, c) for c in cap]
    result = linprog(cost, A_ub=a_ub, b_ub=-lower[tight], A_eq=a_eq, b_eq=b, bounds=bounds,
                     method="highs")  # fmt: skip
    if result.status != 0:
        raise ValueError(f"the published identities have no solution (status {result.status})")
    return result.x


COEFFICIENTS = "solver.coefficients"  # the memo entry holding ``coefficients``


def coefficients(terms: Terms, memo: dict | None = None) -> tuple[csr_array, csr_array]:
    """(identities x quantities, quantities x identities): the terms as sparse matrices,
    built once per ``memo`` (kept by the systems of one set of identities)."""
    memo = memo if memo is not None else {}
    if COEFFICIENTS not in memo:
        a = csr_array((terms.coeff, (terms.eq, terms.col)), shape=(terms.n_eqs, terms.n_keys))
        memo[COEFFICIENTS] = (a, a.T.tocsr())
    return memo[COEFFICIENTS]


def window(a: csr_array, by_key: csr_array, unknown: np.ndarray, start: int | np.ndarray,
           hops: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(unknowns, identities) within ``hops`` steps of the unknown ``start`` (one or an
    array of them): the unknowns of the identities of the previous step's unknowns, and
    every identity naming one of them."""
    keys = np.unique(np.atleast_1d(start))
    for _ in range(hops):
        named = np.unique(a[np.unique(by_key[keys, :].indices), :].indices)
        keys = np.union1d(keys, named[unknown[named]])
    return keys, np.unique(by_key[keys, :].indices)


def held_constants(a: csr_array, parts: Parts, value: np.ndarray, keys: np.ndarray,
                   eqs: np.ndarray) -> np.ndarray:  # fmt: skip
    """The right-hand sides of the identities ``eqs`` over the unknowns ``keys``, every
    other unknown held at its true ``value`` (which keeps every identity)."""
    held = parts.unknown.copy()
    held[keys] = False
    return -(parts.constant[eqs] + a[eqs, :] @ np.where(held, value, 0.0))


def _sparse_eye(n: int) -> csr_array:
    return csr_array((np.ones(n), (np.arange(n), np.arange(n))), shape=(n, n))


def solve(terms: Terms, parts: Parts, value: np.ndarray, lower: np.ndarray,
          memo: dict | None = None, thorough: bool = True,
          asked: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """Mask of the unknowns of ``parts`` that may be pinned: every one no proof frees.

    Only the unknowns of ``asked`` (default: all) with a non-zero true value are proved
    free (a pinned zero tells nothing: ``links.pinned`` drops it), each by a
    ``proofs.Proofs`` solution kept in ``memo`` (shared by the systems of one set of
    identities, values and bounds) and reused while it holds: a protection round, which
    hides a few more cells, proves only the quantities those cells touch.

    1. More than ``MANY`` to prove (a first round): one joint pass over their connected
       sets (``settle`` with one LP).
    2. The identities within each of ``WIDER`` steps of those left, the unknowns outside
       held at their true values (``around``): small LPs.
    3. Those still left, over their whole connected sets: exactly (LPs until one frees
       none) with ``thorough``; else with one LP, and only when step 1 did not run.

    With ``thorough`` the mask is exact for the quantities asked. Without it, a quantity
    still left is counted as pinned: the protection's test, stricter than the audit's
    and faster, so a release the protection passes, the audit passes (on the sample
    release it left every suppression as the exact test did: docs/disclosure.md)."""
    memo = memo if memo is not None else {}
    candidate = np.zeros(terms.n_keys, dtype=bool)
    for keys in parts.keys:
        candidate[keys] = True
    candidate &= ~memo.setdefault(FREED, Proofs()).valid(parts.unknown)
    asked = (value != 0) if asked is None else asked & (value != 0)
    task = _Task(terms, parts, value, lower, candidate, memo, asked)
    joint = task.telling().sum() > MANY
    if joint:
        task.joint(exact=False)
    for hops in WIDER:
        if task.telling().any():
            task.around(hops)
    if task.telling().any() and (thorough or not joint):
        task.joint(exact=thorough)
    return candidate


@dataclass
class _Task:
    """One ``solve``: the system's arrays, the candidates (cleared as proofs free them)."""

    terms: Terms
    parts: Parts
    value: np.ndarray
    lower: np.ndarray
    candidate: np.ndarray
    memo: dict
    asked: np.ndarray

    def telling(self) -> np.ndarray:
        """The candidates asked about (with a non-zero true value)."""
        return self.candidate & self.asked

    def joint(self, exact: bool) -> None:
        """Every part holding a telling candidate at once (``settle``)."""
        keys, eqs = self.parts.holding(self.telling())
        self.settle(keys, eqs, -self.parts.constant[eqs], exact)

    def around(self, hops: int) -> None:
        """The identities within ``hops`` steps of the telling candidates at once, the
        unknowns outside held at their true values (``settle``, one LP)."""
        a, by_key = coefficients(self.terms, self.memo)
        keys, eqs = window(a, by_key, self.parts.unknown, np.flatnonzero(self.telling()), hops)
        b = held_constants(a, self.parts, self.value, keys, eqs)
        self.settle(keys, eqs, b, exact=False, held=True)

    def settle(self, keys: np.ndarray, eqs: np.ndarray, b: np.ndarray, exact: bool,
               held: bool = False) -> None:  # fmt: skip
        """Free the candidates among ``keys`` that some solution of the identities ``eqs``
        over ``keys`` (constants ``b``) moves: LPs (HiGHS) give slack to those on their
        lower bound, until one gives none (``exact``; else after one), then the null space
        of the identities over the unknowns not stuck on their bound shows the others.
        Each solution found is a proof.

        A proof from the null space moves the unknowns it took as off their bound. Over
        whole connected sets, an unknown another proof frees is one of them (that proof
        cut down to the set is a solution moving only unknowns of the set). In a window
        (``held``: the unknowns outside at their true values), another proof may have
        moved unknowns outside it, which may be published later: there only this call's
        own LP takes an unknown off its bound."""
        inside = np.zeros(self.terms.n_keys, dtype=bool)
        inside[keys] = True
        a = matrix(self.terms, eqs, keys, inside)
        value, lower = self.value[keys], self.lower[keys]
        on_bound = value - lower < EPS
        tight = np.flatnonzero(self.candidate[keys] & on_bound)
        lifted = np.zeros(keys.size, dtype=bool)
        while tight.size:
            x = capped(a, b, lower, tight, np.full(tight.size, CAP))
            freed = x[keys.size :] > EPS
            lifted[tight[freed]] = True
            self.free(keys[np.abs(x[: keys.size] - value) > EPS], keys[tight[freed]])
            if not exact or not freed.any():
                break
            tight = tight[~freed]
        still = (~on_bound | lifted) if held else ~(self.candidate[keys] & on_bound)
        if not (self.candidate[keys] & still).any():
            return
        sub = a[:, np.flatnonzero(still)]
        sub = sub[np.flatnonzero(np.diff(sub.indptr)), :]
        fixed = (fixed_by_identities(sub, int(keys[0])) if sub.shape[0]
                 else np.zeros(sub.shape[1], dtype=bool))  # fmt: skip
        self.free(keys[still], keys[still][~fixed])

    def free(self, moved: np.ndarray, freed: np.ndarray) -> None:
        self.memo[FREED].add(moved, freed)
        self.candidate[freed] = False
