"""The transfer ("retraining") baseline of SimEx between datasets (Hwang et al., 2020, §5.1, Table 1, Fig. 4c).

For datasets D_1..D_K (EMNIST letters: its first 10 classes, so every network
has 10 outputs):

1. base network N_k: a LeNet-5 (:class:`dsviz.studies.transfer.LeNet5`) trained on D_k;
   ``base_accuracy[k]`` is its accuracy on D_k's held-out test images;
2. for every data D_i (i = k included): a copy of N_k with its convolution layers
   frozen and its fully connected layers re-initialised and trained on D_i;
   ``raw[i, k]`` is that network's accuracy on D_i's test images;
3. ``accuracy[i, k] = raw[i, k] / base_accuracy[k]``, accuracy normalised by the
   base network's own accuracy: how much of N_k's feature quality carries over to D_i.

D_i is similar to D_k when ``accuracy[i, k]`` is high. SimEx predicts the same
ordering from Δ(D_i | A(D_k)) (low Δ = similar), so per base dataset k the
agreement is Spearman ρ between ``-Δ[:, k]`` and ``accuracy[:, k]`` over all K
data (:func:`spearman_per_base`), the paper's Table 1.

All training reuses :func:`dsviz.studies.transfer.train` (Adam, shuffled mini-batches,
inputs standardised with MNIST statistics). Frozen layers have
``requires_grad = False``, so Adam leaves them untouched.
"""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from dsviz.data import DataError
from dsviz.data.derived import dataset_status, load_any
from dsviz.data.validation import check_shapes
from dsviz.nets import LeNet5, accuracy, init_model, torch_threads, train
from dsviz.runtime.cache import Cache, cached, fingerprint
from dsviz.runtime.device import resolve_device
from dsviz.runtime.progress import Progress
from dsviz.simex.ranking import spearman_rho

N_CLASSES = 10
"""Every network has 10 outputs: datasets with more classes keep their first 10 (EMNIST letters a–j)."""


@dataclass(frozen=True)
class RetrainConfig:
    """Sizes and budget of the baseline (per dataset: ``n_train`` to train, ``n_test`` held out).

    The paper's sizes could not be read here; these are what the shared 2-core CPU allows
    (Adam lr 1e-3, batch 64 as :class:`dsviz.studies.transfer.TransferConfig`).
    """

    n_train: int = 1000
    n_test: int = 500
    epochs: int = 5
    batch_size: int = 64
    lr: float = 1e-3
    seed: int = 0


