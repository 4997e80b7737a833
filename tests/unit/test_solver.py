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


def _random_system(rng: np.random.Generator, n: int, m: int):
    """(terms, true values, lower bounds): ``m`` identities of two to four +1/-1 terms over
    ``n`` quantities, each with a known constant (quantity ``n + r``) whose value makes the
    true values a solution."""
    value = rng.integers(0, 4, size=n).astype(float)
    equations = []
    for _ in range(m):
        cols = rng.choice(n, size=int(rng.integers(2, 5)), replace=False)
        equations.append([(int(c), int(rng.choice([-1, 1]))) for c in cols])
    for r, equation in enumerate(equations):
        equation.append((n + r, 1))
    terms = _terms(equations, n + m)
    eq, col, coeff = terms.eq, terms.col, terms.coeff
    total = np.zeros(len(equations))
    np.add.at(total, eq[col < n], coeff[col < n] * value[col[col < n]])
    values = np.concatenate([value, -total])
    lower = np.where(values[:n] > 0, rng.integers(0, 2, size=n), 0).astype(float)
    lower = np.concatenate([np.minimum(lower, values[:n]), np.zeros(len(equations))])
    return terms, values, lower


def _pinned_by_bounds(terms: solver.Terms, unknown: np.ndarray, value: np.ndarray,
                      lower: np.ndarray) -> np.ndarray:  # fmt: skip
    """The independent method: an unknown is pinned when the least and the greatest value
    any solution gives it are equal (two LPs per unknown, no proofs, no windows)."""
    from scipy.optimize import linprog

    cols = np.flatnonzero(unknown)
    a = csr_array((terms.coeff, (terms.eq, terms.col)), shape=(terms.n_eqs, terms.n_keys))
    b = -(a @ np.where(unknown, 0.0, value))
    sub = a[:, cols]
    out = np.zeros(terms.n_keys, dtype=bool)
    for i, j in enumerate(cols):
        cost = np.zeros(cols.size)
        ends = []
        for sign in (1.0, -1.0):
            cost[i] = sign
            r = linprog(cost, A_eq=sub, b_eq=b, bounds=[(lo, None) for lo in lower[cols]],
                        method="highs")  # fmt: skip
            ends.append(sign * r.fun if r.status == 0 else np.inf)
        out[j] = abs(ends[1] - ends[0]) < 1e-6
    return out


def test_solve_agrees_with_two_lps_per_unknown_across_rounds_that_hide_and_publish(
    monkeypatch,
) -> None:
    # Random systems, each checked over a sequence of hidden sets that grows (protection
    # rounds) and then shrinks (a total published again), with one memo of proofs: the
    # exact answer equals the independent min/max LPs, the fast one contains it.
    # MANY at 3 sends the larger sets through the joint pass, the others through windows.
    monkeypatch.setattr(solver, "MANY", 3)
    rng = np.random.default_rng(11)
    for _ in range(40):
        n = int(rng.integers(4, 14))
        terms, value, lower = _random_system(rng, n, int(rng.integers(1, n // 2 + 2)))
        order = rng.permutation(n)
        sizes = sorted(rng.choice(np.arange(1, n + 1), size=3, replace=False))
        memo: dict = {}
        for size in [*sizes, sizes[0]]:
            unknown = np.zeros(terms.n_keys, dtype=bool)
            unknown[order[:size]] = True
            parts = solver.components(terms, unknown, value)
            expected = _pinned_by_bounds(terms, unknown, value, lower) & (value != 0)
            exact = solver.solve(terms, parts, value, lower, memo) & unknown & (value != 0)
            assert exact.tolist() == expected.tolist()
            fast = solver.solve(terms, parts, value, lower, memo, thorough=False) & unknown
            assert not (expected & ~fast).any()  # never fewer


def test_a_proof_is_dropped_once_a_quantity_it_moved_is_published() -> None:
    # x + y = 4 (truly 1 and 3) and y + z = 5 (z truly 2): with x, y, z hidden, a solution
    # moves all three (x 2, y 2, z 3), so none is pinned. Publish z: y = 3, x = 1, pinned;
    # the proof made with z hidden must not free them.
    terms = _terms([[(0, 1), (1, 1), (3, -1)], [(1, 1), (2, 1), (4, -1)]], 5)
    value = np.array([1.0, 3, 2, 4, 5])
    lower = np.array([1.0, 1, 1, 0, 0])
    memo: dict = {}
    for hidden, pinned in (([0, 1, 2], []), ([0, 1], [0, 1])):
        unknown = np.zeros(5, dtype=bool)
        unknown[hidden] = True
        parts = solver.components(terms, unknown, value)
        found = solver.solve(terms, parts, value, lower, memo) & unknown
        assert np.flatnonzero(found).tolist() == pinned


def test_a_proof_found_in_a_window_does_not_outlive_the_proofs_it_stood_on() -> None:
    # k - j1 + j2 = 5, j1 + j2 - w = 1, w + u - v - q = -2, -u + v + z = 0; true values
    # k 5, j1 1, j2 1, w 1, u 3, v 2, z 1, q 4, every lower bound 1 (found by an outside
    # review). A: all but k hidden: q moves, so j1, j2 leave their bound. B: k hidden too:
    # the window around k ({k, j1, j2}, q held) is free only because j1 and j2 are, on the
    # word of A's proof, which moved q. C: q published: the last two give w + z = 2, so
    # w = z = 1, then j1 + j2 = 2 (both 1) and k = 5: pinned; only u - v = 1 stays free.
    names = ["k", "j1", "j2", "w", "u", "v", "z", "q"]
    at = {name: i for i, name in enumerate(names)}
    rows = [{"k": 1, "j1": -1, "j2": 1}, {"j1": 1, "j2": 1, "w": -1},
            {"w": 1, "u": 1, "v": -1, "q": -1}, {"u": -1, "v": 1, "z": 1}]  # fmt: skip
    equations = [[(at[q], c) for q, c in row.items()] + [(8 + r, 1)] for r, row in enumerate(rows)]
    terms = _terms(equations, 12)
    value = np.array([5.0, 1, 1, 1, 3, 2, 1, 4, -5, -1, 2, 0])  # constants: each row's balance
    lower = np.array([1.0] * 8 + [0.0] * 4)
    memo: dict = {}
    for hidden, pinned in ((names[1:], []), (names, []), (names[:7], ["k", "j1", "j2", "w", "z"])):
        unknown = np.zeros(12, dtype=bool)
        unknown[[at[name] for name in hidden]] = True
        parts = solver.components(terms, unknown, value)
        for thorough in (True, False):
            found = solver.solve(terms, parts, value, lower, memo, thorough) & unknown
            assert [names[j] for j in np.flatnonzero(found)] == pinned
