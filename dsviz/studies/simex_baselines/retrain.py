"""The transfer ("retraining") baseline of SimEx between datasets (Hwang et al., 2020, §5.1, Table 1, Fig. 4c).

For datasets D_1..D_K (EMNIST letters: its first 10 classes, so every network
has 10 outputs):

1. base network N_k: a LeNet-5 (:class:`dsviz.studies.transfer.LeNet5`) trained on D_k;
   ``base_accuracy[k]`` is its accuracy on D_k's held-out test images;
2. for every data D_i (i = k included): a copy of N_k with its convolution layers
   frozen and its fully connected layers re-initialised and trained on D_i;
   ``raw[i, k]`` is that network's accuracy on D_i's test images;
3. the paper: the retrained accuracy "normalized by the original accuracy of the base
   network". Two readings, both computed:

   * by base (column): ``accuracy[i, k] = raw[i, k] / base_accuracy[k]``. One constant
     per column, so a column's order is the order of the raw accuracies;
   * by data (row): ``accuracy_by_data[i, k] = raw[i, k] / base_accuracy[i]``, where
     ``base_accuracy[i]`` is the accuracy of the network trained on D_i itself: the share
     of D_i's attainable accuracy that N_k's frozen features reach.

D_i is similar to D_k when the normalised accuracy is high. SimEx predicts the same
ordering from Δ(D_i | A(D_k)) (low Δ = similar), so per base dataset k the
agreement is Spearman ρ between ``-Δ[:, k]`` and column k over all K data
(:func:`spearman_per_base`), the paper's Table 1.

Budget: the paper splits each balanced dataset 5:1 into training and test data
(§5.1). Here each dataset gives 5000 training and 1000 test images of its first 10
classes; the base networks train 30 epochs and every FC retraining 10. Whether that trains
the base networks is measured, not assumed: :func:`compute_retrain` also trains a *reference* LeNet-5 per
dataset (7000 training images, 30 epochs, its own 1000 held-out images) and a base
network counts as trained when it reaches ``TRAINED_SHARE`` of the reference's accuracy.

All training reuses :func:`dsviz.studies.transfer.train` (Adam, shuffled mini-batches,
inputs standardised with MNIST statistics). Frozen layers have
``requires_grad = False``, so Adam leaves them untouched.
"""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from dsviz.data import DataError
from dsviz.data.derived import dataset_status, load_any
from dsviz.data.validation import check_shapes
from dsviz.nets import LeNet5, accuracy, init_model, train
from dsviz.runtime.cache import Cache, cached, fingerprint
from dsviz.runtime.device import resolve_device
from dsviz.runtime.progress import Progress
from dsviz.simex.ranking import spearman_rho

N_CLASSES = 10
"""Every network has 10 outputs: datasets with more classes keep their first 10 (EMNIST letters a–j)."""
TRAINED_SHARE = 0.9
"""A base network is trained when its test accuracy is at least this share of the reference LeNet-5's."""


