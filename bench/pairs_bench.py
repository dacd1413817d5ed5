"""Benchmark: the dataset-pair explorer computed from an empty cache.

Full matrix over the pair datasets that are available at n = 2000 per dataset
(train split, exact label distances, debiased), then every pair's joint UMAP
embedding (after one warm-up of UMAP's JIT) and hover payload. Prints a
markdown table: OTDD seconds per pair, UMAP seconds per pair (warm), payload
bytes per pair view, and totals.
Usage: ``DSVIZ_DATA_DIR=... python -m bench.pairs_bench [--n 2000] [--device auto]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from dsviz.embedding import warm_up
from dsviz.figures.pair_view import pair_view_payload
from dsviz.figures.pair_view import payload_bytes as json_bytes
from dsviz.runtime.cache import Cache
from dsviz.studies.pairs import PAIR_DATASETS, PairSettings, pair_matrix, pair_view


def payload_bytes(view) -> int:
    """JSON bytes the pair-view component receives for this view (as the page builds it)."""
    return json_bytes(pair_view_payload([view]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    settings = PairSettings(n=args.n, device=args.device)
    with tempfile.TemporaryDirectory() as tmp:
        cache = Cache(tmp)
        start = time.perf_counter()
        matrix = pair_matrix(PAIR_DATASETS, settings, cache=cache)
        matrix_s = time.perf_counter() - start
        warm_s = warm_up()
        names = matrix.datasets
        print(f"datasets: {', '.join(names)}; missing: {', '.join(matrix.missing) or 'none'}; {settings.describe()}")
        print(f"matrix (all cells incl. diagonal and sampling floor): {matrix_s:.1f} s; UMAP warm-up {warm_s:.1f} s")
        print("| pair | OTDD s | UMAP s (warm) | payload MB | OTDD |")
        print("|---|---|---|---|---|")
        total_umap = 0.0
        for i, a in enumerate(names):
            for j in range(i + 1, len(names)):
                b = names[j]
                view = pair_view(a, b, settings, cache=cache)
                total_umap += view.embed_seconds
                print(
                    f"| {a} / {b} | {matrix.seconds[i, j]:.2f} | {view.embed_seconds:.1f} "
                    f"| {payload_bytes(view) / 1e6:.2f} | {matrix.distance[i, j]:,.1f} |",
                    flush=True,
                )
        total = time.perf_counter() - start
        print(f"| total | {matrix_s:.1f} (matrix) | {total_umap:.1f} | | all stages {total:.1f} s |")


if __name__ == "__main__":
    main()
