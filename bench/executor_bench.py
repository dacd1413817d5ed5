"""Benchmark: the dataset-pair OTDD grid run by the local executor vs a local Ray cluster.

The grid is what ``python -m dsviz precompute pairs --no-embeddings`` computes:
every cell i <= j of the available pair datasets plus each dataset's
independent-sample floor (4 datasets here: 10 + 4 = 14 OTDD tasks), from an
empty cache each time. Rows, in one run:

* local: :class:`~dsviz.runtime.executor.LocalExecutor`, one task after the other in
  this process (torch uses all cores);
* ray (cold): :class:`~dsviz.runtime.executor.RayExecutor` starting a local cluster sized
  to the machine (cluster start reported on its own) and its worker processes;
* ray (warm): the same cluster again, workers already up.

"re-run, all cached" runs the same grid again on the filled cache: only the
driver's probes (each loads the two samples and looks the entry up), the serial
part of every grid.

Ray workers run with one torch thread each (Ray sets ``OMP_NUM_THREADS=1`` for a
1-CPU task), so on 2 cores two tasks run side by side. Also prints the load
average before and after (the machine is shared) and checks that the matrices
agree. Usage: ``DSVIZ_DATA_DIR=... python -m bench.executor_bench [--n 1000]``.

``--grid transfer-pairs`` times the cross-dataset transfer study
(``precompute transfer-pairs``: its two stages, pretraining/scratch/OTDD then
fine-tuning) the same way, at a reduced budget (``--pretrain-n``, one seed by
default) so that it runs in minutes here, and checks that both executors give the
same fine-tuned and scratch accuracies.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

import numpy as np

from dsviz.commands.grids import pair_cell_tasks, transfer_pairs_tasks
from dsviz.runtime.cache import Cache
from dsviz.runtime.executor import Executor, LocalExecutor, RayExecutor
from dsviz.studies.pairs import PAIR_DATASETS, PairSettings, available_pair_datasets, pair_matrix
from dsviz.studies.transfer_pairs import PairsConfig, transfer_pairs_study


def timed_grid(executor: Executor, names: list[str], settings: PairSettings) -> tuple[dict, np.ndarray]:
    """Run the grid into a fresh cache; return its figures and the matrix read back."""
    with tempfile.TemporaryDirectory() as tmp:
        cache = Cache(tmp)
        start = time.perf_counter()
        grid = executor.run(pair_cell_tasks(names, settings), cache=cache)
        wall = time.perf_counter() - start
        grid.raise_failures()
        start = time.perf_counter()
        again = executor.run(pair_cell_tasks(names, settings), cache=cache)  # only the driver's probes
        probe = time.perf_counter() - start
        assert len(again.cached) == len(grid.values)
        matrix = pair_matrix(names, settings, cache=cache)
        assert matrix.cache_hits == len(grid.values)
    task = list(grid.seconds.values())
    return {
        "wall": wall,
        "start": grid.start_seconds,
        "tasks": len(task),
        "task_sum": sum(task),
        "task_median": statistics.median(task),
        "probe": probe,
    }, np.vstack([matrix.distance, matrix.floor])


def timed_transfer_pairs(executor: Executor, names: list[str], config: PairsConfig) -> tuple[dict, np.ndarray]:
    """Both stages of the transfer-pairs study into a fresh cache; its accuracies read back."""
    with tempfile.TemporaryDirectory() as tmp:
        cache = Cache(tmp)
        start = time.perf_counter()
        grids = [executor.run(stage, cache=cache) for stage in transfer_pairs_tasks(names, config, "auto", 1)]
        wall = time.perf_counter() - start
        for grid in grids:
            grid.raise_failures()
        start = time.perf_counter()
        again = [executor.run(stage, cache=cache) for stage in transfer_pairs_tasks(names, config, "auto", 1)]
        probe = time.perf_counter() - start
        assert all(not g.computed for g in again)
        study = transfer_pairs_study(names, config, threads=1, cache=cache)
    task = [t for g in grids for t in g.seconds.values()]
    accuracies = np.concatenate([study.acc_finetune.ravel(), study.acc_scratch.ravel()])
    return {
        "wall": wall,
        "start": sum(g.start_seconds for g in grids),
        "tasks": len(task),
        "task_sum": sum(task),
        "task_median": statistics.median(task),
        "probe": probe,
    }, accuracies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--grid", choices=("pairs", "transfer-pairs"), default="pairs")
    parser.add_argument("--pretrain-n", type=int, default=2000, help="transfer-pairs: source images to pretrain on")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="transfer-pairs: seeds")
    args = parser.parse_args()
    names, missing, _ = available_pair_datasets(PAIR_DATASETS)
    if args.grid == "pairs":
        settings = PairSettings(n=args.n, device=args.device)
        what = settings.describe()

        def timed(executor: Executor) -> tuple[dict, np.ndarray]:
            return timed_grid(executor, names, settings)
    else:
        config = PairsConfig(
            pretrain_n=args.pretrain_n, pretrain_epochs=1, finetune_epochs=5, otdd_n=args.n, seeds=tuple(args.seeds)
        )
        what = f"transfer-pairs, {config}"

        def timed(executor: Executor) -> tuple[dict, np.ndarray]:
            return timed_transfer_pairs(executor, names, config)

    load_before = os.getloadavg()
    runs = {"local": timed(LocalExecutor())}
    with RayExecutor() as ray_executor:
        runs["ray (cold: start cluster + workers)"] = timed(ray_executor)
        runs["ray (warm cluster)"] = timed(ray_executor)
    load_after = os.getloadavg()
    local, ref = runs["local"]
    print(
        f"datasets: {', '.join(names)} (missing: {', '.join(missing) or 'none'}); {what}; "
        f"{os.cpu_count()} CPUs; load average (1 min) {load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )
    print(
        "| executor | tasks | cluster start s | grid wall s | wall without start s | sum of task s | median task s "
        "| speed-up vs local (wall) | without start | max abs diff vs local | re-run, all cached s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, (r, matrix) in runs.items():
        net = r["wall"] - r["start"]
        print(
            f"| {name} | {r['tasks']} | {r['start']:.1f} | {r['wall']:.1f} | {net:.1f} | {r['task_sum']:.1f} "
            f"| {r['task_median']:.2f} | {local['wall'] / r['wall']:.2f}x | {local['wall'] / net:.2f}x "
            f"| {np.abs(matrix - ref).max():.1e} | {r['probe']:.1f} |"
        )


if __name__ == "__main__":
    main()
