"""The ``precompute`` grids as named tasks for :mod:`dsviz.runtime.executor`.

Each grid is split into *list tasks* (a ``*_tasks`` function: one frozen spec
per independent computation) and *compute one* (a top-level function
``fn(spec, cache)`` calling the ordinary cached dsviz function with the cache
it is handed). The executor stores the results on the driver; the command then
assembles its output with the same cached functions as before, which now only
read the cache.

=================  =====================================================  =====
target             one task                                               GPU
=================  =====================================================  =====
pairs (matrix)     OTDD of one dataset pair, or of a dataset vs an        yes
                   independent sample of itself (the noise floor)
pairs (views)      joint UMAP embedding of one pair (reuses its OTDD)     no
augment            OTDD of MNIST under one (transformation, magnitude)    yes
transfer           OTDD of one setting; one scratch or one fine-tune      yes
                   training run (setting x seed)
transfer-pairs     stage 1: one pretraining (source x seed), one scratch  yes
                   run (target x seed) or one pair's OTDD; stage 2: one
                   fine-tuning run (source x target x seed), reading its
                   source's pretrained weights from the cache
simex              one fleet (all its autoencoders train together)        yes
simex --agreement  one registered method (dsviz.methods) on one dataset   yes
                   pair, or over all datasets for SimEx/AAD fleets
simex --retrain-   one base network and its K retrainings (a column of    yes
baseline           Table 1), or one dataset's fully trained reference
=================  =====================================================  =====
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dsviz import methods
from dsviz.commands.common import note, progress_bar
from dsviz.data.transforms import TRANSFORMS
from dsviz.embedding import UmapSettings
from dsviz.nets import torch_threads
from dsviz.runtime.cache import Cache
from dsviz.runtime.device import resolve_device
from dsviz.runtime.executor import Executor, GridResult, Task
from dsviz.simex import runs
from dsviz.studies.agreement import agreement_settings
from dsviz.studies.augment_otdd import transformed_otdd
from dsviz.studies.pairs import PairSettings, compare_pair, floor_seed, matrix_jobs, pair_view
from dsviz.studies.simex_baselines.retrain import RetrainConfig, available_names, retrain_unit
from dsviz.studies.transfer import (
    Setting,
    TransferConfig,
    cached_finetune,
    cached_scratch,
    load_seed_data,
    setting_otdd,
)
from dsviz.studies.transfer_pairs import (
    FinetuneTask,
    OtddTask,
    PairsConfig,
    PretrainTask,
    ScratchTask,
    plan,
    task_value,
)

# --- pairs -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairCell:
    """OTDD of ``src`` vs ``tgt`` (``floor``: ``src`` vs an independent sample of itself)."""

    src: str
    tgt: str
    settings: PairSettings
    floor: bool = False


def pair_cell(spec: PairCell, cache: Cache) -> float:
    tgt_seed = floor_seed(spec.settings) if spec.floor else None
    return compare_pair(spec.src, spec.tgt, spec.settings, cache=cache, tgt_seed=tgt_seed).distance.value


def pair_cell_tasks(datasets: Sequence[str], settings: PairSettings) -> list[Task]:
    """The cells of :func:`dsviz.studies.pairs.pair_matrix` over the (available) ``datasets``."""
    tasks = []
    for i, j in matrix_jobs(len(datasets)):
        a, b = datasets[i], datasets[j if j >= 0 else i]
        name = f"otdd {a} vs {a} (floor)" if j < 0 else f"otdd {a} vs {b}"
        tasks.append(Task(name, pair_cell, PairCell(a, b, settings, floor=j < 0), gpu=True))
    return tasks


@dataclass(frozen=True)
class PairViewSpec:
    src: str
    tgt: str
    settings: PairSettings


def pair_embedding(spec: PairViewSpec, cache: Cache) -> float:
    """The pair view's UMAP (its OTDD is read from the worker's cache or recomputed); returns UMAP seconds."""
    return pair_view(
        spec.src, spec.tgt, spec.settings, UmapSettings(seed=spec.settings.seed), cache=cache
    ).embed_seconds


def pair_view_tasks(datasets: Sequence[str], settings: PairSettings) -> list[Task]:
    pairs = [(a, b) for i, a in enumerate(datasets) for b in datasets[i + 1 :]]
    return [Task(f"umap {a}|{b}", pair_embedding, PairViewSpec(a, b, settings)) for a, b in pairs]


# --- augment ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AugmentPoint:
    transform: str
    magnitude: float
    n: int
    seed: int
    device: str


def augment_point(spec: AugmentPoint, cache: Cache) -> float:
    return transformed_otdd(
        spec.transform, spec.magnitude, n=spec.n, seed=spec.seed, device=spec.device, cache=cache
    ).result.otdd


def augment_tasks(transforms: Sequence[str], n: int, seed: int, device: str) -> list[Task]:
    """One task per point of every transformation's magnitude grid (:func:`dsviz.studies.augment_otdd.otdd_curve`)."""
    return [
        Task(f"{name} {magnitude:g}", augment_point, AugmentPoint(name, float(magnitude), n, seed, device), gpu=True)
        for name in transforms
        for magnitude in TRANSFORMS[name].grid
    ]


