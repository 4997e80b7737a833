"""solver: the array form of the linked audit's second pass (``links.pinned``)."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_array

from arms_metrics.disclosure import solver


def _random_identities(rng: np.random.Generator, m: int, n: int) -> csr_array:
    """Identities over ``n`` unknowns with coefficients +1/-1, two to four terms each."""
    rows, cols, vals = [], [], []
    for r in range(m):
        for c in rng.choice(n, size=min(n, int(rng.integers(2, 5))), replace=False):
            rows.append(r), cols.append(int(c)), vals.append(float(rng.choice([-1, 1])))
    return csr_array((vals, (rows, cols)), shape=(m, n))


def test_svd_and_lsqr_find_the_same_fixed_unknowns():
    rng = np.random.default_rng(3)
    for _ in range(300):
        n = int(rng.integers(2, solver.DENSE + 1))
        a = _random_identities(rng, int(rng.integers(1, n + 3)), n)
        assert (solver.fixed_dense(a) == solver.fixed_lsqr(a, 0)).all()


def test_three_sums_fix_three_unknowns_together():
    # x + y = a, y + z = b, x + z = c: every unknown fixed; drop one identity: none is
    a = csr_array(np.array([[1.0, 1, 0], [0, 1, 1], [1, 0, 1]]))
    assert solver.fixed_dense(a).all()
    assert not solver.fixed_dense(csr_array(a.toarray()[:2])).any()


def _terms(equations: list[list[tuple[int, int]]], n_keys: int) -> solver.Terms:
    eq = [r for r, equation in enumerate(equations) for _ in equation]
    col = [k for equation in equations for k, _ in equation]
    coeff = [float(c) for equation in equations for _, c in equation]
    return solver.Terms(np.array(eq), np.array(col), np.array(coeff), len(equations), n_keys)


def test_parts_follow_their_first_identity_and_keep_keys_sorted():
    # quantities 0..5; 5 is known (10). Identity 0 ties 3 and 4, identity 1 ties 0 and 2 to
    # the known 5, identity 2 ties 4 and 1: two parts, {1, 3, 4} first (identity 0)
    terms = _terms([[(3, 1), (4, -1)], [(0, 1), (2, 1), (5, -1)], [(4, 1), (1, -1)]], 6)
    unknown = np.array([True, True, True, True, True, False])
    parts = solver.components(terms, unknown, np.array([4.0, 1, 6, 1, 1, 10]))
    assert [k.tolist() for k in parts.keys] == [[1, 3, 4], [0, 2]]
    assert [e.tolist() for e in parts.eqs] == [[0, 2], [1]]
    assert parts.constant.tolist() == [0.0, -10.0, 0.0]