@dataclass(frozen=True)
class RetrainConfig:
    """Sizes and budget of the baseline (per dataset: ``n_train`` to train, ``n_test`` held out).

    ``n_train : n_test`` = 5 : 1, the paper's split of each balanced dataset (§5.1); Adam lr 1e-3,
    batch 64 as :class:`dsviz.studies.transfer.TransferConfig`. ``base_epochs``: the base networks
    train as many epochs as the reference (at 10, the rotated-MNIST base reached 84.6 % of its
    reference, under the 90 % criterion; the other four 91.8–98.9 %); ``epochs``: every FC
    retraining. ``reference_n_train`` / ``reference_epochs``: the fully trained LeNet-5 the base
    networks are checked against (7000: EMNIST a–j holds 8000 images, 1000 of them held out).
    """

    n_train: int = 5000
    n_test: int = 1000
    epochs: int = 10
    base_epochs: int = 30
    batch_size: int = 64
    lr: float = 1e-3
    seed: int = 0
    reference_n_train: int = 7000
    reference_epochs: int = 30


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
    """K x K normalised accuracies (row = data, column = base dataset) and what they came from.

    ``accuracy``: normalised by base (column ÷ base k's accuracy); ``accuracy_by_data``: by
    data (row ÷ the accuracy of the network trained on D_i). ``reference_accuracy``: the
    fully trained LeNet-5 per dataset (NaN in results cached before it was measured).
    """

    names: tuple[str, ...]
    raw_accuracy: np.ndarray
    base_accuracy: np.ndarray
    seconds: float
    config: RetrainConfig
    reference_accuracy: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        k = len(self.names)
        if np.size(self.reference_accuracy) == 0:  # not measured
            self.reference_accuracy = np.full(k, np.nan)
        check_shapes(
            "retraining baseline",
            raw_accuracy=(self.raw_accuracy, (k, k)),
            base_accuracy=(self.base_accuracy, (k,)),
            reference_accuracy=(self.reference_accuracy, (k,)),
        )

    @property
    def accuracy(self) -> np.ndarray:
        """:func:`normalised_accuracy` of the raw accuracies (row = data, column = base dataset)."""
        return normalised_accuracy(self.raw_accuracy, self.base_accuracy)

    @property
    def accuracy_by_data(self) -> np.ndarray:
        """``raw[i, k] / base_accuracy[i]``: row i over the accuracy of the network trained on D_i."""
        return normalised_by_data(self.raw_accuracy, self.base_accuracy)

    @property
    def trained_share(self) -> np.ndarray:
        """Base accuracy / reference accuracy per dataset (NaN where the reference was not measured)."""
        ref = np.asarray(self.reference_accuracy, dtype=float)
        out = np.full(len(ref), np.nan)
        np.divide(self.base_accuracy, ref, out=out, where=ref > 0)
        return out

    @property
    def trained(self) -> np.ndarray:
        """Per base network: reached ``TRAINED_SHARE`` of the reference LeNet-5's accuracy."""
        return np.nan_to_num(self.trained_share, nan=0.0) >= TRAINED_SHARE


def trained_lenet(split: LabeledSplit, epochs: int, config: RetrainConfig, seed: int, device: torch.device) -> LeNet5:
    """A LeNet-5 initialised from ``seed`` and trained ``epochs`` epochs on ``split``'s training images."""
    model = init_model(seed, device)
    train(model, split.x_train, split.y_train, epochs=epochs, batch_size=config.batch_size, lr=config.lr, seed=seed)
    return model


def reference_accuracy(split: LabeledSplit, config: RetrainConfig, seed: int, device: torch.device) -> float:
    """Test accuracy of a LeNet-5 trained ``config.reference_epochs`` epochs on ``split`` (the fully trained one)."""
    model = trained_lenet(split, config.reference_epochs, config, seed, device)
    return accuracy(model, split.x_test, split.y_test)


def base_column(splits: Sequence[LabeledSplit], j: int, config: RetrainConfig, device: torch.device) -> np.ndarray:
    """Base network N_j trained ``config.base_epochs`` epochs on ``splits[j]``: ``[base accuracy, raw[0, j], ...,
    raw[K-1, j]]``, where ``raw[i, j]`` is :func:`retrain_fc` of N_j on ``splits[i]`` (one column of the K x K
    matrix)."""
    seed = config.seed + 101 * j
    base = trained_lenet(splits[j], config.base_epochs, config, seed, device)
    column = [accuracy(base, splits[j].x_test, splits[j].y_test)]
    column += [retrain_fc(base, data, config, seed + 1 + i) for i, data in enumerate(splits)]
    return np.asarray(column)


def reference_seed(config: RetrainConfig, j: int) -> int:
    """Seed of the reference network of dataset ``j`` (not a base network's)."""
    return config.seed + 101 * j + 50