# --- transfer --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferRun:
    """``kind``: ``otdd`` (of ``setting``), ``scratch`` (seed) or ``finetune`` (setting, seed)."""

    kind: str
    config: TransferConfig
    device: str
    threads: int | None
    setting: Setting | None = None
    seed: int = 0


def transfer_run(spec: TransferRun, cache: Cache) -> float:
    """One value of :func:`dsviz.studies.transfer.transfer_study`: an OTDD or a test accuracy."""
    with torch_threads(spec.threads):
        if spec.kind == "otdd":
            return setting_otdd(spec.setting, spec.config, device=spec.device, cache=cache)
        data = load_seed_data(spec.config, spec.seed)
        device = resolve_device(spec.device)
        if spec.kind == "scratch":
            return cached_scratch(spec.config, data, device, cache)
        return cached_finetune(spec.setting, spec.config, data, device, cache)


def transfer_tasks(settings: Sequence[Setting], config: TransferConfig, device: str, threads: int | None) -> list[Task]:
    """OTDD per setting, then per seed one scratch run and one fine-tune run per setting."""
    tasks = [
        Task(f"OTDD {s.label}", transfer_run, TransferRun("otdd", config, device, threads, s), gpu=True)
        for s in settings
    ]
    for seed in config.seeds:
        tasks.append(
            Task(
                f"scratch, seed {seed}",
                transfer_run,
                TransferRun("scratch", config, device, threads, None, seed),
                gpu=True,
            )
        )
        tasks += [
            Task(
                f"{s.label}, seed {seed}",
                transfer_run,
                TransferRun("finetune", config, device, threads, s, seed),
                gpu=True,
            )
            for s in settings
        ]
    return tasks


# --- transfer-pairs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferPairsRun:
    """One task of :func:`dsviz.studies.transfer_pairs.plan`, with where and how to run it."""

    task: PretrainTask | ScratchTask | OtddTask | FinetuneTask
    device: str
    threads: int | None


def transfer_pairs_run(spec: TransferPairsRun, cache: Cache) -> float:
    """Compute (or read) one task of the cross-dataset study; returns its value (0 for a pretraining)."""
    with torch_threads(spec.threads):
        value = task_value(spec.task, cache, device=spec.device)
    return 0.0 if isinstance(spec.task, PretrainTask) else float(value)


def transfer_pairs_tasks(
    datasets: Sequence[str], config: PairsConfig, device: str, threads: int | None
) -> tuple[list[Task], list[Task]]:
    """The two stages of :func:`dsviz.studies.transfer_pairs.plan` as grids (stage 2 needs stage 1 stored)."""
    stage1, stage2 = plan(datasets, config)

    def as_tasks(specs: list) -> list[Task]:
        return [Task(t.name, transfer_pairs_run, TransferPairsRun(t, device, threads), gpu=True) for t in specs]

    return as_tasks(stage1), as_tasks(stage2)


# --- SimEx fleets and method agreement -------------------------------------------------------------


@dataclass(frozen=True)
class Training:
    """What every SimEx task samples and trains with: ``n`` training and ``n_eval`` held-out images per part,
    ``epochs``, ``seed`` (of the sample and the training) and ``device``."""

    n: int
    n_eval: int
    epochs: int
    seed: int
    device: str


@dataclass(frozen=True)
class FleetSpec:
    """A SimEx fleet (``loss`` mse/issim) or AAD (``loss="aad"``) over the parts of ``datasets``."""

    loss: str
    datasets: tuple[str, ...]
    per: str
    training: Training


