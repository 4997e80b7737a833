"""The upper protection level: can every hidden count of 1 or 2 records be 3 or more?

A hidden count the public can show to be 1 or 2 discloses as much as publishing it would:
the threshold rule hid it because it rests on so few records. So beside "not pinned" every
hidden count of a confidential family below ``min_n_count`` must reach ``min_n_count`` in
some solution of the identities (the *upper protection level* of sdcTable and tau-argus,
set here to the rule's own number; Hundepool et al., *Statistical Disclosure Control*,
Wiley 2012, section 4.2.2).

Works on positions, like ``solver``: a candidate is an unknown whose true ``value`` is
below its ``target``; it is *lifted* when some solution gives it its target. Proofs are
LPs (HiGHS) over the reals, as the rest of the audit.

1. With more than ``FEW`` candidates, one LP over the connected sets holding them
   maximises their room ``x - lower``, each capped at ``target - lower``: a candidate whose
   room reaches its cap is lifted.
2. Each candidate left gets small LPs over the identities within ``HOPS`` steps of it, the
   unknowns outside held at their true values (which keeps every identity, so a lift found
   there is a solution of the whole system).
3. Rounds of step 1 until one lifts none (candidates may compete for the same room).
4. ``thorough`` only: each candidate left gets an LP over its whole connected set.

A candidate still not lifted is *short*. Without ``thorough`` it may be short only for
want of a wider window: the protection's test, stricter than the audit's and far faster,
so a release the protection passes, the audit passes.

A lift is a solution that moves some unknowns away from their true values; it stays a
solution while those are unknown, whatever else is hidden or published (``Proofs``, kept
in ``memo`` across the protection's rounds).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from arms_metrics.disclosure.proofs import Proofs
from arms_metrics.disclosure.solver import (
    EPS,
    Parts,
    Terms,
    capped,
    coefficients,
    held_constants,
    matrix,
    window,
)

HOPS = (1, 2, 4)  # the windows tried around a candidate (identity steps)
FEW = 50  # candidates the windows take first, without the joint LP over their parts
LIFTED = "upper.lifted"  # the memo entry holding the ``Proofs``


def short(terms: Terms, parts: Parts, value: np.ndarray, lower: np.ndarray, target: np.ndarray,
          thorough: bool = True, memo: dict | None = None) -> np.ndarray:  # fmt: skip
    """Mask of the unknowns of ``parts`` with ``value`` below ``target`` that no solution
    found lifts to it (see the module); ``memo``: keeps the ``Proofs`` across calls on
    systems of the same identities, values, bounds and targets."""
    memo = memo if memo is not None else {}
    lp = Lifter(terms, parts, value, lower, target, memo)
    proofs = lp.proofs
    candidate = np.zeros(terms.n_keys, dtype=bool)
    for keys in parts.keys:
        candidate[keys[value[keys] < target[keys] - EPS]] = True
    candidate &= ~proofs.valid(parts.unknown)
    if candidate.sum() > FEW:
        lp.joint(candidate)
    if candidate.any():
        lp.alone(candidate, HOPS)
    while candidate.any() and lp.joint(candidate):
        pass
    if candidate.any() and thorough:
        lp.alone(candidate, (None,))
    return candidate


class Lifter:
    """The LPs of ``short`` over one system's ``parts``, each adding its lifts to ``proofs``."""

    def __init__(self, terms: Terms, parts: Parts, value: np.ndarray, lower: np.ndarray,
                 target: np.ndarray, memo: dict) -> None:  # fmt: skip
        self.terms, self.parts, self.memo = terms, parts, memo
        self.proofs = memo.setdefault(LIFTED, Proofs())
        self.value, self.lower, self.target = value, lower, target

    def joint(self, candidate: np.ndarray) -> int:
        """One LP over every part holding a candidate (step 1); the number it lifted."""
        keys, eqs = self.parts.holding(candidate)
        before = int(candidate.sum())
        self.lift(keys, eqs, -self.parts.constant[eqs], candidate, None)
        return before - int(candidate.sum())

    def alone(self, candidate: np.ndarray, hops: tuple[int | None, ...]) -> None:
        """LPs for each candidate on its own (steps 2 and 4): over the identities within
        each number of ``hops`` of it (None: its whole connected set) until one lifts it."""
        terms, parts = self.terms, self.parts
        a, by_key = coefficients(terms, self.memo)
        part_of = np.full(terms.n_keys, -1)
        for number, keys in enumerate(parts.keys):
            part_of[keys] = number
        for j in np.flatnonzero(candidate):
            for steps in hops:
                if not candidate[j]:
                    break
                if steps is None:
                    keys, eqs = parts.keys[part_of[j]], parts.eqs[part_of[j]]
                else:
                    keys, eqs = window(a, by_key, parts.unknown, j, steps)
                b = held_constants(a, parts, self.value, keys, eqs)
                self.lift(keys, eqs, b, candidate, j)

    def lift(self, keys: np.ndarray, eqs: np.ndarray, b: np.ndarray, candidate: np.ndarray,
             alone: int | None) -> None:  # fmt: skip
        """One LP over the unknowns ``keys`` and identities ``eqs`` (constants ``b``)
        lifting the candidates among ``keys`` (only ``alone`` when given) towards their
        targets; clears every candidate the solution lifts to its target."""
        inside = np.zeros(self.terms.n_keys, dtype=bool)
        inside[keys] = True
        tight = (np.flatnonzero(keys == alone) if alone is not None
                 else np.flatnonzero(candidate[keys]))  # fmt: skip
        lower, target = self.lower[keys], self.target[keys]
        cap = target[tight] - lower[tight]
        x = capped(matrix(self.terms, eqs, keys, inside), b, lower, tight, cap)[: keys.size]
        lifted = keys[candidate[keys] & (x >= target - EPS)]
        candidate[lifted] = False
        self.proofs.add(keys[np.abs(x - self.value[keys]) > EPS], lifted)


def binding(terms: Terms, parts: Parts, value: np.ndarray, lower: np.ndarray, j: int,
            hops: int | None = HOPS[-1], memo: dict | None = None) -> np.ndarray:  # fmt: skip
    """The identities with a nonzero dual value in the LP maximising unknown ``j`` over the
    identities within ``hops`` steps of it (the unknowns outside held at their true values,
    as in step 2; None: its whole connected set); none when the maximum is unbounded."""
    a, by_key = coefficients(terms, memo)
    if hops is None:
        number = next(n for n, keys in enumerate(parts.keys) if j in keys)
        keys, eqs = parts.keys[number], parts.eqs[number]
    else:
        keys, eqs = window(a, by_key, parts.unknown, j, hops)
    b = held_constants(a, parts, value, keys, eqs)
    inside = np.zeros(terms.n_keys, dtype=bool)
    inside[keys] = True
    result = linprog(np.where(keys == j, -1.0, 0.0), A_eq=matrix(terms, eqs, keys, inside),
                     b_eq=b, bounds=[(lo, None) for lo in lower[keys]], method="highs")  # fmt: skip
    if result.status != 0:
        return np.zeros(0, dtype=np.int64)
    return eqs[np.abs(result.eqlin.marginals) > EPS]
