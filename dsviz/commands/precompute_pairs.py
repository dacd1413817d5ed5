"""``python -m dsviz precompute pairs``: the dataset-pair explorer's matrix, couplings and embeddings.

Fills the cache that the "Dataset pairs" page reads, so a demo opens instantly.
With ``--json`` prints one object: ``datasets``, ``missing``, ``settings``,
``otdd`` (the chosen method's matrix, OTDD by default), ``ot`` (lists of lists;
NaN for methods other than OTDD), ``floor_otdd``, ``split_used``, ``method``,
``stage_seconds`` ({stage: seconds}), ``pair_seconds`` ({"a|b": seconds}),
``seconds``, ``executor`` ({``name``, ``matrix``: the grid's
:meth:`~dsviz.runtime.executor.GridResult.summary`, ``views``: the same for the
embeddings}).

The matrix cells, then the pair views, run as tasks of :mod:`dsviz.runtime.executor`
(``--executor local|ray``, ``--address``); the matrix and views are then read
back from the cache exactly as the page reads them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

from dsviz.commands.common import count_or_all, note
from dsviz.commands.grids import pair_cell_tasks, pair_view_tasks, run_grid
from dsviz.embedding import warm_up
from dsviz.methods import METHODS
from dsviz.otdd import OUTER_CHOICES
from dsviz.runtime.device import DEVICE_CHOICES
from dsviz.runtime.executor import Executor, executor_arguments, executor_from_args
from dsviz.studies.pairs import PAIR_DATASETS, PairMatrix, PairSettings, available_pair_datasets, pair_matrix, pair_view


def pairs_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--datasets",
        nargs="+",
        default=list(PAIR_DATASETS),
        help="registered names or .npz paths (missing ones are reported and skipped)",
    )
    parser.add_argument("--n", type=count_or_all, default=2000, help="samples per dataset (default 2000), or all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--label-distance",
        choices=("exact", "gaussian"),
        default="exact",
        help="OTDD label distance (the method otdd-exact or otdd-gaussian)",
    )
    parser.add_argument(
        "--method",
        choices=[m for m in METHODS if METHODS[m].matrix is None],
        help="any pairwise registered method instead (e.g. sotdd); the pair views stay OTDD",
    )
    parser.add_argument(
        "--outer",
        choices=OUTER_CHOICES,
        default="auto",
        help="outer OT solver of the OTDD methods (auto: exact up to 2000 x 2000 points, scaling beyond)",
    )
    parser.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    parser.add_argument(
        "--no-embeddings",
        dest="embeddings",
        action="store_false",
        help="only the matrix, not the per-pair couplings and UMAP embeddings",
    )
    executor_arguments(parser)


def run_pairs(args: argparse.Namespace) -> int:
    """OTDD matrix over the pair datasets, then each pair's coupling and joint UMAP embedding."""
    start = time.perf_counter()
    method = args.method or f"otdd-{args.label_distance}"
    settings = PairSettings(n=args.n, seed=args.seed, method=method, outer=args.outer, device=args.device)
    with executor_from_args(args) as executor:
        summary, matrix, stages, pair_seconds = _grids(args, settings, executor)
    seconds = time.perf_counter() - start
    if args.json:
        print(
            json.dumps(
                {
                    "datasets": matrix.datasets,
                    "missing": matrix.missing,
                    "settings": {**vars(settings), "label_distance": args.label_distance},
                    "otdd": matrix.distance.tolist(),
                    "ot": np.where(np.isfinite(matrix.ot), matrix.ot, None).tolist(),
                    "floor_otdd": matrix.floor.tolist(),
                    "method": method,
                    "split_used": matrix.split_used,
                    "stage_seconds": stages,
                    "pair_seconds": pair_seconds,
                    "seconds": seconds,
                    "executor": summary,
                }
            )
        )
    else:
        print(f"cached {len(matrix.datasets)}x{len(matrix.datasets)} matrix ({settings.describe()})")
        for stage, secs in stages.items():
            print(f"  {stage:14s} {secs:8.1f} s")
        print(f"  {'total':14s} {seconds:8.1f} s")
    return 0


def _grids(args: argparse.Namespace, settings: PairSettings, executor: Executor) -> tuple[dict, PairMatrix, dict, dict]:
    """Run the matrix grid (and the pair-view grid); read both back from the cache."""
    summary: dict = {"name": executor.name}
    stages: dict[str, float] = {}
    t = time.perf_counter()
    note(f"checking the datasets {', '.join(args.datasets)}")
    available, _, _ = available_pair_datasets(args.datasets)
    summary["matrix"] = run_grid(executor, pair_cell_tasks(available, settings), "matrix").summary()
    matrix = pair_matrix(args.datasets, settings)  # every cell is a cache hit now
    stages["matrix"] = time.perf_counter() - t
    for name, message in matrix.missing.items():
        print(f"skipped {name}: {message}", file=sys.stderr)
    pair_seconds: dict[str, float] = {}
    if args.embeddings:
        t = time.perf_counter()
        if executor.name == "local":
            note("compiling UMAP's kernels (or loading them from numba's cache)")
            warm_up()  # numba compiles UMAP once here; Ray workers compile in their own processes
        stages["umap_warm_up"] = time.perf_counter() - t
        tasks = pair_view_tasks(matrix.datasets, settings)
        views = run_grid(executor, tasks, "pair views")
        summary["views"] = views.summary()
        stages["umap"] = 0.0
        for task in tasks:
            pair = f"{task.spec.src}|{task.spec.tgt}"
            if task.name in views.values:  # computed in this run: its task time and UMAP time
                pair_seconds[pair], umap = views.seconds[task.name], views.values[task.name]
            else:  # cached: the time to read it back
                t = time.perf_counter()
                umap = pair_view(task.spec.src, task.spec.tgt, settings).embed_seconds
                pair_seconds[pair] = time.perf_counter() - t
            stages["umap"] += umap
    return summary, matrix, stages, pair_seconds