@dataclass
class LabeledSplit:
    """Training and test images and labels (0..9) of one dataset."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def fingerprint(self) -> str:
        return fingerprint(self.x_train, self.y_train, self.x_test, self.y_test)


def labeled_split(
    name: str, n_train: int, n_test: int, seed: int = 0, data_dir: str | os.PathLike[str] | None = None
) -> LabeledSplit:
    """Disjoint class-balanced train/test samples of ``name``'s first 10 classes (from one split, as SimEx's parts)."""
    n = n_train + n_test
    n_present = len(load_any(name, n=200, seed=seed, data_dir=data_dir).present_classes)
    # Class-balanced loading spreads the sample over every present class; load enough that the first 10 hold n.
    data = load_any(
        name, n=int(np.ceil(n * max(n_present, N_CLASSES) / N_CLASSES)) + n_present, seed=seed, data_dir=data_dir
    )
    keep = np.flatnonzero(data.labels < N_CLASSES)
    if len(np.unique(data.labels[keep])) < 2 or len(keep) < n:
        raise DataError(f"{name}: fewer than {n} images in its first {N_CLASSES} classes")
    idx = np.random.default_rng(seed).permutation(keep)[:n]
    x, y = data.images[idx], data.labels[idx].astype(np.int64)
    return LabeledSplit(name, x[:n_train], y[:n_train], x[n_train:], y[n_train:])


def frozen_copy(base: LeNet5, seed: int) -> LeNet5:
    """A copy of ``base`` with frozen convolution layers and fully connected layers re-initialised from ``seed``."""
    model = copy.deepcopy(base)
    for p in model.features.parameters():
        p.requires_grad_(False)
    model.classifier.load_state_dict(init_model(seed, next(base.parameters()).device).classifier.state_dict())
    return model


def retrain_fc(base: LeNet5, split: LabeledSplit, config: RetrainConfig, seed: int) -> float:
    """Test accuracy on ``split`` of :func:`frozen_copy` of ``base`` after training its FC layers on ``split``."""
    model = frozen_copy(base, seed)
    train(
        model, split.x_train, split.y_train, epochs=config.epochs, batch_size=config.batch_size, lr=config.lr, seed=seed
    )
    return accuracy(model, split.x_test, split.y_test)


@dataclass
class RetrainBaseline:
    """K x K normalised accuracies (row = data, column = base dataset) and what they came from."""

    names: tuple[str, ...]
    raw_accuracy: np.ndarray
    base_accuracy: np.ndarray
    seconds: float
    config: RetrainConfig

    def __post_init__(self) -> None:
        k = len(self.names)
        check_shapes(
            "retraining baseline", raw_accuracy=(self.raw_accuracy, (k, k)), base_accuracy=(self.base_accuracy, (k,))
        )

    @property
    def accuracy(self) -> np.ndarray:
        """:func:`normalised_accuracy` of the raw accuracies (row = data, column = base dataset)."""
        return normalised_accuracy(self.raw_accuracy, self.base_accuracy)


def compute_retrain(
    splits: Sequence[LabeledSplit], config: RetrainConfig, device: str = "auto", progress: Progress | None = None
) -> RetrainBaseline:
    """Train the K base networks and the K x K frozen-convolution retrainings (no cache)."""
    dev = resolve_device(device)
    k = len(splits)
    start = time.perf_counter()
    raw, base_acc = np.empty((k, k)), np.empty(k)
    done, total = 0, k * (k + 1)
    for j, base_split in enumerate(splits):
        seed = config.seed + 101 * j
        base = init_model(seed, dev)
        train(
            base,
            base_split.x_train,
            base_split.y_train,
            epochs=config.epochs,
            batch_size=config.batch_size,
            lr=config.lr,
            seed=seed,
        )
        base_acc[j] = accuracy(base, base_split.x_test, base_split.y_test)
        done += 1
        for i, data in enumerate(splits):
            raw[i, j] = retrain_fc(base, data, config, seed + 1 + i)
            done += 1
            if progress is not None:
                progress(done, total, f"retraining on {splits[i].name} with base {base_split.name}")
    return RetrainBaseline(
        tuple(s.name for s in splits),
        raw,
        base_acc,
        time.perf_counter() - start,
        config,
    )


def normalised_accuracy(raw: np.ndarray, base_acc: np.ndarray) -> np.ndarray:
    """``raw[i, k] / base_acc[k]``; NaN for a base network that got nothing right (no carry-over to measure)."""
    base = np.asarray(base_acc, dtype=float)
    out = np.full(np.shape(raw), np.nan)
    np.divide(raw, base[None, :], out=out, where=base[None, :] > 0)
    return out


def retrain_baseline(
    datasets: Sequence[str],
    config: RetrainConfig = RetrainConfig(),
    *,
    device: str = "auto",
    threads: int | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    cache: Cache | None = None,
    cached_only: bool = False,
) -> tuple[RetrainBaseline | None, bool]:
    """The baseline for the available ``datasets`` (missing ones skipped, as for SimEx), cached; ``(result, hit)``."""
    status = dataset_status(list(datasets), data_dir)
    names = [d for d in datasets if status[d][0]]
    if len(names) < 2:
        raise DataError("the retraining baseline needs at least two available datasets")
    splits = [labeled_split(d, config.n_train, config.n_test, config.seed, data_dir) for d in names]
    params = {"kind": "simex_retrain", "names": names, **asdict(config)}

    def compute() -> RetrainBaseline:
        with torch_threads(threads):
            return compute_retrain(splits, config, device, progress)

    data_fp = fingerprint(np.asarray([s.fingerprint() for s in splits]))
    return cached(cache, "simex_retrain", params, data_fp, compute, RetrainBaseline, cached_only=cached_only)


def spearman_per_base(delta: np.ndarray, accuracy_matrix: np.ndarray, trained: np.ndarray | None = None) -> np.ndarray:
    """Table 1: per base dataset k, Spearman ρ of ``-delta[:, k]`` and ``accuracy_matrix[:, k]`` over the K data.

    Both matrices have row = data, column = base (autoencoder or network). A base
    whose autoencoder did not train (``trained[k]`` False) gets NaN: its Δ column is not used.
    """
    d, a = np.asarray(delta, float), np.asarray(accuracy_matrix, float)
    if d.shape != a.shape or d.ndim != 2:
        raise ValueError(f"need two matrices of one shape, got {d.shape} and {a.shape}")
    ok = np.ones(d.shape[1], bool) if trained is None else np.asarray(trained, bool)
    return np.array([spearman_rho(-d[:, k], a[:, k]) if ok[k] else np.nan for k in range(d.shape[1])])


__all__ = [
    "RetrainBaseline",
    "RetrainConfig",
    "compute_retrain",
    "frozen_copy",
    "labeled_split",
    "retrain_baseline",
    "retrain_fc",
    "spearman_per_base",
]