def compute_retrain(
    splits: Sequence[LabeledSplit],
    config: RetrainConfig,
    device: str = "auto",
    progress: Progress | None = None,
    references: Sequence[LabeledSplit] | None = None,
    column: Callable[[int], np.ndarray] | None = None,
    reference: Callable[[int], float] | None = None,
) -> RetrainBaseline:
    """Train the K base networks, the K x K frozen-convolution retrainings and, with ``references``
    (one larger split per dataset), the K fully trained reference networks.

    ``column(j)`` / ``reference(j)`` replace :func:`base_column` / :func:`reference_accuracy`
    (:func:`retrain_baseline` passes cached versions of them)."""
    dev = resolve_device(device)
    k = len(splits)
    start = time.perf_counter()
    raw, base_acc, ref_acc = np.empty((k, k)), np.empty(k), np.full(k, np.nan)
    done, total = 0, k + (k if references is not None else 0)
    for j, ref in enumerate(references or ()):
        ref_acc[j] = (
            reference(j) if reference is not None else reference_accuracy(ref, config, reference_seed(config, j), dev)
        )
        done += 1
        if progress is not None:
            progress(done, total, f"reference LeNet-5 on {ref.name}")
    for j, base_split in enumerate(splits):
        col = column(j) if column is not None else base_column(splits, j, config, dev)
        base_acc[j], raw[:, j] = col[0], col[1:]
        done += 1
        if progress is not None:
            progress(done, total, f"base network on {base_split.name} and its {k} retrainings")
    return RetrainBaseline(
        tuple(s.name for s in splits),
        raw,
        base_acc,
        time.perf_counter() - start,
        config,
        ref_acc,
    )


def normalised_accuracy(raw: np.ndarray, base_acc: np.ndarray) -> np.ndarray:
    """``raw[i, k] / base_acc[k]``; NaN for a base network that got nothing right (no carry-over to measure)."""
    base = np.asarray(base_acc, dtype=float)
    out = np.full(np.shape(raw), np.nan)
    np.divide(raw, base[None, :], out=out, where=base[None, :] > 0)
    return out


def normalised_by_data(raw: np.ndarray, base_acc: np.ndarray) -> np.ndarray:
    """``raw[i, k] / base_acc[i]``: row i over the accuracy of the network trained on D_i (NaN where that is 0)."""
    base = np.asarray(base_acc, dtype=float)
    out = np.full(np.shape(raw), np.nan)
    np.divide(raw, base[:, None], out=out, where=base[:, None] > 0)
    return out


def _splits(
    names: Sequence[str], config: RetrainConfig, data_dir: str | os.PathLike[str] | None
) -> tuple[list[LabeledSplit], list[LabeledSplit]]:
    """The base networks' splits and the reference networks' (larger, other seed: other images)."""
    splits = [labeled_split(d, config.n_train, config.n_test, config.seed, data_dir) for d in names]
    references = [labeled_split(d, config.reference_n_train, config.n_test, config.seed + 7, data_dir) for d in names]
    return splits, references


def available_names(datasets: Sequence[str], data_dir: str | os.PathLike[str] | None = None) -> list[str]:
    """The loadable ``datasets`` (missing ones skipped, as for SimEx); ``DataError`` for fewer than two."""
    status = dataset_status(list(datasets), data_dir)
    names = [d for d in datasets if status[d][0]]
    if len(names) < 2:
        raise DataError("the retraining baseline needs at least two available datasets")
    return names


def retrain_unit(
    names: Sequence[str],
    kind: str,
    j: int,
    config: RetrainConfig = RetrainConfig(),
    *,
    device: str = "auto",
    data_dir: str | os.PathLike[str] | None = None,
    cache: Cache | None = None,
    splits: tuple[list[LabeledSplit], list[LabeledSplit]] | None = None,
) -> np.ndarray:
    """One cached unit of :func:`retrain_baseline`: ``kind="column"`` (:func:`base_column` of dataset ``j``)
    or ``"reference"`` (:func:`reference_accuracy` of dataset ``j``, as a 1-element array). Independent units,
    so a grid (:mod:`dsviz.commands.grids`) can run them anywhere and in any order."""
    store = cache if cache is not None else Cache()
    base_splits, references = splits if splits is not None else _splits(names, config, data_dir)
    dev = resolve_device(device)
    params = {"kind": kind, "names": list(names), "j": j, **asdict(config)}
    if kind == "column":
        fp = fingerprint(np.asarray([s.fingerprint() for s in base_splits]))
        compute = lambda: base_column(base_splits, j, config, dev)  # noqa: E731
    elif kind == "reference":
        fp = references[j].fingerprint()
        compute = lambda: np.asarray([reference_accuracy(references[j], config, reference_seed(config, j), dev)])  # noqa: E731
    else:
        raise ValueError(f"unknown retraining unit {kind!r}")
    value, _ = store.get_or_compute(
        "simex_retrain_unit", params, fp, compute, lambda v: {"value": np.asarray(v)}, lambda a: np.asarray(a["value"])
    )
    return value


