"""SimEx, AAD and the other dataset distances by dataset name, cached.

The one entry point the CLI, the pages and the benchmark share, so a value
precomputed with ``python -m dsviz simex ...`` is the value a page shows.

Data: every part (a class of one dataset, or a whole dataset) gets ``n``
training images and ``n_eval`` disjoint held-out images from the dataset's
train split (the test split where only that one is on disk, as for the
EMNIST-letters copy here). Δ rows, the sample-MSE baseline rows and the AAD
codes use the held-out images; Δ columns are the autoencoders trained on the
training images.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from dsviz.data import DATASETS, DataError
from dsviz.data.derived import DERIVED, choose_datasets, dataset_status, load_any
from dsviz.runtime import timings
from dsviz.runtime.cache import Cache, cached, fingerprint
from dsviz.runtime.progress import Progress
from dsviz.simex.aad import AADResult, compute_aad
from dsviz.simex.fleet import BATCH_SIZE, LEARNING_RATE, FleetRun, train_fleet

T = TypeVar("T")

MODEL_VERSION = "lenet5-ae-v2"
"""Goes into every cache key: bump when the architecture or training changes."""

DEFAULT_N = 1000
"""Training images per part."""
DEFAULT_N_EVAL = 100
"""Held-out images per part, on which Δ is measured."""
DEFAULT_EPOCHS = 50
"""Settled fleets: SimEx §5.2 (Fig. 6a) measured that with RMSprop at lr 2e-4 the ordering reaches its
final agreement with the baseline (ρ = 0.92) at 50 epochs and stays there."""
PREVIEW_EPOCHS = 10
"""Fast preview: a fifth of the training; orderings at this point are not settled
(SimEx Fig. 6a: the ordering still moves before 50 epochs)."""
BETWEEN_DATASETS = ("mnist", "mnist-rotated", "mnist-background", "fashion-mnist", "emnist-letters")
"""The five datasets of the between-dataset experiment (SimEx §5.3, plus EMNIST letters)."""


def between_datasets(data_dir: str | os.PathLike[str] | None = None) -> tuple[str, ...]:
    """The usable ones of :data:`BETWEEN_DATASETS`, topped up with the bundled datasets when fewer than three.

    With no data folder this is mnist-rotated and mnist-background (built from
    mnist-5k), digits and mnist-5k. The page, the upload page's reference fleet and
    the CLI default share it, so a fleet trained by one is found by the others.
    """
    return tuple(choose_datasets(list(BETWEEN_DATASETS), 3, data_dir)[0])


@dataclass
class Parts:
    """Training and held-out images of each part, and what was missing when loading them."""

    names: tuple[str, ...]
    train: list[np.ndarray] = field(repr=False)
    evaluate: list[np.ndarray] = field(repr=False)
    notes: dict[str, str] = field(default_factory=dict)

    def fingerprint(self) -> str:
        return fingerprint(*self.train, *self.evaluate)


def class_parts(
    dataset: str,
    n: int = DEFAULT_N,
    n_eval: int = DEFAULT_N_EVAL,
    seed: int = 0,
    data_dir: str | os.PathLike[str] | None = None,
) -> Parts:
    """One part per class present in ``dataset``: ``n`` training and ``n_eval`` held-out images each.

    A class with fewer than ``n + n_eval`` images keeps a fifth of them (at least one) for evaluation.
    """
    if n < 1 or n_eval < 1:
        raise ValueError("n and n_eval must be >= 1")
    status = dataset_status([dataset], data_dir)[dataset]
    per = n + n_eval
    n_classes = (
        len(DATASETS["mnist" if dataset in DERIVED else dataset].classes) if dataset in (*DATASETS, *DERIVED) else 0
    )
    if not n_classes:
        raise DataError(f"unknown dataset {dataset!r}; choose one of {', '.join([*DATASETS, *DERIVED])}")
    data = load_any(dataset, n=per * n_classes, seed=seed, data_dir=data_dir)
    rng = np.random.default_rng(seed)
    names, train, evaluate = [], [], []
    for c in data.present_classes:
        idx = rng.permutation(np.flatnonzero(data.labels == c))
        if len(idx) < 2:
            continue
        held = min(n_eval, max(1, len(idx) // 5)) if len(idx) < per else n_eval
        names.append(data.classes[c])
        evaluate.append(data.images[idx[:held]])
        train.append(data.images[idx[held : held + n]])
    if len(names) < 2:
        raise DataError(f"{dataset}: fewer than two classes with images; nothing to compare")
    notes = {dataset: status[1]} if status[1] else {}
    return Parts(tuple(names), train, evaluate, notes)


def dataset_parts(
    datasets: Sequence[str],
    n: int = DEFAULT_N,
    n_eval: int = DEFAULT_N_EVAL,
    seed: int = 0,
    data_dir: str | os.PathLike[str] | None = None,
) -> Parts:
    """One part per dataset that can be loaded (class-balanced samples); the others are noted and skipped."""
    if n < 1 or n_eval < 1:
        raise ValueError("n and n_eval must be >= 1")
    status = dataset_status(list(datasets), data_dir)
    notes = {name: note for name, (ok, note) in status.items() if note}
    rng = np.random.default_rng(seed)
    names, train, evaluate = [], [], []
    for name in datasets:
        if not status[name][0]:
            continue
        data = load_any(name, n=n + n_eval, seed=seed, data_dir=data_dir)
        idx = rng.permutation(len(data.images))
        names.append(name)
        evaluate.append(data.images[idx[:n_eval]])
        train.append(data.images[idx[n_eval:]])
    if len(names) < 2:
        raise DataError("fewer than two of the datasets are available: " + "; ".join(notes.values()))
    return Parts(tuple(names), train, evaluate, notes)


def _training_params(kind: str, parts: Parts, training: dict) -> dict:
    """The cache key's parameters of a training run on ``parts``: the model version, the optimiser and
    ``training``, the keywords it trains with (``batch_size`` is :data:`BATCH_SIZE` unless they name one)."""
    return {
        "kind": kind,
        "model": MODEL_VERSION,
        "parts": list(parts.names),
        "batch_size": BATCH_SIZE,
        "lr": LEARNING_RATE,
        **training,
    }


def simex(
    parts: Parts,
    loss: str = "mse",
    epochs: int = DEFAULT_EPOCHS,
    *,
    batch_size: int = BATCH_SIZE,
    seed: int = 0,
    device: str = "auto",
    progress: Progress | None = None,
    cache: Cache | None = None,
    cached_only: bool = False,
) -> tuple[FleetRun | None, bool]:
    """Train (or read from the cache) the fleet with one autoencoder per part; ``(run, cache_hit)``.

    With ``cached_only`` nothing is trained: ``(None, False)`` when the cache has no entry.
    """
    training = {"loss": loss, "epochs": epochs, "batch_size": batch_size, "seed": seed}
    params = _training_params("simex", parts, training)

    def compute() -> FleetRun:
        with timings.measured(f"simex_fleet_{loss}", training_units(parts, epochs)):
            return train_fleet(parts.train, parts.evaluate, parts.names, device=device, progress=progress, **training)

    return cached(cache, "simex_fleet", params, parts.fingerprint(), compute, FleetRun, cached_only=cached_only)


def training_units(parts: Parts, epochs: int) -> float:
    """Size of a training run for :mod:`dsviz.runtime.timings`: training images over all parts x epochs."""
    return float(sum(len(x) for x in parts.train) * epochs)


def estimate_seconds(parts: Parts, loss: str, epochs: int, with_aad: bool = False) -> float | None:
    """How long training the fleet (and the AAD autoencoder) should take here, from the last measured run."""
    units = training_units(parts, epochs)
    fleet = timings.estimate(f"simex_fleet_{loss}", units)
    if not with_aad:
        return fleet
    other = timings.estimate("aad", units)
    return None if fleet is None or other is None else fleet + other


def aad(
    parts: Parts,
    epochs: int = DEFAULT_EPOCHS,
    *,
    seed: int = 0,
    device: str = "auto",
    progress: Progress | None = None,
    cache: Cache | None = None,
    cached_only: bool = False,
) -> tuple[AADResult | None, bool]:
    """AAD between the parts (one autoencoder on their union), cached; ``(result, cache_hit)``.

    With ``cached_only`` nothing is trained: ``(None, False)`` when the cache has no entry.
    """
    training = {"epochs": epochs, "seed": seed}
    params = _training_params("aad", parts, training)

    def compute() -> AADResult:
        with timings.measured("aad", training_units(parts, epochs)):
            return compute_aad(parts.train, parts.evaluate, parts.names, device=device, progress=progress, **training)

    return cached(cache, "aad", params, parts.fingerprint(), compute, AADResult, cached_only=cached_only)


def seed_fleets(
    datasets: Sequence[str],
    seeds: Sequence[int],
    loss: str = "mse",
    epochs: int = DEFAULT_EPOCHS,
    *,
    n: int = DEFAULT_N,
    n_eval: int = DEFAULT_N_EVAL,
    data_dir: str | os.PathLike[str] | None = None,
    cache: Cache | None = None,
) -> list[tuple[Parts, FleetRun]]:
    """The cached between-dataset fleets of ``seeds`` (each seed draws its own samples); seeds not cached are left out.

    Nothing is trained: this is what the pages use for error bars and the stability check.
    """
    out = []
    for seed in seeds:
        parts = dataset_parts(datasets, n=n, n_eval=n_eval, seed=seed, data_dir=data_dir)
        fleet, _ = simex(parts, loss, epochs, seed=seed, cache=cache, cached_only=True)
        if fleet is not None:
            out.append((parts, fleet))
    return out
