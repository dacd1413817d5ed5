"""The confusion baseline of SimEx between classes (Hwang et al., 2020, §5.4, Table 2, Fig. 8).

For each class c of a 10-class dataset (MNIST): a LeNet-5 (:class:`dsviz.studies.transfer.LeNet5`,
9 outputs) is trained on the other nine classes only. Fed the held-out test
images of c, which it has never seen, it must call them one of the nine; the
mean softmax output

    C[c, j] = mean over test images x of class c of p_c(j | x),   j != c,

is how strongly c is confused with j (each row sums to 1 over j != c; the
diagonal is undefined, NaN). Classes that look alike are confused more, so
C[c, :] orders the other classes by similarity to c.

SimEx predicts that ordering from Δ(c | A(j)) (row c of the per-class Δ: c's
samples through the autoencoder of class j; low Δ = similar), and so does the
sample-space baseline S(c, j). Table 2 reports the mean over c of Spearman ρ
between ``-Δ[c, j]`` (or ``-S[c, j]``) and ``C[c, j]`` over j != c
(:func:`mean_confusion_spearman`). The paper also uses ResNet-18; that is only
practical with a GPU and is not computed here.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass

import numpy as np
import torch

from dsviz.data import load
from dsviz.data.validation import check_shapes
from dsviz.nets import LeNet5, accuracy, predict_proba, train
from dsviz.runtime.cache import Cache, cached, fingerprint
from dsviz.runtime.device import resolve_device
from dsviz.runtime.progress import Progress
from dsviz.simex.ranking import spearman_rho


@dataclass(frozen=True)
class ConfusionConfig:
    """Sizes and budget: ``n_per_class`` training and ``n_test_per_class`` test images of every class.

    Chosen for the shared 2-core CPU (the paper's sizes could not be read here).
    """

    n_per_class: int = 300
    n_test_per_class: int = 100
    epochs: int = 5
    batch_size: int = 64
    lr: float = 1e-3
    seed: int = 0


@dataclass
class ConfusionBaseline:
    """``matrix[c, j]``: mean softmax mass the network trained without c puts on j for c's images (NaN diagonal)."""

    classes: tuple[str, ...]
    matrix: np.ndarray
    accuracy: np.ndarray
    seconds: float
    config: ConfusionConfig

    def __post_init__(self) -> None:
        check_shapes("confusion baseline", matrix=(self.matrix, (len(self.classes),) * 2))


def compute_confusion(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    classes: tuple[str, ...],
    config: ConfusionConfig,
    device: str = "auto",
    progress: Progress | None = None,
) -> ConfusionBaseline:
    """Train the K leave-one-class-out networks and measure C (no cache)."""
    dev = resolve_device(device)
    k = len(classes)
    start = time.perf_counter()
    matrix, acc = np.full((k, k), np.nan), np.empty(k)
    for c in range(k):
        others = np.array([j for j in range(k) if j != c])
        relabel = np.full(k, -1)
        relabel[others] = np.arange(k - 1)  # class j -> output relabel[j]
        seen = y_train != c
        seed = config.seed + 1000 + c
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = LeNet5(n_classes=k - 1).to(dev)
        train(
            model,
            x_train[seen],
            relabel[y_train[seen]],
            epochs=config.epochs,
            batch_size=config.batch_size,
            lr=config.lr,
            seed=seed,
        )
        test_seen = y_test != c
        acc[c] = accuracy(model, x_test[test_seen], relabel[y_test[test_seen]])
        matrix[c, others] = predict_proba(model, x_test[y_test == c]).mean(0)
        if progress is not None:
            progress(c + 1, k, f"left out class {classes[c]}")
    return ConfusionBaseline(classes, matrix, acc, time.perf_counter() - start, config)


def confusion_baseline(
    dataset: str = "mnist",
    config: ConfusionConfig = ConfusionConfig(),
    *,
    device: str = "auto",
    data_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    cache: Cache | None = None,
    cached_only: bool = False,
) -> tuple[ConfusionBaseline | None, bool]:
    """The baseline for ``dataset`` (train split to train, test split to test; class-balanced), cached."""
    n_classes = len(load(dataset, n=1, data_dir=data_dir, download=False).classes)
    tr = load(dataset, "train", n=config.n_per_class * n_classes, seed=config.seed, data_dir=data_dir, download=False)
    te = load(
        dataset, "test", n=config.n_test_per_class * n_classes, seed=config.seed, data_dir=data_dir, download=False
    )
    if len(tr.present_classes) != n_classes or len(te.present_classes) != n_classes:
        raise ValueError(f"{dataset}: the confusion baseline needs every class in both samples")
    params = {"kind": "simex_confusion", "dataset": dataset, **asdict(config)}

    def compute() -> ConfusionBaseline:
        return compute_confusion(tr.images, tr.labels, te.images, te.labels, tr.classes, config, device, progress)

    data_fp = fingerprint(tr.images, tr.labels, te.images, te.labels)
    return cached(cache, "simex_confusion", params, data_fp, compute, ConfusionBaseline, cached_only=cached_only)


def confusion_spearman(distance: np.ndarray, confusion: np.ndarray) -> np.ndarray:
    """Per class c: Spearman ρ of ``-distance[c, j]`` and ``confusion[c, j]`` over j != c (Table 2 before the mean).

    ``distance`` has row c = the class evaluated (Δ(c | A(j)) or S(c, j)); NaN entries (columns of
    untrained autoencoders) are left out, and a row with fewer than 3 entries left gives NaN.
    """
    d, m = np.asarray(distance, float), np.asarray(confusion, float)
    if d.shape != m.shape or d.ndim != 2 or d.shape[0] != d.shape[1]:
        raise ValueError(f"need two square matrices of one shape, got {d.shape} and {m.shape}")
    keep = ~np.eye(len(d), dtype=bool) & np.isfinite(d) & np.isfinite(m)
    return np.array(
        [spearman_rho(-d[c, keep[c]], m[c, keep[c]]) if keep[c].sum() >= 3 else np.nan for c in range(len(d))]
    )


def mean_confusion_spearman(distance: np.ndarray, confusion: np.ndarray) -> float:
    """Mean over classes of :func:`confusion_spearman` (NaN rows, from constant orderings, left out)."""
    rhos = confusion_spearman(distance, confusion)
    return float(np.nanmean(rhos)) if np.isfinite(rhos).any() else float("nan")


__all__ = [
    "ConfusionBaseline",
    "ConfusionConfig",
    "compute_confusion",
    "confusion_baseline",
    "confusion_spearman",
    "mean_confusion_spearman",
]
