"""Pixel statistics and principal component analysis of an image dataset.

After the pixel statistics and PCA of the Fashion-MNIST benchmark report (Xiao, Rasul & Vollgraf, 2017,
"Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning Algorithms", arXiv:1708.07747):
mean and standard-deviation images overall and per class, and PCA of the flattened
images on the [0, 1] intensity scale.

PCA (Jolliffe, *Principal Component Analysis*, 2nd ed., ch. 1; the same decomposition as
scikit-learn's ``PCA`` with the full solver): with ``mu`` the mean image and
``S = (X - mu)^T (X - mu) / (N - 1)`` the sample covariance, the components are the
eigenvectors of ``S`` by decreasing eigenvalue (explained variance). Image ``x`` projects
to ``z = V_k^T (x - mu)`` and is reconstructed from ``k`` components as
``mu + V_k z``; with all ``D`` components the reconstruction is ``x`` itself since ``V``
is orthogonal. ``S`` is accumulated in float64 over chunks of images and diagonalized
with ``torch.linalg.eigh`` (GPU when present); each component's sign is fixed so that
its largest-magnitude entry is positive, which makes results reproducible.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np
import torch

from dsviz.data import load, to_features
from dsviz.data.validation import check_shapes
from dsviz.runtime.cache import Cache, cached, fingerprint
from dsviz.runtime.device import resolve_device

CHUNK = 8192
"""Images per block when accumulating the covariance."""


@dataclass
class PixelStats:
    """Per-pixel mean and standard deviation on the [0, 1] scale, overall and per class.

    Attributes:
        mean, std: H x W over all images (population std, ``ddof=0``).
        class_mean, class_std: K x H x W (NaN for classes absent from the data).
        class_counts: K images per class.
    """

    mean: np.ndarray
    std: np.ndarray
    class_mean: np.ndarray
    class_std: np.ndarray
    class_counts: np.ndarray


def pixel_stats(images: np.ndarray, labels: np.ndarray, n_classes: int) -> PixelStats:
    """Mean and standard-deviation images of uint8 N x H x W ``images``, overall and per class.

    Accumulated class by class (sums and sums of squares in float64) so that no
    float copy of the whole dataset is made; the overall std is ``sqrt(E[x^2] - E[x]^2)``.
    """
    shape = images.shape[1:]
    class_mean = np.full((n_classes, *shape), np.nan)
    class_std = np.full((n_classes, *shape), np.nan)
    total, total_sq = np.zeros(shape), np.zeros(shape)
    counts = np.bincount(labels, minlength=n_classes)
    for c in np.flatnonzero(counts):
        members = images[labels == c].astype(np.float64) / 255.0
        class_mean[c], class_std[c] = members.mean(0), members.std(0)
        total += members.sum(0)
        total_sq += (members**2).sum(0)
    mean = total / len(images)
    std = np.sqrt(np.clip(total_sq / len(images) - mean**2, 0, None))
    return PixelStats(mean, std, class_mean, class_std, counts)


@dataclass
class PCAResult:
    """Principal components of D-dimensional data (see module docstring).

    Attributes:
        mean: D, the mean ``mu``.
        components: D x D, row ``i`` is component ``i + 1`` (unit norm, decreasing variance).
        explained_variance: D eigenvalues of the sample covariance (``ddof=1``), decreasing.
        seconds: wall time of the fit.
    """

    mean: np.ndarray
    components: np.ndarray
    explained_variance: np.ndarray
    seconds: float

    def __post_init__(self) -> None:
        d = len(self.mean)
        check_shapes("PCA", components=(self.components, (d, d)), explained_variance=(self.explained_variance, (d,)))

    @property
    def explained_variance_ratio(self) -> np.ndarray:
        """Share of the total variance per component."""
        return self.explained_variance / self.explained_variance.sum()

    def n_components_for(self, share: float) -> int:
        """Smallest ``k`` whose first ``k`` components explain at least ``share`` of the variance."""
        cumulative = np.cumsum(self.explained_variance_ratio)
        return int(min(np.searchsorted(cumulative, share - 1e-12) + 1, len(cumulative)))

    def project(self, x: np.ndarray, k: int) -> np.ndarray:
        """Coordinates ``(x - mu) V_k`` of rows ``x`` on the first ``k`` components."""
        return (np.asarray(x, dtype=np.float64) - self.mean) @ self.components[:k].T

    def reconstruct(self, x: np.ndarray, k: int) -> np.ndarray:
        """``mu + V_k V_k^T (x - mu)``: rows ``x`` rebuilt from ``k`` components."""
        return self.mean + self.project(x, k) @ self.components[:k]


def fit_pca(x: np.ndarray, device: str | torch.device = "auto") -> PCAResult:
    """PCA of the rows of ``x`` (N x D, N >= 2) by eigendecomposition of the covariance."""
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"PCA needs an N x D array with N >= 2, got shape {x.shape}")
    start = time.perf_counter()
    dev = resolve_device(device)
    mean = torch.as_tensor(x, device=dev).double().mean(0)
    cov = torch.zeros(x.shape[1], x.shape[1], dtype=torch.float64, device=dev)
    for first in range(0, len(x), CHUNK):
        block = torch.as_tensor(x[first : first + CHUNK], device=dev).double() - mean
        cov += block.T @ block
    cov /= len(x) - 1
    values, vectors = torch.linalg.eigh(cov)  # ascending
    values, vectors = values.flip(0).clamp_min(0), vectors.flip(1).T
    biggest = vectors.abs().argmax(1)
    signs = torch.sign(vectors[torch.arange(len(vectors), device=dev), biggest])
    vectors = vectors * signs[:, None]
    return PCAResult(
        mean=mean.cpu().numpy(),
        components=vectors.cpu().numpy(),
        explained_variance=values.cpu().numpy(),
        seconds=time.perf_counter() - start,
    )


@dataclass
class DatasetPixelStats:
    """Statistics, PCA and a class-balanced sample of one dataset, as the page shows them.

    Attributes:
        name, classes, split_used: what was read.
        n: number of images the statistics and PCA are computed on.
        stats: :class:`PixelStats`.
        pca: :class:`PCAResult` on features ``pixel / 255``.
        sample_images: uint8 M x H x W class-balanced sample (for scatter and reconstructions).
        sample_labels: M class indices.
        cache_hit: whether the value came from the cache.
    """

    name: str
    classes: tuple[str, ...]
    split_used: str
    n: int
    stats: PixelStats
    pca: PCAResult
    sample_images: np.ndarray
    sample_labels: np.ndarray
    cache_hit: bool = False


def dataset_pixel_stats(
    name: str,
    *,
    split: str = "train",
    n_sample: int = 1000,
    seed: int = 0,
    device: str = "auto",
    data_dir: str | os.PathLike[str] | None = None,
    cache: Cache | None = None,
) -> DatasetPixelStats:
    """Pixel statistics and PCA of a whole split of a dataset, plus an ``n_sample`` sample; cached.

    The cache key holds the data fingerprint and every option except ``device``.
    """
    data = load(name, split=split, data_dir=data_dir)
    sample = load(name, split=split, n=n_sample, seed=seed, data_dir=data_dir)

    def compute() -> DatasetPixelStats:
        return DatasetPixelStats(
            name=name,
            classes=data.classes,
            split_used=data.split_used,
            n=len(data.labels),
            stats=pixel_stats(data.images, data.labels, len(data.classes)),
            pca=fit_pca(to_features(data.images, "unit"), device=device),
            sample_images=sample.images,
            sample_labels=sample.labels,
        )

    params = {"split": split, "n_sample": n_sample, "seed": seed, "classes": list(data.classes)}
    value, hit = cached(cache, "pixelstats", params, fingerprint(data.images, data.labels), compute, DatasetPixelStats)
    value.cache_hit = hit
    return value
