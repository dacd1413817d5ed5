"""``python -m dsviz precompute pairs``: the dataset-pair explorer's matrix, couplings and embeddings.

Fills the cache that the "Dataset pairs" page reads, so a demo opens instantly.
With ``--json`` prints one object: ``datasets``, ``missing``, ``settings``,
``otdd`` (the chosen method's matrix, OTDD by default), ``ot`` (lists of lists;
NaN for methods other than OTDD), ``floor_otdd``, ``split_used``, ``method``,
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
from ..methods import METHODS
from ..otdd import OUTER_CHOICES
from ..pairs import PAIR_DATASETS, PairSettings, pair_matrix, pair_view
from .common import positive_int


def pairs_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--datasets", nargs="+", default=list(PAIR_DATASETS),
                        help="registered names or .npz paths (missing ones are reported and skipped)")
    parser.add_argument("--n", type=positive_int, default=2000, help="samples per dataset (default 2000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--label-distance", choices=("exact", "gaussian"), default="exact",
                        help="OTDD label distance (the method otdd-exact or otdd-gaussian)")
    parser.add_argument("--method", choices=[m for m in METHODS if METHODS[m].matrix is None],
                        help="any pairwise registered method instead (e.g. sotdd); the pair views stay OTDD")
    parser.add_argument("--outer", choices=OUTER_CHOICES, default="exact", help="outer OT solver of the OTDD methods")
    parser.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    parser.add_argument("--no-embeddings", dest="embeddings", action="store_false",
                        help="only the matrix, not the per-pair couplings and UMAP embeddings")


def run_pairs(args: argparse.Namespace) -> int:
    """OTDD matrix over the pair datasets, then each pair's coupling and joint UMAP embedding."""
    start = time.perf_counter()
    method = args.method or f"otdd-{args.label_distance}"
    settings = PairSettings(n=args.n, seed=args.seed, method=method, outer=args.outer, device=args.device)
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
            "datasets": matrix.datasets, "missing": matrix.missing,
            "settings": {**vars(settings), "label_distance": args.label_distance},
            "otdd": matrix.distance.tolist(), "ot": matrix.ot.tolist(), "floor_otdd": matrix.floor.tolist(),
            "method": method,
            "split_used": matrix.split_used, "stage_seconds": stages, "pair_seconds": pair_seconds,
            "seconds": seconds,
        }))
    else:
        print(f"cached {len(matrix.datasets)}x{len(matrix.datasets)} matrix ({settings.describe()})")
        for stage, secs in stages.items():
            print(f"  {stage:14s} {secs:8.1f} s")
        print(f"  {'total':14s} {seconds:8.1f} s")
    return 0
