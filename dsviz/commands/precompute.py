"""``python -m dsviz precompute TARGET``: fill the cache the app reads.

Targets are listed in ``TARGETS`` (name -> (add_arguments, run)); adding one is
one line there. Each prints a tqdm bar on stderr and, with ``--json``, exactly
one JSON object on stdout (keys are an interface: only ever added).

* ``augment``: OTDD(transformed MNIST, USPS) over every transformation's magnitude
  grid. JSON: ``target``, ``n``, ``seed``, ``curves`` ({transform: {``magnitudes``,
  ``otdd``, ``ot``, ``cached``}}), ``seconds``.
* ``transfer``: the transferability study of :mod:`dsviz.studies.transfer`. JSON:
  ``target``, ``config``, ``device``, ``settings`` (list of {``transform``,
  ``magnitude``, ``label``, ``otdd``, ``gain_mean``, ``gain_std`` (accuracy gain,
  fraction), ``drop_mean``, ``drop_std``, ``drops`` (relative drop in test error,
  %, the paper's measure), ``acc_finetune``, ``acc_scratch``}), ``study_settings``
  (the protocol, :func:`dsviz.studies.transfer.protocol_settings`; ``settings`` already
  names the rows), ``correlations`` of OTDD and the mean relative drop
  (``pearson_r``, ``pearson_p``, ``spearman_rho``, ``spearman_p``,
  ``spearman_rho_ci_low``/``_high`` (bootstrap 95 %), ``slope``, ``intercept``,
  ``pearson_r_ci_low``/``_high`` (bootstrap 95 %)),
  ``correlations_accuracy_gain`` (the same for the accuracy gain), ``power`` (what the
  design can detect given its seed noise: :func:`dsviz.studies.transfer_stats.detectable_correlation`),
  ``compute_seconds`` (of the run that filled the cache), ``seconds``.
* ``transfer-pairs``: :mod:`dsviz.studies.transfer_pairs` over every directed pair of the
  available datasets. JSON: ``target``, ``device``, ``pairs`` (list of {``src``,
  ``tgt``, ``label``, ``otdd``, ``gain_mean``, ``gain_std`` (relative drop in test
  error, %), ``gains``, ``acc_finetune``, ``acc_scratch``}), ``correlations`` (keys
  as for ``transfer``), ``power`` (as for ``transfer``), ``settings``, ``compute_seconds``, ``seconds``.

Every target runs its grid as named tasks of :mod:`dsviz.runtime.executor`
(``--executor local|ray``, ``--address``, ``--max-retries``; the tasks are
listed in :mod:`dsviz.commands.grids`), then reads its output back from the
cache. Each JSON object also has ``executor``: ``name`` plus the grid's
:meth:`~dsviz.runtime.executor.GridResult.summary` (``computed``, ``cached``,
``failed``, ``task_seconds``, ``wall_seconds``, ``start_seconds``); for
``transfer-pairs``, whose fine-tuning runs need the pretrained weights of a
first grid, ``stages`` holds one summary per grid.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import TypeVar

from dsviz.commands.common import count_or_all, note, positive_int
from dsviz.commands.grids import augment_tasks, run_grid, transfer_pairs_tasks, transfer_tasks
from dsviz.commands.precompute_pairs import pairs_arguments, run_pairs
from dsviz.data.transforms import TRANSFORMS
from dsviz.runtime.device import DEVICE_CHOICES, resolve_device
from dsviz.runtime.executor import executor_arguments, executor_from_args
from dsviz.studies.augment_otdd import load_pair, otdd_curve
from dsviz.studies.transfer import DEFAULT_SETTINGS, TransferConfig, protocol_settings, transfer_study
from dsviz.studies.transfer import PAPER_PEARSON_R as TRANSFER_PAPER_R
from dsviz.studies.transfer_pairs import PAPER_PEARSON_R as PAIRS_PAPER_R
from dsviz.studies.transfer_pairs import PairsConfig, study_splits, transfer_pairs_study
from dsviz.studies.transfer_stats import power_sentence

T = TypeVar("T", TransferConfig, PairsConfig)


def augment_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--transforms", nargs="+", choices=sorted(TRANSFORMS), default=list(TRANSFORMS))
    parser.add_argument(
        "--n", type=count_or_all, default=1000, help="images per side (default 1000, the app's), or all"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    executor_arguments(parser)


def run_augment(args: argparse.Namespace) -> int:
    """OTDD of transformed MNIST vs USPS over every magnitude grid."""
    start = time.perf_counter()
    with executor_from_args(args) as executor:
        tasks = augment_tasks(args.transforms, args.n, args.seed, args.device)
        grid = run_grid(executor, tasks, "precompute augment")
    pair = load_pair(args.n, args.seed)
    curves = {}
    for name in args.transforms:  # every point is a cache hit now
        curve = otdd_curve(name, n=args.n, seed=args.seed, device=args.device, pair=pair)
        curves[name] = {
            "magnitudes": curve.magnitudes.tolist(),
            "otdd": curve.otdd.tolist(),
            "ot": curve.ot.tolist(),
            "cached": [task.name in grid.cached for task in tasks if task.spec.transform == name],
        }
    seconds = time.perf_counter() - start
    if args.json:
        print(
            json.dumps(
                {
                    "target": "augment",
                    "n": args.n,
                    "seed": args.seed,
                    "curves": curves,
                    "seconds": seconds,
                    "executor": {"name": executor.name, **grid.summary()},
                }
            )
        )
    else:
        for name, curve in curves.items():
            values = "  ".join(f"{m:g}: {v:.1f}" for m, v in zip(curve["magnitudes"], curve["otdd"]))
            print(f"{name:12s} OTDD  {values}")
        print(f"{seconds:.1f} s")
    return 0


def training_arguments(parser: argparse.ArgumentParser) -> None:
    """``--device``, ``--threads`` and the executor's options of the targets that train networks."""
    parser.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    parser.add_argument(
        "--threads",
        type=positive_int,
        default=1,
        help="torch CPU threads while training (default 1: fastest on a shared CPU)",
    )
    executor_arguments(parser)


