"""Benchmark: s-OTDD against OTDD-Gaussian on whole datasets, every pair of the available datasets.

For each pair, one child ``python -m dsviz distance SRC TGT --n all --method M --json`` per method (and per
``--projections`` value for s-OTDD), each on an empty cache folder, one after the other, so both sides of a pair
meet the same load. Per child: wall seconds (``perf_counter`` around it), the compute seconds it reports, its CPU
seconds and peak resident memory (``os.wait4``: that child alone). Then per method the ordering of the pairs
(smallest distance first) and Spearman's ρ between each s-OTDD ordering and OTDD-Gaussian's, and the time ratio
OTDD-Gaussian / s-OTDD summed over the pairs. Torch uses all cores in every child (the CLI's default).

Usage: ``DSVIZ_DATA_DIR=... python -m bench.sotdd_full [--datasets mnist emnist-letters fashion-mnist usps]
[--projections 10000 1000] [--n all] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time

from scipy.stats import spearmanr

DATASETS = ["mnist", "emnist-letters", "fashion-mnist", "usps"]


def run_child(src: str, tgt: str, method: str, settings: list[str], n: str = "all") -> dict:
    """One ``dsviz distance`` child on an empty cache: its JSON plus wall / CPU seconds and its own peak RSS."""
    sets = [arg for kv in settings for arg in ("--set", kv)]
    cmd = [sys.executable, "-m", "dsviz", "distance", src, tgt, "--n", n, "--method", method, *sets, "--json"]
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        child = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.DEVNULL, env={**os.environ, "DSVIZ_CACHE_DIR": cache}
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited with {child.returncode}")
        out.seek(0)
        result = json.load(out)
    return {
        **result,
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_gb": usage.ru_maxrss / 1024**2,
        "load_1min": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=DATASETS)
    parser.add_argument("--projections", nargs="+", type=int, default=[10000, 1000])
    parser.add_argument("--n", default="all", help="images per dataset (default: all of them)")
    parser.add_argument("--json", dest="json_path", help="also write every child's row to this file")
    args = parser.parse_args()
    pairs = list(itertools.combinations(args.datasets, 2))
    variants = [("otdd-gaussian", [])] + [("sotdd", [f"n_projections={L}"]) for L in args.projections]
    label = {f"{m}{' ' + s[0] if s else ''}": (m, s) for m, s in variants}
    print(f"cores: {os.cpu_count()}, load average at start: {tuple(round(v, 2) for v in os.getloadavg())}")
    print("| pair | method | value | compute s | wall s | CPU s | peak RSS GB | load at end |")
    print("|---" * 8 + "|", flush=True)
    rows: list[dict] = []
    for src, tgt in pairs:
        for name, (method, settings) in label.items():
            r = run_child(src, tgt, method, settings, args.n)
            rows.append({"pair": f"{src}/{tgt}", "variant": name, **r})
            print(
                f"| {src} / {tgt} | {name} | {r['value']:.6g} | {r['seconds']:.1f} | {r['wall_s']:.1f} "
                f"| {r['cpu_s']:.1f} | {r['peak_gb']:.2f} | {r['load_1min']:.2f} |",
                flush=True,
            )
    print()
    print(
        "| method | total compute s | OTDD-Gaussian / method (compute) | max peak RSS GB | order (closest first) | ρ vs OTDD-Gaussian |"
    )
    print("|---" * 6 + "|")
    by = {name: [r for r in rows if r["variant"] == name] for name in label}
    ref = [r["value"] for r in by["otdd-gaussian"]]
    ref_time = sum(r["seconds"] for r in by["otdd-gaussian"])
    summary = {}
    for name, rs in by.items():
        values = [r["value"] for r in rs]
        order = [rs[i]["pair"] for i in sorted(range(len(rs)), key=lambda i: values[i])]
        rho = float(spearmanr(values, ref).statistic)
        total = sum(r["seconds"] for r in rs)
        summary[name] = {"total_s": total, "speedup": ref_time / total, "rho": rho, "order": order}
        peak = max(r["peak_gb"] for r in rs)
        print(f"| {name} | {total:.1f} | {ref_time / total:.2f}× | {peak:.2f} | {', '.join(order)} | {rho:.3f} |")
    print(f"load average at end: {tuple(round(v, 2) for v in os.getloadavg())}")
    if args.json_path:
        with open(args.json_path, "w") as f:
            json.dump({"rows": rows, "summary": summary}, f, indent=1, default=str)


if __name__ == "__main__":
    main()
