"""Proofs that a hidden quantity is not pinned (``solver``) or can reach its protection
level (``upper``), kept across the protection's rounds.

A proof is a solution of the identities that moves some unknowns away from their true
values (every other quantity keeps its true value). It stays a solution while every
unknown it moved is still unknown, whatever else is hidden or published since (an identity
that names only quantities it did not move still holds at their true values). So a
protection round, which hides more cells, or a total published again, re-solves only the
quantities whose proofs moved a quantity now published.

Works on positions, like ``solver``: quantity ``j`` is ``Index.keys[j]``.
"""

from __future__ import annotations

import numpy as np


class Proofs:
    """Per proof, the unknowns it moved from their true values and the quantities it
    frees (``solver``: shown not pinned) or lifts (``upper``: shown able to reach their
    target)."""

    def __init__(self) -> None:
        self.found: list[tuple[np.ndarray, np.ndarray]] = []

    def add(self, moved: np.ndarray, proved: np.ndarray) -> None:
        if proved.size:
            self.found.append((moved.astype(np.int32), proved.astype(np.int32)))

    def valid(self, unknown: np.ndarray) -> np.ndarray:
        """Mask of the quantities a proof still holds for, with ``unknown`` the unknowns."""
        out = np.zeros(unknown.size, dtype=bool)
        for moved, proved in self.found:
            if unknown[moved].all():
                out[proved] = True
        return out
