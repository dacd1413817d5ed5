"""OTDD vs transferability across datasets: every directed pair of the *NIST-like datasets.

Alvarez-Melis & Fusi, "Geometric Dataset Distances via Optimal Transport"
(NeurIPS 2020), Sec. 6 (the MSR blog's "OTDD is highly predictive of
transferability", left panel: *NIST datasets, arrows such as M -> E; the paper
reports Pearson r = -0.59 there). For every ordered pair (source, target) of the
available datasets and every seed ``s``:

    pretrain(source, s)     LeNet-5 (the authors', :class:`dsviz.nets.LeNet5`) trained on a
                            class-balanced sample of the source's train pool; one network per
                            (source, seed), shared by all targets;
    acc_ft(source, target, s)  its convolutional features, a fresh classifier for the target's
                            classes, the whole network trained on a small labeled sample of the
                            target (``finetune_per_class`` per class), tested on the target's test set;
    acc_scratch(target, s)  the same network trained on the same target sample alone, same
                            epochs, optimiser and batch order;
    gain(source, target, s) = 100 (err_scratch - err_ft) / err_scratch, the relative drop in test
                            error (:func:`dsviz.studies.transfer_stats.relative_error_drop`).

OTDD(source, target) is the Dataset pairs page's value (:func:`dsviz.studies.pairs.compare_pair` with
``otdd_n`` class-balanced train images per side, seed 0, exact inner and outer OT,
debiased), so the scatter's x matches the matrix; exact OTDD is symmetric, so
both directions of a pair share it, as in the paper's figure.

A dataset with a single split on disk (here EMNIST-letters: part of its test
split) is split once, with a fixed seed, into a held-out test set of
``HOLDOUT_FRACTION`` and a train pool.

The study is a list of independent, named task specs (frozen dataclasses) in two
stages: pretraining, from-scratch and OTDD tasks, then fine-tuning tasks that
take a pretrained network's weights. Each is computed by a pure top-level
function; :func:`transfer_pairs_study` caches every result (so an interrupted
study resumes) and assembles them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from functools import cached_property
from typing import ClassVar

import numpy as np
import torch

from dsviz import methods
from dsviz.data import LabeledImages, load
from dsviz.data.loading import sample_indices
from dsviz.data.registry import get_info
from dsviz.nets import estimate_train_seconds, init_model, reset_classifier, torch_threads
from dsviz.runtime.cache import Cache, cache_key, cached, fingerprint
from dsviz.runtime.codec import decode, encode
from dsviz.runtime.device import resolve_device
from dsviz.runtime.progress import Progress
from dsviz.studies.pairs import PAIR_DATASETS, PairSettings, available_pair_datasets, compare_pair
from dsviz.studies.transfer_protocol import PROTOCOL, TrainingBudget, cached_accuracy
from dsviz.studies.transfer_stats import correlations, detectable_correlation, relative_error_drop, seed_summary

HOLDOUT_FRACTION = 0.2
"""Share of a single-split dataset held out as its test set."""
HOLDOUT_SEED = 12345
PAPER_PEARSON_R = -0.59
"""Pearson r the paper reports for OTDD vs relative error drop across the *NIST datasets."""
SHORT_NAMES = {"mnist": "M", "emnist-letters": "E", "kmnist": "K", "fashion-mnist": "F", "usps": "U"}
"""One-letter names of the figure's arrows (M -> E), as in the paper."""


@dataclass(frozen=True)
class PairsConfig(TrainingBudget):
    """Sizes and training budget (defaults: the ``precompute transfer-pairs`` run): ``pretrain_n`` and ``test_n``
    are capped by the source's pool and the target's test set, ``otdd_n`` is the Dataset pairs page's default."""

    test_n: int = 2000
    otdd_n: int = 2000


# ---------------------------------------------------------------- data


@dataclass(frozen=True, eq=False)
class Splits:
    """A dataset's train pool and test set (``holdout``: the test set was cut from the only split)."""

    name: str
    train: LabeledImages
    test: LabeledImages
    holdout: bool

    @property
    def n_classes(self) -> int:
        return len(self.train.classes)

    @cached_property
    def fingerprint(self) -> str:
        return fingerprint(self.train.images, self.train.labels, self.test.images, self.test.labels)