def retrain_baseline(
    datasets: Sequence[str],
    config: RetrainConfig = RetrainConfig(),
    *,
    device: str = "auto",
    data_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    cache: Cache | None = None,
    cached_only: bool = False,
) -> tuple[RetrainBaseline | None, bool]:
    """The baseline for the available ``datasets`` (missing ones skipped, as for SimEx), cached; ``(result, hit)``.

    Assembled from the cached units of :func:`retrain_unit` (computing those still missing)."""
    names = available_names(datasets, data_dir)
    splits, references = _splits(names, config, data_dir)
    params = {"kind": "simex_retrain", "names": names, **asdict(config)}
    store = cache if cache is not None else Cache()

    def unit(kind: str, j: int) -> np.ndarray:
        return retrain_unit(
            names, kind, j, config, device=device, data_dir=data_dir, cache=store, splits=(splits, references)
        )

    def compute() -> RetrainBaseline:
        return compute_retrain(
            splits,
            config,
            device,
            progress,
            references,
            column=lambda j: unit("column", j),
            reference=lambda j: float(unit("reference", j)[0]),
        )

    data_fp = fingerprint(np.asarray([s.fingerprint() for s in splits + references]))
    return cached(store, "simex_retrain", params, data_fp, compute, RetrainBaseline, cached_only=cached_only)


PAPER_RETRAIN_ORDERS: dict[str, tuple[str, ...]] = {
    "mnist": ("mnist", "emnist-letters", "mnist-rotated", "fashion-mnist", "mnist-background"),
}
"""Retraining orders (most similar first) that SimEx §5.1 states, per base dataset: B(MNIST) = M, E, R, F, B."""


def column_order(matrix: np.ndarray, k: int, names: Sequence[str]) -> list[str]:
    """``names`` ordered by column ``k`` of a similarity matrix, most similar (largest) first; ties keep row order."""
    return [names[i] for i in np.argsort(-np.asarray(matrix, float)[:, k], kind="stable")]


def paper_order_check(result: RetrainBaseline) -> list[dict]:
    """For every base dataset whose retraining order the paper states (:data:`PAPER_RETRAIN_ORDERS`) and whose
    datasets are all here: the order under each normalisation and how many of its positions equal the paper's."""
    rows = []
    names = list(result.names)
    for base, paper in PAPER_RETRAIN_ORDERS.items():
        if base not in names or set(paper) != set(names):
            continue
        k = names.index(base)
        row = {"base": base, "paper": list(paper)}
        for key, matrix in (("by_base", result.accuracy), ("by_data", result.accuracy_by_data)):
            order = column_order(matrix, k, names)
            row[key] = order
            row[f"{key}_positions_matching"] = int(sum(a == b for a, b in zip(order, paper)))
        rows.append(row)
    return rows


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
    "PAPER_RETRAIN_ORDERS",
    "RetrainBaseline",
    "TRAINED_SHARE",
    "column_order",
    "paper_order_check",
    "RetrainConfig",
    "compute_retrain",
    "frozen_copy",
    "labeled_split",
    "normalised_by_data",
    "reference_accuracy",
    "available_names",
    "base_column",
    "retrain_baseline",
    "retrain_unit",
    "retrain_fc",
    "spearman_per_base",
]
