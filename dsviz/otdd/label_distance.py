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

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import torch

from dsviz.otdd.costs import squared_euclidean
from dsviz.runtime.threads import map_split, split_range

# Enough pivots for the network simplex on the class-pair problems we meet
# (a few thousand points per class); POT's default of 1e5 stops early there.
EMD_MAX_ITER = 10_000_000


def class_indices(labels: np.ndarray, n_classes: int) -> list[np.ndarray]:
    """Row indices of each class ``0 .. n_classes-1`` in a label vector of class ids."""
    return [np.flatnonzero(labels == k) for k in range(n_classes)]


def _emd2_uniform(cost: np.ndarray) -> float:
    """Exact OT cost between two uniform empirical measures with cost matrix ``cost``."""
    import ot  # here, not at the top: POT imports scikit-learn and SciPy (1 s); a page reading cached results never solves

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

    workers = n_threads or torch.get_num_threads()  # the process's thread budget, as for torch's own ops
    with ThreadPoolExecutor(max_workers=workers) as pool:
        values = list(pool.map(solve, pairs))
    out = np.zeros((k1, k2))
    for (i, j), v in zip(pairs, values):
        out[i, j] = v
        if symmetric:
            out[j, i] = v
    return out


GAUSSIAN_ROUTES = ("auto", "lowrank", "eigen")


def per_matrix(routine: Callable[[torch.Tensor], torch.Tensor], batch: torch.Tensor):
    """``routine`` (a batched LAPACK call: ``torch.linalg.eigvalsh``, ``eigh``) on a batch of small
    matrices; on the CPU the batch is split over the cores, one intra-op thread each
    (:func:`dsviz.runtime.threads.map_split`: LAPACK's symmetric eigensolvers parallelise poorly
    inside a matrix of a few hundred rows). Same values as ``routine(batch)``."""
    if batch.device.type != "cpu":
        return routine(batch)
    parts = map_split(routine, batch.tensor_split(max(1, min(torch.get_num_threads(), len(batch)))))
    if isinstance(parts[0], tuple):  # eigh: (values, vectors)
        return tuple(torch.cat(p) for p in zip(*parts))
    return torch.cat(parts)


@dataclass
class ClassGaussians:
    """Mean, covariance trace and a square-root factor ``F`` (``F^T F = S``) of each class.

    For class samples Z (m x d) with mean mu, A = (Z - mu) / sqrt(m) gives the
    maximum-likelihood covariance S = A^T A. Two factors, chosen per class by size:

    * ``lowrank`` (m <= d): F = A itself (m x d), no decomposition at all;
    * ``eigen`` (m > d): one eigendecomposition S = V diag(l) V^T per class,
      F = diag(l)^1/2 V^T keeping the r <= d positive eigenvalues (r x d).
    """

    means: torch.Tensor
    traces: torch.Tensor
    factors: list[torch.Tensor]
    routes: list[str]


def class_gaussians(x: torch.Tensor, rows_by_class: list[np.ndarray], route: str = "auto") -> ClassGaussians:
    """Gaussian fit of each class of ``x`` (float64 on ``x``'s device); ``route`` forces a factor."""
    if route not in GAUSSIAN_ROUTES:
        raise ValueError(f"unknown Gaussian route {route!r}; choose one of {', '.join(GAUSSIAN_ROUTES)}")
    d = x.shape[1]
    means, traces, factors, routes = [], [], [], []
    for rows in rows_by_class:
        z = x[torch.as_tensor(rows, device=x.device)].to(torch.float64)
        mu = z.mean(0)
        a = (z - mu) / np.sqrt(len(rows))
        means.append(mu)
        traces.append((a * a).sum())
        factors.append(a)
        routes.append(route if route != "auto" else ("lowrank" if len(rows) <= d else "eigen"))
    eigen = [k for k, use in enumerate(routes) if use == "eigen"]
    if eigen:  # one eigendecomposition per class, all of them in one call over the cores
        values, vectors = per_matrix(torch.linalg.eigh, torch.stack([factors[k].T @ factors[k] for k in eigen]))
        for k, vals, vecs in zip(eigen, values, vectors):
            keep = vals > vals.max().clamp_min(0) * 1e-12  # numerically-zero directions add nothing
            factors[k] = (vecs[:, keep] * vals[keep].sqrt()).T
    return ClassGaussians(torch.stack(means), torch.stack(traces), factors, routes)