TRAINING_FIELDS = ("pretrain_n", "pretrain_epochs", "finetune_per_class", "finetune_epochs", "test_n", "otdd_n")
"""The budget options that ``transfer`` and ``transfer-pairs`` share (with ``--seeds``)."""


def training_config(kind: type[T], args: argparse.Namespace) -> T:
    """The :class:`TransferConfig` or :class:`PairsConfig` the target's budget arguments describe."""
    return kind(**{name: getattr(args, name) for name in TRAINING_FIELDS}, seeds=tuple(args.seeds))


def transfer_arguments(parser: argparse.ArgumentParser) -> None:
    d = TransferConfig()
    parser.add_argument(
        "--pretrain-n", type=positive_int, default=d.pretrain_n, help=f"MNIST images (default {d.pretrain_n})"
    )
    parser.add_argument("--pretrain-epochs", type=positive_int, default=d.pretrain_epochs)
    parser.add_argument("--finetune-per-class", type=positive_int, default=d.finetune_per_class)
    parser.add_argument("--finetune-epochs", type=positive_int, default=d.finetune_epochs)
    parser.add_argument("--test-n", type=positive_int, default=d.test_n, help="USPS test images (default: all)")
    parser.add_argument("--otdd-n", type=positive_int, default=d.otdd_n)
    parser.add_argument("--seeds", type=int, nargs="+", default=list(d.seeds))
    parser.add_argument(
        "--settings",
        type=positive_int,
        default=len(DEFAULT_SETTINGS),
        help=f"use the first N of the {len(DEFAULT_SETTINGS)} default settings",
    )
    training_arguments(parser)


def run_transfer(args: argparse.Namespace) -> int:
    """Pretrain on transformed MNIST, fine-tune on USPS: gain vs OTDD."""
    start = time.perf_counter()
    config = training_config(TransferConfig, args)
    settings = DEFAULT_SETTINGS[: args.settings]
    with executor_from_args(args) as executor:
        grid = run_grid(executor, transfer_tasks(settings, config, args.device, args.threads), "precompute transfer")
    study = transfer_study(
        settings, config, device=args.device, threads=args.threads, prior_seconds=grid.wall_seconds
    )  # read back from the cache
    seconds = time.perf_counter() - start
    corr = study.correlations()
    rows = [
        {
            "transform": s.transform,
            "magnitude": s.magnitude,
            "label": s.label,
            "otdd": float(study.otdd[i]),
            "gain_mean": float(study.gain_mean[i]),
            "gain_std": float(study.gain_std[i]),
            "drop_mean": float(study.drop_mean[i]),
            "drop_std": float(study.drop_std[i]),
            "drops": study.drops[i].tolist(),
            "acc_finetune": study.acc_finetune[i].tolist(),
            "acc_scratch": study.acc_scratch.tolist(),
        }
        for i, s in enumerate(study.settings)
    ]
    if args.json:
        print(
            json.dumps(
                {
                    "target": "transfer",
                    "config": asdict(study.config),
                    "device": str(resolve_device(args.device)),
                    "settings": rows,
                    "correlations": corr,
                    "correlations_accuracy_gain": study.accuracy_gain_correlations(),
                    "power": study.power(),
                    "study_settings": protocol_settings(study.settings, study.config),
                    "compute_seconds": study.seconds,
                    "seconds": seconds,
                    "executor": {"name": executor.name, **grid.summary()},
                }
            )
        )
        return 0
    print(f"{'setting':22s} {'OTDD':>8s} {'drop %':>8s} {'± std':>7s} {'acc gain':>9s}")
    for r in rows:
        print(f"{r['label']:22s} {r['otdd']:8.1f} {r['drop_mean']:+8.2f} {r['drop_std']:7.2f} {r['gain_mean']:+9.4f}")
    print(f"scratch accuracy per seed: {', '.join(f'{a:.4f}' for a in study.acc_scratch)}")
    _print_correlations("OTDD vs relative drop in test error", corr, study.power(), TRANSFER_PAPER_R)
    print(f"{seconds:.1f} s (computing took {study.seconds:.1f} s)")
    return 0


