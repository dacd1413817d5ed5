"""Comparing orderings: Spearman rank correlations between similarity matrices.

SimEx (Hwang et al., 2020, §5) judges a similarity method by the *ordering* it
induces: for data X, which known parts Y_k it finds most to least similar. For
Δ matrices with row i = the evaluated part, that ordering is row i. Rank
correlations are Spearman's ρ from SciPy (Pearson correlation of the ranks,
ties given their average rank).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np


def spearman_rho(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman ρ of two vectors; NaN when either is constant."""
    from scipy.stats import spearmanr  # here, not at the top: SciPy's stats take 0.5 s to import (the app's cold start)

    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(spearmanr(a, b).statistic)


def row_spearman(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ρ between row i of ``a`` and row i of ``b``, for every row (matrices of the same shape)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 2:
        raise ValueError(f"need two matrices of one shape, got {a.shape} and {b.shape}")
    return np.array([spearman_rho(ra, rb) for ra, rb in zip(a, b, strict=True)])


def ordering_agreement(a: np.ndarray, b: np.ndarray) -> float:
    """Mean over rows of :func:`row_spearman` (rows with a constant ordering left out)."""
    rhos = row_spearman(a, b)
    return float(np.nanmean(rhos)) if np.isfinite(rhos).any() else float("nan")


def settling_curve(history: np.ndarray) -> np.ndarray:
    """SimEx Figure 6: for each epoch e, the mean row-ordering ρ of Δ_e against the final Δ."""
    history = np.asarray(history)
    return np.array([ordering_agreement(h, history[-1]) for h in history])


def nan_mean(values, axis: int | None = None):
    """``np.nanmean`` that gives NaN for an all-NaN slice without a RuntimeWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(np.asarray(values, dtype=float), axis=axis)


STABLE_RHO = 0.8
"""Orderings of repeated fleets (other seeds) agreeing less than this, by mean row ρ, are reported unstable."""


def seed_stability(deltas: Sequence[np.ndarray], trained: Sequence[np.ndarray]) -> float:
    """Mean over pairs of seeds of :func:`ordering_agreement` between their Δ matrices.

    Columns of members that did not train in either seed of a pair are left out.
    NaN with fewer than two seeds.
    """
    rhos = []
    for a in range(len(deltas)):
        for b in range(a + 1, len(deltas)):
            ok = np.asarray(trained[a], bool) & np.asarray(trained[b], bool)
            if ok.sum() >= 2:
                rhos.append(ordering_agreement(np.asarray(deltas[a])[:, ok], np.asarray(deltas[b])[:, ok]))
    finite = [r for r in rhos if np.isfinite(r)]
    return float(np.mean(finite)) if finite else float("nan")


def pair_distances(matrix: np.ndarray) -> np.ndarray:
    """Upper-triangle entries (i < j) of ``(M + Mᵀ) / 2``: one distance per unordered pair of parts.

    Δ is not symmetric (X through A(Y) differs from Y through A(X)); averaging the
    two directions puts it on the footing of the symmetric methods (OTDD, AAD).
    """
    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"need a square matrix, got shape {m.shape}")
    i, j = np.triu_indices(len(m), k=1)
    return ((m + m.T) / 2.0)[i, j]


def method_agreement(matrices: Mapping[str, np.ndarray]) -> np.ndarray:
    """Spearman ρ between every two methods' :func:`pair_distances` (a methods x methods matrix)."""
    vectors = [pair_distances(m) for m in matrices.values()]
    k = len(vectors)
    out = np.eye(k)
    for a in range(k):
        for b in range(a + 1, k):
            out[a, b] = out[b, a] = spearman_rho(vectors[a], vectors[b])
    return out
