"""A joint 2-D embedding of two datasets (UMAP), so positions are comparable.

McInnes, Healy & Melville, "UMAP: Uniform Manifold Approximation and
Projection for Dimension Reduction" (2018). Both samples are stacked and
embedded by one fit; the features are first reduced to 50 principal
components (standard practice for UMAP on images: the neighbour graph is
almost unchanged and the fit is several times faster).

The neighbour graph is exact, as umap-learn computes it below 4096 points (its
"small data" path: the full distance matrix, then a stable argsort of each row),
but :func:`exact_knn` gets the distances from one matrix product instead of
umap-learn's one Python-level metric call per pair (sklearn ``pairwise_distances``
with a callable: 16 million calls, ~10 s, at 4000 points); umap-learn then takes
it as ``precomputed_knn`` and runs the same fuzzy graph, spectral initialisation
and layout.

umap-learn's numba kernels compile on first use (~12 s on two cores). :func:`cache_jit`
lets numba keep them on disk (numba's own cache: ``NUMBA_CACHE_DIR`` if set, else
``__pycache__`` beside umap-learn or the user's cache folder), so only the first
process on a machine pays it; :func:`warm_up_in_background` pays it (or loads
it) in a thread when the pairs page opens, while the first OTDD runs.
"""

from __future__ import annotations

import threading
import time
import warnings
from dataclasses import dataclass

import numpy as np

PCA_COMPONENTS = 50
KNN_MARGIN = 8  # extra candidates per row, re-ranked by the exact distance (covers round-off near ties)
KNN_BLOCK = 1024  # rows per block of the distance matrix (bounds memory to n x 1024 floats)


@dataclass(frozen=True)
class UmapSettings:
    """UMAP hyper-parameters (umap-learn's names)."""

    n_neighbors: int = 15
    min_dist: float = 0.1
    n_epochs: int = 200
    seed: int = 0


_JIT_LOCK = threading.Lock()
_JIT_CACHED: list[bool] = []
_WARM: list[threading.Thread] = []


def cache_jit() -> None:
    """Once per process: turn on numba's on-disk cache for every jitted function of umap-learn.

    umap-learn compiles them without ``cache=True``; numba's ``Dispatcher.enable_caching``
    gives each the cache it would have had (same compiled code, reloaded by the next process).
    """
    import numba.core.dispatcher
    import umap.distances
    import umap.layouts
    import umap.spectral
    import umap.umap_
    import umap.utils

    with _JIT_LOCK:
        if _JIT_CACHED:
            return
        for module in (umap.umap_, umap.layouts, umap.spectral, umap.utils, umap.distances):
            for obj in vars(module).values():
                if isinstance(obj, numba.core.dispatcher.Dispatcher):
                    obj.enable_caching()
        _JIT_CACHED.append(True)


def exact_knn(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest rows of ``x`` to each row (Euclidean, itself first): (indices int64, distances float64).

    Candidates come from ‖a − b‖² = ‖a‖² + ‖b‖² − 2 a·b (BLAS, float64), ``KNN_MARGIN``
    more than needed; they are re-ranked by the distance as umap-learn's ``euclidean``
    computes it (float32 differences, summed in float64: a point is at distance exactly 0
    from itself), ties broken by index like umap-learn's stable argsort.
    """
    x = np.asarray(x, np.float32)
    n = len(x)
    if not 1 <= k <= n:
        raise ValueError(f"k must be between 1 and the {n} points, got {k}")
    m = min(k + KNN_MARGIN, n)
    x64 = x.astype(np.float64)
    sq = np.einsum("ij,ij->i", x64, x64)
    candidates = np.empty((n, m), np.int64)
    for lo in range(0, n, KNN_BLOCK):
        d2 = sq[lo : lo + KNN_BLOCK, None] + sq[None, :] - 2.0 * (x64[lo : lo + KNN_BLOCK] @ x64.T)
        candidates[lo : lo + KNN_BLOCK] = np.argpartition(d2, m - 1, axis=1)[:, :m] if m < n else np.arange(n)
    diff = x[candidates] - x[:, None, :]
    dist = np.sqrt(np.square(diff).sum(-1, dtype=np.float64))
    order = np.lexsort((candidates, dist), axis=1)[:, :k]
    return np.take_along_axis(candidates, order, 1), np.take_along_axis(dist, order, 1)


def joint_embedding(x1: np.ndarray, x2: np.ndarray, settings: UmapSettings = UmapSettings()) -> np.ndarray:
    """Embed the rows of x1 and x2 together; returns (n1 + n2) x 2 float32 (x1's rows first).

    Deterministic for a seed (umap-learn then runs single-threaded).
    """
    import umap  # imported lazily: its numba compilation takes seconds
    from sklearn.decomposition import PCA

    cache_jit()
    x = np.concatenate([np.asarray(x1, np.float32), np.asarray(x2, np.float32)])
    if len(x) < 4:
        raise ValueError(f"need at least 4 points to embed, got {len(x)}")
    k = min(PCA_COMPONENTS, x.shape[1], len(x))
    reduced = PCA(n_components=k, random_state=settings.seed).fit_transform(x)
    n_neighbors = min(settings.n_neighbors, len(x) - 1)
    model = umap.UMAP(
        n_neighbors=n_neighbors,
        min_dist=settings.min_dist,
        n_epochs=settings.n_epochs,
        random_state=settings.seed,
        n_jobs=1,
        precomputed_knn=exact_knn(reduced, n_neighbors),
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*n_jobs value.*")
        warnings.filterwarnings("ignore", message=".*precomputed_knn.*")
        return model.fit_transform(reduced).astype(np.float32)


def warm_up() -> float:
    """Compile (or load from numba's cache) UMAP's numba kernels once per process; returns seconds taken."""
    start = time.perf_counter()
    rng = np.random.default_rng(0)
    joint_embedding(rng.normal(size=(40, 8)), rng.normal(size=(40, 8)), UmapSettings(n_neighbors=5, n_epochs=20))
    return time.perf_counter() - start


def warm_up_in_background() -> threading.Thread:
    """Start :func:`warm_up` in a daemon thread, once per process (later calls return the same thread)."""
    with _JIT_LOCK:
        if not _WARM:
            _WARM.append(threading.Thread(target=warm_up, name="dsviz-umap-warm-up", daemon=True))
            _WARM[0].start()
        return _WARM[0]
