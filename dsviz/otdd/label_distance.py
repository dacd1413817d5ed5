"""Distances between class-conditional distributions (the label part of the OTDD cost).

Alvarez-Melis & Fusi, "Geometric Dataset Distances via Optimal Transport"
(NeurIPS 2020), Sec. 3: a label y is represented by its class-conditional
distribution P_y = P(x | y), and labels are compared by ``W_2^2(P_y, P_y')``.
Two estimators are offered:

* ``exact``: the optimal transport cost between the empirical class samples,
  solved exactly with POT's network simplex (``ot.emd2``).
* ``gaussian``: P_y is approximated by N(mu_y, Sigma_y) and compared in closed
  form (Bures-Wasserstein; Peyre & Cuturi, Computational OT, Remark 2.31):

      W_2^2 = ||mu_1 - mu_2||^2 + tr S_1 + tr S_2 - 2 tr (S_1^1/2 S_2 S_1^1/2)^1/2.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import ot
import torch

from .costs import squared_euclidean

# Enough pivots for the network simplex on the class-pair problems we meet
# (a few thousand points per class); POT's default of 1e5 stops early there.
EMD_MAX_ITER = 10_000_000


def class_indices(labels: np.ndarray, n_classes: int) -> list[np.ndarray]:
    """Row indices of each class ``0 .. n_classes-1`` in a label vector of class ids."""
    return [np.flatnonzero(labels == k) for k in range(n_classes)]


def _emd2_uniform(cost: np.ndarray) -> float:
    """Exact OT cost between two uniform empirical measures with cost matrix ``cost``."""
    n, m = cost.shape
    a = np.full(n, 1.0 / n)
    b = np.full(m, 1.0 / m)
    return float(ot.emd2(a, b, np.ascontiguousarray(cost), numItermax=EMD_MAX_ITER))


def exact_label_distances(
    cost: torch.Tensor,
    rows_by_class: list[np.ndarray],
    cols_by_class: list[np.ndarray],
    symmetric: bool = False,
    n_threads: int | None = None,
) -> np.ndarray:
    """``W_2^2`` between every pair of empirical class-conditionals, solved exactly.

    Args:
        cost: full pairwise squared-distance matrix between the two samples
            (n1 x n2); each class pair's OT problem is a block of it, so the
            feature distances are computed once (on the GPU when present) instead
            of once per class pair.
        rows_by_class, cols_by_class: point indices of each class on either side.
        symmetric: both sides are the same sample (self-distances); only the upper
            triangle is solved and the diagonal is 0 exactly.
        n_threads: worker threads; POT's network simplex releases the GIL, so the
            class pairs run in parallel on the CPU cores.

    Returns:
        K1 x K2 matrix of ``W_2^2(P_i, P_j)``.
    """
    cost_np = cost.detach().cpu().numpy()
    k1, k2 = len(rows_by_class), len(cols_by_class)
    pairs = [(i, j) for i in range(k1) for j in range(k2) if not symmetric or j > i]

    def solve(pair: tuple[int, int]) -> float:
        i, j = pair
        return _emd2_uniform(cost_np[np.ix_(rows_by_class[i], cols_by_class[j])])

    workers = n_threads or os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        values = list(pool.map(solve, pairs))
    out = np.zeros((k1, k2))
    for (i, j), v in zip(pairs, values):
        out[i, j] = v
        if symmetric:
            out[j, i] = v
    return out


def _class_factors(x: torch.Tensor, rows_by_class: list[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor]]:
    """Means, covariance traces and low-rank square-root factors of each class.

    For class samples Z (m x d) with mean mu, let A = (Z - mu) / sqrt(m), so the
    (maximum-likelihood) covariance is S = A^T A. With the thin SVD A = U s V^T,
    R = diag(s) V^T (r x d, r = rank <= min(m, d)) satisfies S = R^T R, and
    ``||A_1 A_2^T||_* = ||R_1 R_2^T||_*`` because U has orthonormal columns.
    """
    means, traces, factors = [], [], []
    for rows in rows_by_class:
        z = x[torch.as_tensor(rows, device=x.device)]
        mu = z.mean(0)
        a = (z - mu) / np.sqrt(len(rows))
        _, s, vh = torch.linalg.svd(a, full_matrices=False)
        keep = s > s.max() * 1e-12  # drop numerically-zero directions (rank deficiency)
        factors.append(s[keep, None] * vh[keep])
        means.append(mu)
        traces.append((s * s).sum())
    return torch.stack(means), torch.stack(traces), factors


def _pad_stack(factors: list[torch.Tensor], d: int, like: torch.Tensor) -> torch.Tensor:
    """Stack r_k x d factors into K x r_max x d with zero rows (zeros add no singular values)."""
    r_max = max(1, max(f.shape[0] for f in factors))
    out = torch.zeros((len(factors), r_max, d), dtype=like.dtype, device=like.device)
    for k, f in enumerate(factors):
        out[k, : f.shape[0]] = f
    return out


def gaussian_label_distances(
    x1: torch.Tensor,
    rows_by_class1: list[np.ndarray],
    x2: torch.Tensor,
    rows_by_class2: list[np.ndarray],
    max_batch_elements: int = 50_000_000,
) -> np.ndarray:
    """Bures-Wasserstein ``W_2^2`` between the Gaussian fits of all class pairs.

    Uses ``tr (S_1^1/2 S_2 S_1^1/2)^1/2 = ||R_1 R_2^T||_*`` (nuclear norm): the
    nonzero eigenvalues of ``S_1^1/2 S_2 S_1^1/2`` equal those of ``S_1 S_2 =
    R_1^T (R_1 R_2^T) R_2``, i.e. the squared singular values of the r1 x r2
    matrix ``R_1 R_2^T``. Covariances of 784-pixel images from a few hundred
    samples are rank-deficient, so this replaces d x d matrix square roots by
    small SVDs, all class pairs in one batched call.

    ``max_batch_elements`` bounds the size of each batched SVD input (K2 class
    pairs at a time at least).
    """
    d = x1.shape[1]
    mu1, tr1, f1 = _class_factors(x1, rows_by_class1)
    mu2, tr2, f2 = _class_factors(x2, rows_by_class2)
    r1 = _pad_stack(f1, d, x1)
    r2 = _pad_stack(f2, d, x1)
    k1, k2 = r1.shape[0], r2.shape[0]
    rows_per_chunk = max(1, max_batch_elements // max(1, k2 * r1.shape[1] * r2.shape[1]))
    nuclear = torch.empty((k1, k2), dtype=x1.dtype, device=x1.device)
    for start in range(0, k1, rows_per_chunk):
        cross = torch.einsum("iad,jbd->ijab", r1[start : start + rows_per_chunk], r2)
        nuclear[start : start + rows_per_chunk] = torch.linalg.svdvals(cross).sum(-1)
    mean_term = squared_euclidean(mu1, mu2)
    w2 = mean_term + tr1[:, None] + tr2[None, :] - 2.0 * nuclear
    return w2.clamp_min(0.0).cpu().numpy()
