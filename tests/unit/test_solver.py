"""solver: the array form of the linked audit's second pass (``links.pinned``)."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_array

from arms_metrics.disclosure import nullspace, solver


def _random_identities(rng: np.random.Generator, m: int, n: int) -> csr_array:
    """Identities over ``n`` unknowns with coefficients +1/-1, two to four terms each."""
    rows, cols, vals = [], [], []
    for r in range(m):
        for c in rng.choice(n, size=min(n, int(rng.integers(2, 5))), replace=False):
            rows.append(r), cols.append(int(c)), vals.append(float(rng.choice([-1, 1])))
    return csr_array((vals, (rows, cols)), shape=(m, n))


def test_svd_and_sparse_lu_find_the_same_fixed_unknowns():
    # the SVD is the independent check of the regularized LU used for large systems
    rng = np.random.default_rng(3)
    for _ in range(300):
        n = int(rng.integers(2, 3 * nullspace.DENSE))
        a = _random_identities(rng, int(rng.integers(1, n + 3)), n)
        assert (nullspace.fixed_dense(a) == nullspace.fixed_sparse(a, 0)).all()


def test_a_long_chain_is_free_and_one_more_identity_fixes_it():
    # x0 + x1 = c0, x1 + x2 = c1, ..., x4998 + x4999 = c4998: 4999 identities over 5000
    # unknowns leave one direction (alternating signs): every unknown free. Adding x0 = c
    # fixes them all, however far along the chain (the smallest singular values of a long
    # chain are small: the regularization must not mistake them for a null space).
    n = 5000
    rows = [[(k, 1.0), (k + 1, 1.0)] for k in range(n - 1)]
    for extra, fixed in (([], False), ([[(0, 1.0)]], True)):
        eqs = rows + extra
        a = csr_array(
            ([c for r in eqs for _, c in r],
             ([i for i, r in enumerate(eqs) for _ in r], [k for r in eqs for k, _ in r])),
            shape=(len(eqs), n),
        )  # fmt: skip
        assert nullspace.fixed_sparse(a, 0).tolist() == [fixed] * n


def test_three_sums_fix_three_unknowns_together():
    # x + y = a, y + z = b, x + z = c: every unknown fixed; drop one identity: none is
    a = csr_array(np.array([[1.0, 1, 0], [0, 1, 1], [1, 0, 1]]))
    assert nullspace.fixed_dense(a).all()
    assert not nullspace.fixed_dense(csr_array(a.toarray()[:2])).any()


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
