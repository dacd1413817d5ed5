"""``python -m dsviz simex DATASET...``: a SimEx fleet's Δ matrix (and optionally the method comparison).

``--per class`` (default): one autoencoder per class of one DATASET.
``--per dataset``: one autoencoder per DATASET (two or more; derived names
``mnist-rotated`` and ``mnist-background`` are accepted). ``--agreement`` also
computes what the method-agreement page shows for those datasets (SimEx-MSE,
SimEx-iSSIM, AAD, OTDD, sample MSE), so the page opens from the cache.

``--json`` prints one object with ``delta`` (list of lists: row i = the part
evaluated, column k = the autoencoder A(Y_k)), ``parts`` and ``seconds``, plus
``baseline`` (mean pairwise sample MSE, same layout), ``spearman`` (mean row
ordering ρ of Δ vs. the baseline), ``settling`` (ρ of each epoch's ordering vs.
the final one), ``notes`` (missing or partial data), ``cache_hit``, and with
``--agreement`` an ``agreement`` object (an interface: keys are only ever added),
and ``executor`` (``name`` and the grid's :meth:`~dsviz.executor.GridResult.summary`).

The fleet (and with ``--agreement`` every OTDD pair, the SimEx-MSE and
SimEx-iSSIM fleets and AAD) run as tasks of :mod:`dsviz.executor`
(``--executor local|ray``, ``--address``); the output is then read back from
the cache.
"""

from __future__ import annotations

import argparse
import json
import time

from ..device import DEVICE_CHOICES
from ..executor import executor_arguments, executor_from_args
from ..simex import LOSSES, ordering_agreement, sample_mse_matrix, settling_curve
from ..simex import runs
from ..simex.agreement import compare_methods
from .common import positive_int
from .grids import FleetSpec, agreement_tasks, run_grid, simex_tasks


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("simex", help="SimEx: Δ matrix of a fleet of autoencoders (per class or per dataset)")
    p.add_argument("datasets", nargs="+", metavar="DATASET", help="one dataset (--per class) or several (--per dataset)")
    p.add_argument("--loss", choices=LOSSES, default="mse")
    p.add_argument("--per", choices=("class", "dataset"), default="class")
    p.add_argument("--epochs", type=positive_int, default=runs.DEFAULT_EPOCHS, help=f"default {runs.DEFAULT_EPOCHS}")
    p.add_argument("--n", type=positive_int, default=runs.DEFAULT_N, help=f"training images per part (default {runs.DEFAULT_N})")
    p.add_argument("--n-eval", type=positive_int, default=runs.DEFAULT_N_EVAL, help=f"held-out images per part (default {runs.DEFAULT_N_EVAL})")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    p.add_argument("--agreement", action="store_true", help="with --per dataset: also compute every method of the agreement page")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    executor_arguments(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    if args.per == "class":
        if len(args.datasets) != 1:
            raise ValueError("--per class takes exactly one DATASET")
        if args.agreement:
            raise ValueError("--agreement compares datasets: use it with --per dataset")
        parts = runs.class_parts(args.datasets[0], n=args.n, n_eval=args.n_eval, seed=args.seed)
    else:
        if len(args.datasets) < 2:
            raise ValueError("--per dataset needs at least two DATASETs")
        parts = runs.dataset_parts(args.datasets, n=args.n, n_eval=args.n_eval, seed=args.seed)
    spec = FleetSpec(tuple(args.datasets), args.per, args.loss, args.epochs, args.n, args.n_eval, args.seed, args.device)
    tasks = simex_tasks(spec)
    if args.agreement:
        tasks += agreement_tasks(parts.names, args.n, args.n_eval, args.epochs, args.seed, args.device)
    with executor_from_args(args) as executor:
        grid = run_grid(executor, tasks, "SimEx tasks")
    hit = tasks[0].name in grid.cached
    # Everything is in the cache now: these only read it back.
    fleet, _ = runs.simex(parts, args.loss, args.epochs, seed=args.seed, device=args.device)
    report = None
    if args.agreement:
        report = compare_methods(args.datasets, n=args.n, n_eval=args.n_eval, epochs=args.epochs, seed=args.seed,
                                 device=args.device)  # fmt: skip
    baseline = sample_mse_matrix(parts.evaluate, parts.train)
    out = {
        "delta": fleet.delta.tolist(),
        "parts": list(parts.names),
        "seconds": time.perf_counter() - start,
        "train_seconds": fleet.seconds,
        "cache_hit": hit,
        "loss": args.loss,
        "per": args.per,
        "baseline": baseline.tolist(),
        "spearman": ordering_agreement(fleet.delta, baseline),
        "settling": settling_curve(fleet.history).tolist(),
        "notes": parts.notes,
        "executor": {"name": executor.name, **grid.summary()},
    }
    if report is not None:
        out["agreement"] = report.summary()
    if args.json:
        print(json.dumps(out))
        return 0
    width = max(len(p) for p in parts.names)
    print(f"SimEx Δ ({args.loss}), rows = data evaluated, columns = autoencoder trained on:")
    print(" " * (width + 2) + " ".join(f"{p[:8]:>8s}" for p in parts.names))
    for name, row in zip(parts.names, fleet.delta, strict=True):
        print(f"{name:>{width}s}  " + " ".join(f"{v:8.4f}" for v in row))
    print(f"Spearman ρ of row orderings, Δ vs. sample MSE: {out['spearman']:.3f}")
    for dataset, note in parts.notes.items():
        print(f"note: {dataset}: {note}")
    if report is not None:
        print("Spearman ρ between the methods' orderings of dataset pairs:")
        for method, row in zip(out["agreement"]["methods"], out["agreement"]["spearman"], strict=True):
            print(f"{method:>12s}  " + " ".join(f"{v:6.2f}" for v in row))
    print(f"{out['seconds']:.1f} s{' (cached)' if hit else ''}")
    return 0
