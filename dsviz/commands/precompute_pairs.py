"""``python -m dsviz precompute pairs``: the dataset-pair explorer's matrix, couplings and embeddings.

Fills the cache that the "Dataset pairs" page reads, so a demo opens instantly.
With ``--json`` prints one object: ``datasets``, ``missing``, ``settings``,
``otdd``, ``ot`` (lists of lists), ``floor_otdd``, ``split_used``,
``stage_seconds`` ({stage: seconds}), ``pair_seconds`` ({"a|b": seconds}),
``seconds``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from tqdm import tqdm

from ..device import DEVICE_CHOICES
from ..embedding import warm_up
from ..pairs import PAIR_DATASETS, PairSettings, pair_matrix, pair_view
from .common import count_or_all


def pairs_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--datasets", nargs="+", default=list(PAIR_DATASETS),
                        help="registered names or .npz paths (missing ones are reported and skipped)")
    parser.add_argument("--n", type=count_or_all, default=2000, help="samples per dataset (default 2000), or all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--label-distance", choices=("exact", "gaussian"), default="exact")
    parser.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    parser.add_argument("--no-embeddings", dest="embeddings", action="store_false",
                        help="only the matrix, not the per-pair couplings and UMAP embeddings")


def run_pairs(args: argparse.Namespace) -> int:
    """OTDD matrix over the pair datasets, then each pair's coupling and joint UMAP embedding."""
    start = time.perf_counter()
    settings = PairSettings(n=args.n, seed=args.seed, label_distance=args.label_distance, device=args.device)
    stages: dict[str, float] = {}
    with tqdm(desc="matrix", file=sys.stderr, disable=None) as bar:
        def progress(done: int, total: int, what: str) -> None:
            bar.total, bar.n = total, done
            bar.set_postfix_str(what, refresh=True)

        t = time.perf_counter()
        matrix = pair_matrix(args.datasets, settings, progress=progress)
        stages["matrix"] = time.perf_counter() - t
    for name, message in matrix.missing.items():
        print(f"skipped {name}: {message}", file=sys.stderr)
    pair_seconds: dict[str, float] = {}
    if args.embeddings:
        t = time.perf_counter()
        warm_up()
        stages["umap_warm_up"] = time.perf_counter() - t
        names = matrix.datasets
        pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]
        for a, b in tqdm(pairs, desc="pair views", file=sys.stderr, disable=None):
            t = time.perf_counter()
            view = pair_view(a, b, settings)
            pair_seconds[f"{a}|{b}"] = time.perf_counter() - t
            stages["umap"] = stages.get("umap", 0.0) + view.embed_seconds
    seconds = time.perf_counter() - start
    if args.json:
        print(json.dumps({
            "datasets": matrix.datasets, "missing": matrix.missing, "settings": vars(settings),
            "otdd": matrix.otdd.tolist(), "ot": matrix.ot.tolist(), "floor_otdd": matrix.floor_otdd.tolist(),
            "split_used": matrix.split_used, "stage_seconds": stages, "pair_seconds": pair_seconds,
            "seconds": seconds,
        }))
    else:
        print(f"cached {len(matrix.datasets)}x{len(matrix.datasets)} matrix ({settings.describe()})")
        for stage, secs in stages.items():
            print(f"  {stage:14s} {secs:8.1f} s")
        print(f"  {'total':14s} {seconds:8.1f} s")
    return 0
