"""The second pass of ``links.pinned``, on arrays: connected sets of the unknowns, the LPs
that find unknowns forced to their bound, and the null space that shows the unknowns the
identities fix.

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

EPS = 1e-7
CAP = 0.01  # the most slack one candidate counts for in an LP round (see _slack)


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


def stuck(terms: Terms, parts: Parts, value: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """Mask of the unknowns forced to their lower bound in every solution.

    The true values are a solution, so only an unknown whose true value is its bound can be
    forced. An LP (HiGHS) over the parts with such candidates maximises their capped slacks;
    a candidate given slack is free. When the best total slack is 0, no remaining candidate
    can leave its bound (one that could would make the total positive).
    """
    candidate = np.zeros(terms.n_keys, dtype=bool)
    for keys in parts.keys:
        candidate[keys[value[keys] - lower[keys] < EPS]] = True
    while candidate.any():
        busy = [number for number, keys in enumerate(parts.keys) if candidate[keys].any()]
        keys = np.concatenate([parts.keys[number] for number in busy])
        eqs = np.concatenate([parts.eqs[number] for number in busy])
        a = matrix(terms, eqs, keys, parts.unknown)
        tight = np.flatnonzero(candidate[keys])
        slack = _slack(a, -parts.constant[eqs], lower[keys], tight)
        free = keys[tight[slack > EPS]]
        if not free.size:
            break
        candidate[free] = False
    return candidate


def _slack(a: csr_array, b: np.ndarray, lower: np.ndarray, tight: np.ndarray) -> np.ndarray:
    """max sum(s) with s_i <= x_tight(i) - lower, 0 <= s <= CAP, subject to a x = b, x >= lower.
    A small cap lets one solution give slack to many candidates that share their room."""
    return capped(a, b, lower, tight, np.full(tight.size, CAP))[a.shape[1] :]


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


def _sparse_eye(n: int) -> csr_array:
    return csr_array((np.ones(n), (np.arange(n), np.arange(n))), shape=(n, n))


def solve(terms: Terms, parts: Parts, value: np.ndarray, lower: np.ndarray,
          memo: dict | None = None) -> np.ndarray:  # fmt: skip
    """Mask of the unknowns of ``parts`` that are pinned: LPs find those forced to a bound;
    once those are fixed, the identities may fix more (per part: they are independent).

    ``memo`` (kept by the caller across calls with the same identities, values and bounds)
    maps a part's unknowns to its pinned ones: a part is decided by its unknowns alone, so
    a protection round re-solves only the parts its new suppressions changed."""
    return per_part(parts, memo, lambda keys: keys.tobytes(),
                     lambda subset: _solve(terms, subset, value, lower))  # fmt: skip


def per_part(parts: Parts, memo: dict | None, name, find) -> np.ndarray:
    """``find(parts)``, a mask over the quantities, with each part's answer taken from
    ``memo`` (under ``name(its unknowns)``) when it is there and stored when it is not."""
    if memo is None:
        return find(parts)
    names = [name(keys) for keys in parts.keys]
    fresh = [number for number, part in enumerate(names) if part not in memo]
    subset = Parts([parts.keys[i] for i in fresh], [parts.eqs[i] for i in fresh],
                   parts.unknown, parts.constant)  # fmt: skip
    found = find(subset) if fresh else np.zeros(parts.unknown.size, bool)
    for number in fresh:
        keys = parts.keys[number]
        memo[names[number]] = keys[found[keys]]
    for part in names:
        found[memo[part]] = True
    return found


def _solve(terms: Terms, parts: Parts, value: np.ndarray, lower: np.ndarray) -> np.ndarray:
    found = stuck(terms, parts, value, lower)
    still = parts.unknown & ~found
    counts = np.bincount(terms.eq[still[terms.col]], minlength=terms.n_eqs)
    for number, free, a in _part_matrices(terms, parts, still, counts):
        found[free[fixed_by_identities(a, number)]] = True
    return found


def _part_matrices(terms: Terms, parts: Parts, still: np.ndarray, counts: np.ndarray):
    """(part number, its ``still`` unknowns, the matrix of its identities over them) for
    every part with a ``still`` unknown, but one whose only live identity has several
    (it fixes none of them): ``matrix`` for each part, built in one pass."""
    n = len(parts.keys)
    part_of_key, part_of_eq = np.full(terms.n_keys, -1), np.full(terms.n_eqs, -1)
    local_key, local_eq = np.zeros(terms.n_keys, np.int64), np.zeros(terms.n_eqs, np.int64)
    frees, lives = [], []
    for number, (keys, eqs) in enumerate(zip(parts.keys, parts.eqs, strict=True)):
        free, live = keys[still[keys]], eqs[counts[eqs] > 0]
        frees.append(free), lives.append(live)
        part_of_key[free], local_key[free] = number, np.arange(free.size)
        part_of_eq[live], local_eq[live] = number, np.arange(live.size)
    picked = np.flatnonzero(still[terms.col] & (part_of_eq[terms.eq] >= 0))
    order = np.lexsort((picked, local_eq[terms.eq[picked]], part_of_eq[terms.eq[picked]]))
    picked = picked[order]
    bounds = np.searchsorted(part_of_eq[terms.eq[picked]], np.arange(n + 1))
    rows, cols = local_eq[terms.eq[picked]], local_key[terms.col[picked]]
    for number in range(n):
        free, live = frees[number], lives[number]
        if not free.size or (live.size == 1 and counts[live[0]] > 1):
            continue
        span = slice(bounds[number], bounds[number + 1])
        data = (terms.coeff[picked[span]], (rows[span], cols[span]))
        yield number, free, csr_array(data, shape=(live.size, free.size))