def fleet_parts(spec: FleetSpec) -> runs.Parts:
    t = spec.training
    if spec.per == "class":
        return runs.class_parts(spec.datasets[0], n=t.n, n_eval=t.n_eval, seed=t.seed)
    return runs.dataset_parts(spec.datasets, n=t.n, n_eval=t.n_eval, seed=t.seed)


def fleet(spec: FleetSpec, cache: Cache) -> float:
    """Train (or read) one fleet; returns its training seconds."""
    parts, t = fleet_parts(spec), spec.training
    if spec.loss == "aad":
        result, _ = runs.aad(parts, t.epochs, seed=t.seed, device=t.device, cache=cache)
    else:
        result, _ = runs.simex(parts, spec.loss, t.epochs, seed=t.seed, device=t.device, cache=cache)
    return result.seconds


@dataclass(frozen=True)
class AgreementCell:
    """One registered method of the agreement report: over the pair ``datasets`` (a pairwise method, one
    cell) or over all of them (a method with a joint ``matrix``: SimEx's fleet, AAD's autoencoder)."""

    method: str
    datasets: tuple[str, ...]
    training: Training


def agreement_cell(spec: AgreementCell, cache: Cache) -> float:
    """Compute (or read) the cell as :func:`dsviz.studies.agreement.compare_methods` does; returns its seconds."""
    t = spec.training
    settings = agreement_settings(t.epochs, t.n_eval, t.seed)[spec.method]
    samples = [methods.load_sample(name, t.n, t.seed) for name in spec.datasets]
    return methods.distance_matrix(methods.get(spec.method), samples, settings, device=t.device, cache=cache).seconds


@dataclass(frozen=True)
class RetrainUnit:
    """One unit of the retraining baseline (:func:`dsviz.studies.simex_baselines.retrain.retrain_unit`)."""

    names: tuple[str, ...]
    kind: str
    j: int
    config: RetrainConfig
    device: str


def retrain_cell(spec: RetrainUnit, cache: Cache) -> float:
    """Compute (or read) one unit; returns the base (``column``) or reference network's accuracy."""
    with torch_threads(1):
        value = retrain_unit(spec.names, spec.kind, spec.j, spec.config, device=spec.device, cache=cache)
    return float(value[0])


def retrain_tasks(datasets: Sequence[str], config: RetrainConfig, device: str) -> list[Task]:
    """Every unit of :func:`dsviz.studies.simex_baselines.retrain.retrain_baseline` over the available ``datasets``."""
    names = tuple(available_names(datasets))
    return [
        Task(f"retraining {kind} {names[j]}", retrain_cell, RetrainUnit(names, kind, j, config, device), gpu=True)
        for kind in ("column", "reference")
        for j in range(len(names))
    ]


def simex_tasks(spec: FleetSpec) -> list[Task]:
    what = "AAD autoencoder" if spec.loss == "aad" else f"SimEx {spec.loss} fleet"
    seed = (
        f", seed {spec.training.seed}" if spec.training.seed else ""
    )  # repeated fleets (--repeats) need distinct task names
    return [Task(f"{what} of {' '.join(spec.datasets)} ({spec.per}{seed})", fleet, spec, gpu=True)]


def agreement_tasks(names: Sequence[str], training: Training) -> list[Task]:
    """Everything :func:`dsviz.studies.agreement.compare_methods` computes for ``datasets``: every registered
    method, pair by pair or (joint methods) as one task over ``names``, the loadable datasets."""
    tasks = []
    for name, method in methods.METHODS.items():
        groups = (
            [tuple(names)]
            if method.matrix is not None
            else [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]
        )
        tasks += [
            Task(
                f"{name} {' vs '.join(g)}",
                agreement_cell,
                AgreementCell(name, g, training),
                gpu=True,
            )
            for g in groups
        ]
    return tasks


# --- running a grid from a command ---------------------------------------------------------------


def run_grid(executor: Executor, tasks: Sequence[Task], desc: str, cache: Cache | None = None) -> GridResult:
    """Run ``tasks`` with a tqdm bar on stderr that advances as tasks complete; raise
    :class:`~dsviz.runtime.executor.GridFailed` naming every task that failed (the finished ones are stored)."""
    note(f"{desc}: {len(tasks)} task(s)")
    with progress_bar(desc) as progress:
        grid = executor.run(tasks, cache=cache, progress=progress)
    grid.raise_failures()
    return grid
