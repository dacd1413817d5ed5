"""Benchmark: OTDD on whole datasets from the command line (full MNIST-size datasets, no subsampling).

Runs ``python -m dsviz otdd SRC TGT --n all --label-distance gaussian --json`` (and,
for the consistency check, the same with ``--n 5000``) as child processes with an
empty cache directory each, and prints one table: wall seconds (``perf_counter``
around the child), CPU seconds and peak resident memory of the child
(``resource.getrusage(RUSAGE_CHILDREN)``, read after each child; ``ru_maxrss`` is the
largest child so far, so the full-data run goes first), the stage times the CLI
reports, the routes used, and the OTDD value next to the n = 5000 estimate.

Usage: ``DSVIZ_DATA_DIR=... python -m bench.otdd_full [--src mnist] [--tgt usps] [--sizes all 5000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def run_cli(src: str, tgt: str, n: str) -> dict:
    """One ``dsviz otdd`` child on an empty cache: its JSON plus wall/CPU seconds and peak RSS so far."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "dsviz", "otdd", src, tgt, "--n", n, "--label-distance", "gaussian", "--json"],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "DSVIZ_CACHE_DIR": cache},
        )
        wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(out.stdout)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {**result, "wall_s": wall, "cpu_s": cpu, "peak_gb": after.ru_maxrss / 1024**2}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", default="mnist")
    parser.add_argument("--tgt", default="usps")
    parser.add_argument("--sizes", nargs="+", default=["all", "5000"])
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average at start: {tuple(round(v, 2) for v in os.getloadavg())}")
    print(
        "| n | n_src | n_tgt | wall s | CPU s | peak RSS GB (so far) | label s | outer s | plain OT s "
        "| summaries s | routes | OTDD | OT |"
    )
    print("|---" * 13 + "|", flush=True)
    values = {}
    for n in args.sizes:
        r = run_cli(args.src, args.tgt, n)
        t, o = r["timings"], r["options"]
        values[n] = r["otdd"]
        print(
            f"| {n} | {r['n_src']} | {r['n_tgt']} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['peak_gb']:.2f} "
            f"| {t.get('label_distances', 0):.1f} | {t.get('outer_ot', 0):.1f} | {t.get('plain_ot', 0):.1f} "
            f"| {t.get('summaries', 0):.1f} | {o['label_route']}, {o['outer_used']} {o['outer_samples']} "
            f"| {r['otdd']:.1f} | {r['ot']:.1f} |",
            flush=True,
        )
    if "all" in values and len(values) > 1:
        for n, v in values.items():
            if n != "all":
                print(f"OTDD(all) / OTDD(n = {n}) = {values['all'] / v:.4f}")
    print(f"load average at end: {tuple(round(v, 2) for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
