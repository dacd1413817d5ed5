"""A joint 2-D embedding of two datasets (UMAP), so positions are comparable.

McInnes, Healy & Melville, "UMAP: Uniform Manifold Approximation and
Projection for Dimension Reduction" (2018). Both samples are stacked and
embedded by one fit; the features are first reduced to 50 principal
components (standard practice for UMAP on images: the neighbour graph is
almost unchanged and the fit is several times faster).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

PCA_COMPONENTS = 50


@dataclass(frozen=True)
class UmapSettings:
    """UMAP hyper-parameters (umap-learn's names)."""

    n_neighbors: int = 15
    min_dist: float = 0.1
    n_epochs: int = 200
    seed: int = 0


def joint_embedding(x1: np.ndarray, x2: np.ndarray, settings: UmapSettings = UmapSettings()) -> np.ndarray:
    """Embed the rows of x1 and x2 together; returns (n1 + n2) x 2 float32 (x1's rows first).

    Deterministic for a seed (umap-learn then runs single-threaded).
    """
    import umap  # imported lazily: its numba compilation takes seconds
    from sklearn.decomposition import PCA

    x = np.concatenate([np.asarray(x1, np.float32), np.asarray(x2, np.float32)])
    if len(x) < 4:
        raise ValueError(f"need at least 4 points to embed, got {len(x)}")
    k = min(PCA_COMPONENTS, x.shape[1], len(x))
    reduced = PCA(n_components=k, random_state=settings.seed).fit_transform(x)
    model = umap.UMAP(
        n_neighbors=min(settings.n_neighbors, len(x) - 1),
        min_dist=settings.min_dist,
        n_epochs=settings.n_epochs,
        random_state=settings.seed,
        n_jobs=1,
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*n_jobs value.*")
        return model.fit_transform(reduced).astype(np.float32)


def warm_up() -> float:
    """Compile UMAP's numba kernels once (call once per process); returns seconds taken."""
    import time

    start = time.perf_counter()
    rng = np.random.default_rng(0)
    joint_embedding(rng.normal(size=(40, 8)), rng.normal(size=(40, 8)), UmapSettings(n_neighbors=5, n_epochs=20))
    return time.perf_counter() - start
