"""Benchmark: s-OTDD vs exact OTDD on the 6 pairs of mnist, emnist-letters, fashion-mnist, usps.

Protocol (Nguyen et al. 2025, arXiv 2501.18901, Sec. 5.1 "correlation with
OTDD"; NIST settings of the authors' ``adaptation_nist.py``: 5 moments, p = 2):
``n`` class-balanced samples per dataset (train split; EMNIST-letters falls back
to the test split, the only one on disk here), ``to_features`` (MNIST
normalisation) on both sides, one sample per dataset shared by both methods.

* exact OTDD: :func:`dsviz.otdd.compute_otdd` (exact label distances, exact outer
  OT, Alvarez-Melis & Fusi 2020), once per pair;
* s-OTDD: :func:`dsviz.otdd.sliced.compute_sotdd` for each number of projections L and
  each projection seed.

Prints, per L: mean seconds per pair, the ratio exact / s-OTDD time (per pair,
measured back to back in this one run, then averaged over pairs), Spearman's rho between the 6 s-OTDD values and the 6 exact OTDD
values (mean, min and max over seeds), and the spread of the s-OTDD values over
seeds (coefficient of variation, mean over pairs). ``--json PATH`` also writes the
raw numbers. Usage: ``DSVIZ_DATA_DIR=... python -m bench.sotdd_bench [--n 2000]
[--projections 100 1000 10000] [--seeds 5] [--threads 1]``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time

import numpy as np
import torch
from scipy.stats import spearmanr

from dsviz.data import load, to_features
from dsviz.otdd import compute_otdd
from dsviz.otdd.sliced import compute_sotdd

DATASETS = ("mnist", "emnist-letters", "fashion-mnist", "usps")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--projections", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads (the machine is shared)")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--json", dest="json_path")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    data = {name: load(name, split="train", n=args.n, seed=0) for name in DATASETS}
    feats = {name: to_features(d.images) for name, d in data.items()}
    pairs = list(itertools.combinations(DATASETS, 2))

    # Interleaved: each pair's exact OTDD, then its s-OTDD runs, so that both
    # methods' times are measured under the same load of the shared machine.
    values = {L: np.zeros((args.seeds, len(pairs))) for L in args.projections}
    secs = {L: np.zeros((args.seeds, len(pairs))) for L in args.projections}
    exact, exact_s = [], []
    for k, (a, b) in enumerate(pairs):
        start = time.perf_counter()
        res = compute_otdd(feats[a], data[a].labels, feats[b], data[b].labels, device=args.device)
        exact_s.append(time.perf_counter() - start)
        exact.append(res.otdd)
        for L in args.projections:
            for s in range(args.seeds):
                r = compute_sotdd(
                    feats[a], data[a].labels, feats[b], data[b].labels, n_projections=L, seed=s, device=args.device
                )
                values[L][s, k], secs[L][s, k] = r.value, r.seconds
        print(
            f"{a} vs {b}: exact OTDD {res.otdd:.2f} in {exact_s[-1]:.1f} s; s-OTDD seed 0 "
            + ", ".join(f"L={L}: {values[L][0, k]:.4f} in {secs[L][0, k]:.2f} s" for L in args.projections),
            flush=True,
        )

    rows, raw = [], {"pairs": pairs, "exact": exact, "exact_seconds": exact_s, "sotdd": {}}
    for L in args.projections:
        v, t = values[L], secs[L]
        rho = np.array([spearmanr(row, exact).statistic for row in v])
        cv = float((v.std(0, ddof=1) / v.mean(0)).mean()) if args.seeds > 1 else 0.0
        ratio = float(np.mean(np.asarray(exact_s) / t.mean(0)))
        rows.append((L, t.mean(), ratio, rho.mean(), rho.min(), rho.max(), cv))
        raw["sotdd"][L] = {"values": v.tolist(), "seconds": t.tolist(), "spearman": rho.tolist()}
        print(f"L = {L}: rho per seed {np.round(rho, 3).tolist()}", flush=True)

    print(
        f"\nn = {args.n} per dataset, {len(pairs)} pairs, {args.seeds} projection seeds, "
        f"{args.threads} torch thread(s); exact OTDD {np.mean(exact_s):.2f} s per pair"
    )
    print(
        f"{'projections':>11} {'s/pair':>8} {'exact/s-OTDD':>13} {'rho mean':>9} {'rho min':>8} {'rho max':>8} {'CV over seeds':>14}"
    )
    for L, s, ratio, rm, rmin, rmax, cv in rows:
        print(f"{L:>11} {s:>8.2f} {ratio:>13.1f} {rm:>9.3f} {rmin:>8.3f} {rmax:>8.3f} {cv:>14.3f}")
    if args.json_path:
        with open(args.json_path, "w") as fh:
            json.dump(raw, fh)


if __name__ == "__main__":
    main()