def _print_correlations(what: str, corr: dict, power: dict, paper_r: float) -> None:
    print(
        f"{what}: Pearson r = {corr['pearson_r']:.3f} (p = {corr['pearson_p']:.3g}, "
        f"bootstrap 95 % [{corr['pearson_r_ci_low']:.2f}, {corr['pearson_r_ci_high']:.2f}]), "
        f"Spearman rho = {corr['spearman_rho']:.3f} (p = {corr['spearman_p']:.3g}, "
        f"bootstrap 95 % [{corr['spearman_rho_ci_low']:.2f}, {corr['spearman_rho_ci_high']:.2f}])"
    )
    print(power_sentence(power, paper_r))


def transfer_pairs_arguments(parser: argparse.ArgumentParser) -> None:
    d = PairsConfig()
    parser.add_argument(
        "--datasets", nargs="+", default=None, help="datasets to pair (default: every available *NIST-like dataset)"
    )
    parser.add_argument("--pretrain-n", type=positive_int, default=d.pretrain_n)
    parser.add_argument("--pretrain-epochs", type=positive_int, default=d.pretrain_epochs)
    parser.add_argument("--finetune-per-class", type=positive_int, default=d.finetune_per_class)
    parser.add_argument("--finetune-epochs", type=positive_int, default=d.finetune_epochs)
    parser.add_argument("--test-n", type=positive_int, default=d.test_n)
    parser.add_argument("--otdd-n", type=positive_int, default=d.otdd_n)
    parser.add_argument("--seeds", type=int, nargs="+", default=list(d.seeds))
    training_arguments(parser)


def run_transfer_pairs(args: argparse.Namespace) -> int:
    """Pretrain on each dataset, fine-tune on each other one: transferability vs OTDD."""
    start = time.perf_counter()
    config = training_config(PairsConfig, args)
    note(f"reading the datasets {', '.join(args.datasets)} and planning the pretraining, fine-tuning and OTDD runs")
    datasets = list(study_splits(args.datasets, config))  # unknown or too few datasets: exit 2 before any task
    stage1, stage2 = transfer_pairs_tasks(datasets, config, args.device, args.threads)
    with executor_from_args(args) as executor:
        grids = [
            run_grid(executor, stage1, "transfer-pairs: pretrain, scratch, OTDD"),
            run_grid(executor, stage2, "transfer-pairs: fine-tune"),
        ]
    study = transfer_pairs_study(
        datasets, config, device=args.device, threads=args.threads, prior_seconds=sum(g.wall_seconds for g in grids)
    )  # read back from the cache
    seconds = time.perf_counter() - start
    corr, rows = study.correlations(), study.rows()
    if args.json:
        print(
            json.dumps(
                {
                    "target": "transfer-pairs",
                    "device": str(resolve_device(args.device)),
                    "pairs": rows,
                    "correlations": corr,
                    "power": study.power(),
                    "settings": study.settings(),
                    "compute_seconds": study.seconds,
                    "seconds": seconds,
                    "executor": {"name": executor.name, "stages": [g.summary() for g in grids]},
                }
            )
        )
        return 0
    print(f"{'pair':8s} {'OTDD':>8s} {'drop %':>8s} {'± std':>7s}")
    for r in rows:
        print(f"{r['label']:8s} {r['otdd']:8.1f} {r['gain_mean']:+8.2f} {r['gain_std']:7.2f}")
    _print_correlations("OTDD vs relative drop in test error", corr, study.power(), PAIRS_PAPER_R)
    print(f"{seconds:.1f} s (computing took {study.seconds:.1f} s)")
    return 0


TARGETS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {
    "augment": (augment_arguments, run_augment),
    "transfer": (transfer_arguments, run_transfer),
    "transfer-pairs": (transfer_pairs_arguments, run_transfer_pairs),
    "pairs": (pairs_arguments, run_pairs),
}


def add_parser(sub: argparse._SubParsersAction) -> None:
    precompute = sub.add_parser("precompute", help="compute and cache what the app shows")
    targets = precompute.add_subparsers(dest="target", required=True, metavar="TARGET")
    for name, (add_arguments, run) in TARGETS.items():
        target = targets.add_parser(name, help=(run.__doc__ or "").strip() or None)
        add_arguments(target)
        target.add_argument("--json", action="store_true", help="print one JSON object on stdout")
        target.set_defaults(run=run)