def _subset(data: LabeledImages, index: np.ndarray, split: str) -> LabeledImages:
    return LabeledImages(data.name, data.images[index], data.labels[index], data.classes, split, data.source)


def load_splits(name: str, data_dir: str | os.PathLike[str] | None = None) -> Splits:
    """Both splits of ``name``; with only one on disk, a fixed ``HOLDOUT_FRACTION`` of it is the test set."""
    train = load(name, split="train", data_dir=data_dir)
    test = load(name, split="test", data_dir=data_dir)
    if train.split_used != test.split_used:
        return Splits(name, train, test, holdout=False)
    order = np.random.default_rng(HOLDOUT_SEED).permutation(len(train.labels))
    cut = int(round(HOLDOUT_FRACTION * len(order)))
    return Splits(
        name,
        _subset(train, np.sort(order[cut:]), "pool"),
        _subset(train, np.sort(order[:cut]), "held-out"),
        holdout=True,
    )


def balanced_sample(labels: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Sorted indices of ``min(n, len(labels))`` images, an even share per present class (capped by what a
    class has; the rest filled from the classes that still have images): the sample :func:`dsviz.data.load`
    draws with ``balanced=True``."""
    chosen = sample_indices(labels, n, seed, balanced=True)
    return np.arange(len(labels)) if chosen is None else chosen


# ---------------------------------------------------------------- task specs and their pure functions


@dataclass(frozen=True, kw_only=True)
class _Run:
    """A training run of the study with ``seed`` and ``config``; a subclass's own fields name its datasets and
    its ``LABEL`` (formatted with them and the seed) names the run in progress reports."""

    seed: int
    config: PairsConfig
    LABEL: ClassVar[str]

    @property
    def name(self) -> str:
        return self.LABEL.format(**self._named())

    def params(self) -> dict:
        """The run's cache parameters: its datasets, its seed and :meth:`PairsConfig.run_params`."""
        return {**self._named(), **self.config.run_params()}

    def _named(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "config"}


@dataclass(frozen=True)
class PretrainTask(_Run):
    """Train LeNet-5 on ``pretrain_n`` images of ``source``'s train pool drawn with ``seed``."""

    source: str
    LABEL = "pretrain {source}, seed {seed}"


@dataclass(frozen=True)
class ScratchTask(_Run):
    """Train LeNet-5 on ``target``'s fine-tuning sample alone and test it."""

    target: str
    LABEL = "scratch {target}, seed {seed}"


@dataclass(frozen=True)
class FinetuneTask(_Run):
    """Fine-tune the network of ``PretrainTask(source, seed)`` on ``target`` and test it."""

    source: str
    target: str
    LABEL = "{source} -> {target}, seed {seed}"

    @property
    def pretrain(self) -> PretrainTask:
        return PretrainTask(self.source, seed=self.seed, config=self.config)


@dataclass(frozen=True)
class OtddTask:
    """OTDD between ``a`` and ``b`` as the Dataset pairs page computes it."""

    a: str
    b: str
    n: int

    @property
    def name(self) -> str:
        return f"OTDD {self.a} vs {self.b}"


def _finetune_sample(target: Splits, config: PairsConfig, seed: int) -> LabeledImages:
    idx = balanced_sample(target.train.labels, config.finetune_per_class * len(np.unique(target.train.labels)), seed)
    return _subset(target.train, idx, "finetune")


def _test_set(target: Splits, config: PairsConfig) -> LabeledImages:
    return _subset(target.test, balanced_sample(target.test.labels, config.test_n, 0), "test")


def run_pretrain(task: PretrainTask, source: Splits, device: str | torch.device = "cpu") -> dict[str, np.ndarray]:
    """The pretrained network's weights (state dict as float32 arrays)."""
    idx = balanced_sample(source.train.labels, task.config.pretrain_n, task.seed)
    model = init_model(task.seed, resolve_device(device), source.n_classes)
    task.config.pretrain(model, source.train.images[idx], source.train.labels[idx], task.seed)
    return {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}


def run_scratch(task: ScratchTask, target: Splits, device: str | torch.device = "cpu") -> float:
    """Test accuracy of LeNet-5 trained only on the target's fine-tuning sample."""
    return _finetune_phase(init_model(task.seed, resolve_device(device), target.n_classes), task, target)


def run_finetune(
    task: FinetuneTask,
    weights: dict[str, np.ndarray],
    source_classes: int,
    target: Splits,
    device: str | torch.device = "cpu",
) -> float:
    """Test accuracy after loading ``weights`` (from :func:`run_pretrain`), replacing the
    classifier by a fresh one for the target's classes and training on the target sample
    exactly as :func:`run_scratch` does (same sample, epochs and batch order)."""
    model = init_model(task.seed, resolve_device(device), source_classes)
    model.load_state_dict({k: torch.as_tensor(v) for k, v in weights.items()})
    reset_classifier(model, task.seed, target.n_classes)
    return _finetune_phase(model, task, target)


def _finetune_phase(model: torch.nn.Module, task: ScratchTask | FinetuneTask, target: Splits) -> float:
    """Train ``model`` on the target's fine-tuning sample and return its test accuracy: the whole of training
    from scratch, and the second phase of fine-tuning."""
    cfg = task.config
    return cfg.finetune(model, _finetune_sample(target, cfg, task.seed), _test_set(target, cfg), task.seed)


def run_otdd(
    task: OtddTask, cache: Cache, device: str = "auto", data_dir: str | os.PathLike[str] | None = None
) -> float:
    """OTDD of the pair (:func:`dsviz.studies.pairs.compare_pair` stores it in ``cache`` under the page's key)."""
    settings = PairSettings(n=task.n, seed=0, split="train", method="otdd-exact", debiased=True, device=device)
    return float(compare_pair(task.a, task.b, settings, data_dir, cache).distance.value)


def plan(datasets: Sequence[str], config: PairsConfig) -> tuple[list, list[FinetuneTask]]:
    """The study's tasks: stage 1 (pretrain, scratch, OTDD; independent) and stage 2 (fine-tune;
    independent of each other, each needing one stage-1 pretraining)."""
    pairs = directed_pairs(datasets)
    stage1: list = [PretrainTask(d, seed=s, config=config) for d in datasets for s in config.seeds]
    stage1 += [ScratchTask(d, seed=s, config=config) for d in datasets for s in config.seeds]
    stage1 += [OtddTask(a, b, config.otdd_n) for i, a in enumerate(datasets) for b in datasets[i + 1 :]]
    stage2 = [FinetuneTask(a, b, seed=s, config=config) for a, b in pairs for s in config.seeds]
    return stage1, stage2


def directed_pairs(datasets: Sequence[str]) -> list[tuple[str, str]]:
    return [(a, b) for a in datasets for b in datasets if a != b]


# ---------------------------------------------------------------- results


@dataclass
class PairsStudy:
    """Results over the directed pairs x ``config.seeds``.

    Attributes:
        datasets: the datasets, in the Dataset pairs page's order.
        pairs: (source, target) in row order.
        config: sizes and budget.
        otdd: OTDD per pair (shared by both directions).
        acc_finetune: pairs x seeds test accuracies after pretraining and fine-tuning.
        acc_scratch: datasets x seeds test accuracies from scratch (row = target).
        pretrain_used: images each source's pretraining actually used.
        holdout: datasets whose test set was held out of their only split.
        seconds: wall-clock seconds of the computation that filled the cache.
    """

    datasets: list[str]
    pairs: list[tuple[str, str]]
    config: PairsConfig
    otdd: np.ndarray
    acc_finetune: np.ndarray
    acc_scratch: np.ndarray
    pretrain_used: dict[str, int]
    holdout: list[str]
    seconds: float = 0.0
    devices: list[str] = field(default_factory=list)

    def scratch_of(self, target: str) -> np.ndarray:
        return self.acc_scratch[self.datasets.index(target)]

    @property
    def gains(self) -> np.ndarray:
        """pairs x seeds: relative drop in the target's test error (%), per seed."""
        scratch = np.stack([self.scratch_of(t) for _, t in self.pairs])
        return relative_error_drop(self.acc_finetune, scratch)

    gain_mean, gain_std = seed_summary("gains", "relative drop in test error")

    def labels(self) -> list[str]:
        return [f"{SHORT_NAMES.get(a, a)}→{SHORT_NAMES.get(b, b)}" for a, b in self.pairs]

    def correlations(self) -> dict[str, float]:
        """:func:`dsviz.studies.transfer_stats.correlations` of OTDD and mean gain over the pairs."""
        return correlations(self.otdd, self.gain_mean)

    def power(self) -> dict[str, float]:
        """:func:`dsviz.studies.transfer_stats.detectable_correlation` of the per-seed drops over the directed
        pairs (which share OTDD values in pairs and sources and targets, so the 12 points are not independent:
        the stated reach is optimistic)."""
        return detectable_correlation(self.gains)

    def rows(self) -> list[dict]:
        """One JSON-ready dict per directed pair."""
        return [
            {
                "src": a,
                "tgt": b,
                "label": self.labels()[i],
                "otdd": float(self.otdd[i]),
                "gain_mean": float(self.gain_mean[i]),
                "gain_std": float(self.gain_std[i]),
                "gains": self.gains[i].tolist(),
                "acc_finetune": self.acc_finetune[i].tolist(),
                "acc_scratch": self.scratch_of(b).tolist(),
            }
            for i, (a, b) in enumerate(self.pairs)
        ]

    def settings(self) -> dict:
        """The protocol in words and numbers (the ``settings`` of ``precompute transfer-pairs --json``)."""
        c = self.config
        return {
            "datasets": self.datasets,
            "network": "LeNet-5 of the OTDD authors' code (otdd/pytorch/nets.py, dropout 0.5)",
            "pretrain": f"{c.pretrain_n} class-balanced source train images (capped by the pool), "
            f"{c.pretrain_epochs} epochs, Adam lr {c.lr:g}, batch {c.batch_size}",
            "pretrain_used": self.pretrain_used,
            "finetune": f"fresh classifier, whole network trained {c.finetune_epochs} epochs on "
            f"{c.finetune_per_class} target train images per class",
            "scratch": "same network and target sample, same epochs, optimiser and batch order, no pretraining",
            "test": f"{c.test_n} class-balanced target test images (capped by the test set)",
            "holdout": {d: f"test set = {HOLDOUT_FRACTION:.0%} held out of its only split" for d in self.holdout},
            "measure": "relative drop in target test error, 100 (err_scratch - err_finetuned) / err_scratch, in %",
            "seeds": list(c.seeds),
            "otdd": f"exact OTDD, {c.otdd_n} class-balanced train images per side, seed 0, debiased "
            "(the Dataset pairs page's value); symmetric, so shared by both directions",
            "paper_pearson_r": PAPER_PEARSON_R,
            "protocol": PROTOCOL,
            "config": asdict(c),
        }


# ---------------------------------------------------------------- the driver

STUDY_FUNCTION = "transfer_pairs_study"
LATEST_FUNCTION = "transfer_pairs_latest"
LATEST_KEY = cache_key(LATEST_FUNCTION, {}, "latest")
"""The study last computed, whatever its settings: what the Dataset pairs page shows."""


def latest_study(cache: Cache | None = None) -> PairsStudy | None:
    """The study last written by :func:`transfer_pairs_study` into ``cache``, or None."""
    store = cache if cache is not None else Cache()
    found = store.load(LATEST_FUNCTION, LATEST_KEY)
    if found is None:
        return None
    try:
        return decode(PairsStudy, found)
    except (KeyError, ValueError, TypeError):
        store.path(LATEST_FUNCTION, LATEST_KEY).unlink(missing_ok=True)
        return None


def _weights_arrays(w: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {f"w/{k}": v for k, v in w.items()}


def _weights_from(arrays) -> dict[str, np.ndarray]:
    return {k[2:]: np.asarray(v) for k, v in arrays.items() if k.startswith("w/")}


def task_value(
    task: PretrainTask | ScratchTask | OtddTask | FinetuneTask,
    cache: Cache,
    *,
    device: str = "auto",
    data_dir: str | os.PathLike[str] | None = None,
    splits: dict[str, Splits] | None = None,
) -> dict[str, np.ndarray] | float:
    """One task's result from ``cache``, computed and stored on a miss: the pretrained
    weights (:class:`PretrainTask`), a test accuracy, or an OTDD.

    A :class:`FinetuneTask` reads its source's pretrained weights through the same
    cache (computing them if they are missing), so stage-2 tasks can run anywhere
    the stage-1 results are visible. ``splits`` reuses datasets already loaded.
    """

    def split(name: str) -> Splits:
        return splits[name] if splits is not None and name in splits else load_splits(name, data_dir)

    if isinstance(task, PretrainTask):
        source = split(task.source)
        weights, _ = cache.get_or_compute(
            "transfer_pairs_pretrain",
            task.params(),
            source.fingerprint,
            lambda: run_pretrain(task, source, device),
            _weights_arrays,
            _weights_from,
        )
        return weights
    if isinstance(task, ScratchTask):
        target = split(task.target)
        return cached_accuracy(
            cache,
            "transfer_pairs_scratch",
            task.params(),
            target.fingerprint,
            lambda: run_scratch(task, target, device),
        )
    if isinstance(task, OtddTask):
        return run_otdd(task, cache, device, data_dir)
    source, target = split(task.source), split(task.target)
    weights = task_value(task.pretrain, cache, device=device, data_dir=data_dir, splits=splits)
    return cached_accuracy(
        cache,
        "transfer_pairs_finetune",
        task.params(),
        source.fingerprint + target.fingerprint,
        lambda: run_finetune(task, weights, source.n_classes, target, device),
    )


def study_splits(
    datasets: Sequence[str] | None, config: PairsConfig, data_dir: str | os.PathLike[str] | None = None
) -> dict[str, Splits]:
    """The study's datasets (default: every available *NIST-like one), loaded, in order;
    raises ``ValueError`` for fewer than two distinct ones or no seed, ``DataError`` for
    one that cannot be loaded."""
    if datasets is None:
        datasets = available_pair_datasets(PAIR_DATASETS, data_dir)[0]
    datasets = list(datasets)
    if len(datasets) < 2 or len(set(datasets)) != len(datasets):
        raise ValueError(f"at least two different datasets are needed, got {datasets}")
    if not config.seeds:
        raise ValueError("at least one seed is needed")
    return {d: load_splits(d, data_dir) for d in datasets}


def estimate_study_seconds(
    datasets: Sequence[str], config: PairsConfig, device: str | torch.device = "auto"
) -> float | None:
    """Seconds :func:`transfer_pairs_study` should take from an empty cache on ``device``, or None when unknown.

    Scaled from the last LeNet-5 training measured on this device type (:func:`dsviz.nets.estimate_train_seconds`,
    images x epochs over the tasks of :func:`plan`: per seed one pretraining per source, one from-scratch run per
    target, one fine-tuning per directed pair; the pools' caps on ``pretrain_n`` are ignored) and the last
    ``otdd-exact`` measured (one per unordered pair, ``otdd_n`` per side); None until both were measured here.
    """

    def finetune(target: str) -> int:
        return config.finetune_per_class * len(get_info(target).classes) * config.finetune_epochs

    per_seed = len(datasets) * config.pretrain_n * config.pretrain_epochs + sum(finetune(d) for d in datasets)
    per_seed += sum(finetune(b) for _, b in directed_pairs(datasets))
    training = estimate_train_seconds(per_seed * len(config.seeds), resolve_device(device))
    n_pairs = len(datasets) * (len(datasets) - 1) // 2
    otdd = methods.estimate_seconds(methods.get("otdd-exact"), [(config.otdd_n, config.otdd_n)] * n_pairs)
    return None if training is None or otdd is None else training + otdd


def transfer_pairs_study(
    datasets: Sequence[str] | None = None,
    config: PairsConfig = PairsConfig(),
    *,
    device: str = "auto",
    threads: int | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    cache: Cache | None = None,
    progress: Progress | None = None,
    compute: bool = True,
    prior_seconds: float = 0.0,
) -> PairsStudy | None:
    r"""OTDD against transferability for every directed pair of the *NIST-like datasets (cached).

    For each ordered pair (source :math:`S`, target :math:`T`) and seed :math:`s`, a LeNet-5 pretrained on
    :math:`S` and fine-tuned on a small sample of :math:`T` (fresh classifier) is compared with the same network
    trained on that sample alone, by the relative drop in test error of [1]_ (Sec. 6),

    .. math::
        \mathrm{drop}(S \to T, s) = 100 \, \frac{\mathrm{err}_{\mathrm{scratch}}(T, s)
            - \mathrm{err}_{\mathrm{ft}}(S \to T, s)}{\mathrm{err}_{\mathrm{scratch}}(T, s)},

    set against :math:`\mathrm{OTDD}(S, T)` from the Dataset pairs page (exact, debiased, ``otdd_n``
    images per side, symmetric so both directions share it). [1]_ reports Pearson :math:`r = -0.59`
    (:data:`PAPER_PEARSON_R`). Every task is cached as it finishes (:func:`task_value`), so an interrupted
    run resumes; a grid that already ran the tasks of :func:`plan` leaves only cache reads.

    Parameters
    ----------
    datasets : sequence of str, optional (default=None)
        The datasets; every available *NIST-like one when None.
    config : PairsConfig, optional
        Sample sizes, training budget and the seeds.
    device : str, optional (default="auto")
        See :func:`dsviz.runtime.device.resolve_device`.
    threads : int, optional (default=None)
        torch CPU threads while training.
    data_dir : path, optional (default=None)
        The data folder (``DSVIZ_DATA_DIR`` when None).
    cache : Cache, optional (default=None)
        Where tasks and the study are cached.
    progress : callable, optional (default=None)
        Called with ``(done, total, task name)`` before each task.
    compute : bool, optional (default=True)
        False only reads the cache.
    prior_seconds : float, optional (default=0.0)
        Wall time an executor's grid already spent on the tasks, added to the recorded ``seconds``.

    Returns
    -------
    study : :class:`PairsStudy` or None
        Per directed pair and seed the fine-tuned and scratch accuracies and the OTDD, the drops' mean and
        standard deviation over seeds, and their correlations with OTDD; None when ``compute`` is False and
        the study is not cached.

    References
    ----------
    .. [1] Alvarez-Melis, D., & Fusi, N. (2020). Geometric Dataset Distances via Optimal Transport.
        In Advances in Neural Information Processing Systems 33 (NeurIPS 2020), Sec. 6.
    """
    splits = study_splits(datasets, config, data_dir)
    datasets = list(splits)
    store = cache if cache is not None else Cache()
    fps = {d: s.fingerprint for d, s in splits.items()}
    params = {"datasets": datasets, "config": asdict(config), "protocol": PROTOCOL}
    study_fp = fingerprint(np.asarray([fps[d] for d in datasets]))

    def run() -> PairsStudy:
        start = time.perf_counter()
        stage1, stage2 = plan(datasets, config)
        total, done = len(stage1) + len(stage2), 0
        scratch: dict[tuple[str, int], float] = {}
        otdd: dict[tuple[str, str], float] = {}
        finetune: dict[tuple[str, str, int], float] = {}

        with torch_threads(threads):
            for task in stage1 + stage2:
                if progress is not None:
                    progress(done, total, task.name)
                value = task_value(
                    task,
                    store,  # PretrainTask: weights cached for the fine-tuning tasks
                    device=device,
                    data_dir=data_dir,
                    splits=splits,
                )
                if isinstance(task, ScratchTask):
                    scratch[(task.target, task.seed)] = value
                elif isinstance(task, OtddTask):
                    otdd[(task.a, task.b)] = otdd[(task.b, task.a)] = value
                elif isinstance(task, FinetuneTask):
                    finetune[(task.source, task.target, task.seed)] = value
                done += 1
        if progress is not None:
            progress(total, total, "done")

        pairs = directed_pairs(datasets)
        return PairsStudy(
            datasets=datasets,
            pairs=pairs,
            config=config,
            otdd=np.asarray([otdd[p] for p in pairs]),
            acc_finetune=np.asarray([[finetune[(a, b, s)] for s in config.seeds] for a, b in pairs]),
            acc_scratch=np.asarray([[scratch[(d, s)] for s in config.seeds] for d in datasets]),
            pretrain_used={d: min(config.pretrain_n, len(splits[d].train.labels)) for d in datasets},
            holdout=[d for d in datasets if splits[d].holdout],
            seconds=prior_seconds + time.perf_counter() - start,
            devices=[str(resolve_device(device))],
        )

    study, hit = cached(store, STUDY_FUNCTION, params, study_fp, run, PairsStudy, cached_only=not compute)
    if study is not None and not hit:
        store.store(LATEST_FUNCTION, LATEST_KEY, encode(study))
    return study


__all__ = [
    "FinetuneTask",
    "OtddTask",
    "PairsConfig",
    "PairsStudy",
    "PretrainTask",
    "ScratchTask",
    "Splits",
    "balanced_sample",
    "directed_pairs",
    "latest_study",
    "load_splits",
    "plan",
    "run_finetune",
    "run_otdd",
    "run_pretrain",
    "run_scratch",
    "study_splits",
    "task_value",
    "transfer_pairs_study",
]