def _nuclear(f1: torch.Tensor, f2: torch.Tensor) -> float:
    """``tr (S_1^1/2 S_2 S_1^1/2)^1/2`` between two classes with factors ``f1``, ``f2`` (``S_k = F_k^T F_k``).

    The nonzero eigenvalues of ``S_1^1/2 S_2 S_1^1/2`` are those of ``S_1 S_2 = F_1^T (F_1 F_2^T) F_2``,
    i.e. the squared singular values of K = F_1 F_2^T (r1 x r2). They are the eigenvalues of the
    smaller Gram matrix K K^T or K^T K (symmetric: ``eigvalsh``, several times cheaper than an SVD),
    in float64 so that squaring K costs no accuracy that matters (relative error ~1e-8 after the
    square root).
    """
    k = f1 @ f2.T
    gram = k @ k.T if k.shape[0] <= k.shape[1] else k.T @ k
    return float(torch.linalg.eigvalsh(gram).clamp_min(0.0).sqrt().sum())


def bures_distances(g1: ClassGaussians, g2: ClassGaussians | None = None) -> np.ndarray:
    """Bures-Wasserstein ``W_2^2`` between every pair of class Gaussians (K1 x K2).

    ``g2=None`` gives the within-set matrix (symmetric, zero diagonal; only the upper triangle is
    computed). The class pairs' cross terms (:func:`_nuclear`) are split over the CPU cores, one
    intra-op thread each (:func:`dsviz.runtime.threads.map_split`): a pair's products and its
    ``eigvalsh`` of a few hundred rows parallelise poorly inside.
    """
    symmetric = g2 is None
    g2 = g1 if symmetric else g2
    k1, k2 = len(g1.factors), len(g2.factors)
    pairs = [(i, j) for i in range(k1) for j in range(i + 1 if symmetric else 0, k2)]
    parts = torch.get_num_threads() if g1.means.device.type == "cpu" else 1
    chunks = [pairs[a:b] for a, b in split_range(len(pairs), parts)] if pairs else []
    values = map_split(lambda chunk: [_nuclear(g1.factors[i], g2.factors[j]) for i, j in chunk], chunks)
    nuclear = np.zeros((k1, k2))
    for (i, j), v in zip(pairs, (v for chunk in values for v in chunk)):
        nuclear[i, j] = v
        if symmetric:
            nuclear[j, i] = v
    mean_term = squared_euclidean(g1.means, g2.means).cpu().numpy()
    w2 = mean_term + g1.traces.cpu().numpy()[:, None] + g2.traces.cpu().numpy()[None, :] - 2.0 * nuclear
    w2 = np.clip(w2, 0.0, None)
    if symmetric:
        np.fill_diagonal(w2, 0.0)
    return w2


def gaussian_label_distances(
    x1: torch.Tensor,
    rows_by_class1: list[np.ndarray],
    x2: torch.Tensor,
    rows_by_class2: list[np.ndarray],
    route: str = "auto",
) -> np.ndarray:
    """Bures-Wasserstein ``W_2^2`` between the Gaussian fits of all class pairs (K1 x K2).

    ``W_2^2 = ||mu_1 - mu_2||^2 + tr S_1 + tr S_2 - 2 tr (S_1^1/2 S_2 S_1^1/2)^1/2``;
    see :class:`ClassGaussians` for the factor routes and :func:`_nuclear`
    for the cross term.
    """
    return bures_distances(class_gaussians(x1, rows_by_class1, route), class_gaussians(x2, rows_by_class2, route))
