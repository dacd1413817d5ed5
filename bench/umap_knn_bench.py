"""Benchmark: the joint UMAP of one dataset pair, umap-learn's own neighbour search vs :func:`dsviz.embedding.exact_knn`.

Both sides fit the same 50 principal components of the same two samples (n per
dataset, seed 0) with the same UMAP settings, in one process after one warm-up
of umap-learn's JIT: "umap-learn" lets it find the neighbours itself (below 4096
points: sklearn ``pairwise_distances`` with its numba ``euclidean`` as a Python
callable, one call per pair), "dsviz" passes the exact neighbours from
:func:`~dsviz.embedding.exact_knn` as ``precomputed_knn``
(:func:`~dsviz.embedding.joint_embedding`). Prints seconds, the ratio, and
whether the two embeddings are identical.

Usage: ``DSVIZ_DATA_DIR=... python -m bench.umap_knn_bench [--pair mnist usps] [--n 2000]``.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np

from dsviz.data import to_features
from dsviz.embedding import PCA_COMPONENTS, UmapSettings, joint_embedding, warm_up
from dsviz.methods import load_sample


def umap_learn_fit(x1: np.ndarray, x2: np.ndarray, settings: UmapSettings) -> np.ndarray:
    """:func:`joint_embedding` without ``precomputed_knn``: umap-learn's small-data neighbour search."""
    import umap
    from sklearn.decomposition import PCA

    x = np.concatenate([np.asarray(x1, np.float32), np.asarray(x2, np.float32)])
    reduced = PCA(n_components=min(PCA_COMPONENTS, *x.shape), random_state=settings.seed).fit_transform(x)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pair", nargs=2, default=["mnist", "usps"])
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    x1, x2 = (to_features(load_sample(name, args.n, 0).images) for name in args.pair)
    settings = UmapSettings()
    print(
        f"{args.pair[0]} + {args.pair[1]}, {len(x1) + len(x2)} points, {settings}; "
        f"UMAP warm-up {warm_up():.1f} s; 1-min load average {os.getloadavg()[0]:.2f}"
    )
    start = time.perf_counter()
    ours = joint_embedding(x1, x2, settings)
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    theirs = umap_learn_fit(x1, x2, settings)
    theirs_s = time.perf_counter() - start
    print("| neighbour search | UMAP fit s |")
    print("|---|---|")
    print(f"| umap-learn (pairwise_distances, numba callable) | {theirs_s:.1f} |")
    print(f"| dsviz exact_knn (BLAS), precomputed_knn | {ours_s:.1f} |")
    print(f"| ratio | {theirs_s / ours_s:.1f}x |")
    print(
        f"embeddings identical: {bool(np.array_equal(ours, theirs))} "
        f"(max abs difference {float(np.abs(ours - theirs).max()):.3g})"
    )


if __name__ == "__main__":
    main()
