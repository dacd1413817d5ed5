"""Benchmark: dsviz OTDD vs the authors' code (microsoft/otdd), MNIST(train) vs USPS(train).

For each n (samples per side, class-balanced, ``dsviz.data.load``) and seed, both
implementations get the SAME float32 features (written to a temporary .npz):

* ours: ``compute_otdd(..., outer="auto", debiased=True, plain_ot=False)`` (the
  plain-OT comparison is not part of the OTDD and the reference does not compute it);
* reference: ``DatasetDistance(D1, D2, inner_ot_method="gaussian_approx" | "exact",
  debiased_loss=True)`` with its other defaults (geomloss Sinkhorn, entreg 0.1,
  ``distance(maxsamples=10000)``), run by ``--ref-python`` (a separate venv with
  the reference's dependencies) in a subprocess with ``--ref-src`` on its path.
  Its label stage is timed by calling ``_get_label_distances()`` first (the
  object caches it, ``distance()`` reuses it). Its ``sqrtm.py`` calls
  ``Tensor.symeig``, removed from torch 2: the runner defines it with
  ``torch.linalg.eigh`` (same contract, retried in float64 where float32 fails to converge); nothing else of the reference is changed,
  and it imports no torchvision.

Both run with ``--threads`` torch threads (default 1) and time with ``time.perf_counter`` after one warm-up run on the first 200 points
of the same arrays. The reference reports the 1/2-cost convention (geomloss's
``p = 2`` cost is ``||x - y||^2 / 2`` and it halves the label term too), so
``ours / ref`` should be about 2. The table prints stage seconds, the speed-up
(reference total / our total) and the value ratio; a last block compares our
values with the spread of the reference's values over the seeds (x 2).

Usage: ``DSVIZ_DATA_DIR=... python -m bench.otdd_reference [--sizes 1000 2000 5000]
[--seeds 0 1 2] [--exact-sizes 2000] [--ref-python /work/refvenv/bin/python]
[--ref-src /work/ref/otdd] [--threads 1]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np
import torch

from dsviz.data import load, to_features
from dsviz.otdd import compute_otdd

REFERENCE_RUNNER = r"""
import json, sys, time
import numpy as np, torch
sys.path.insert(0, sys.argv[1])


def symeig(a, eigenvectors=False, upper=True):
    # torch.symeig (used by otdd's sqrtm.py) was removed from torch 2; same contract via linalg.eigh.
    # float32 syevd can fail to converge on the rank-deficient products otdd forms; retry in float64.
    try:
        vals, vecs = torch.linalg.eigh(a, UPLO="U" if upper else "L")
    except torch.linalg.LinAlgError:
        vals, vecs = (t.to(a.dtype) for t in torch.linalg.eigh(a.double(), UPLO="U" if upper else "L"))
    return vals, (vecs if eigenvectors else torch.empty(0))


torch.symeig = symeig
torch.Tensor.symeig = symeig
from torch.utils.data import TensorDataset
from otdd.pytorch.distance import DatasetDistance  # imports no torchvision (datasets.py is not needed)

data = np.load(sys.argv[2])
method = sys.argv[3]
torch.set_num_threads(int(sys.argv[4]))

def run(n=None):
    sl = slice(None) if n is None else slice(0, n)
    d1 = TensorDataset(torch.as_tensor(data["x1"][sl]), torch.as_tensor(data["y1"][sl]).long())
    d2 = TensorDataset(torch.as_tensor(data["x2"][sl]), torch.as_tensor(data["y2"][sl]).long())
    start = time.perf_counter()
    dist = DatasetDistance(d1, d2, inner_ot_method=method, debiased_loss=True, device="cpu", verbose=0)
    dist._get_label_distances()
    label = time.perf_counter() - start
    value = float(dist.distance())
    return value, label, time.perf_counter() - start

run(200)  # warm-up
value, label, total = run()
print(json.dumps({"value": value, "label_s": label, "total_s": total}))
"""


def run_reference(ref_python: str, ref_src: str, npz: str, method: str, threads: int) -> dict:
    out = subprocess.run(
        [
            ref_python,
            "-c",
            REFERENCE_RUNNER,
            ref_src,
            npz,
            "gaussian_approx" if method == "gaussian" else "exact",
            str(threads),
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_ours(x1, y1, x2, y2, method: str) -> dict:
    kwargs = dict(label_distance=method, outer="auto", debiased=True, plain_ot=False, device="cpu")
    compute_otdd(x1[:200], y1[:200], x2[:200], y2[:200], **kwargs)  # warm-up
    start = time.perf_counter()
    res = compute_otdd(x1, y1, x2, y2, **kwargs)
    total = time.perf_counter() - start
    return {
        "value": res.otdd,
        "label_s": res.timings["label_distances"],
        "outer_s": res.timings["outer_ot"],
        "total_s": total,
        "outer_used": res.options["outer_used"],
        "label_route": res.options["label_route"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--exact-sizes", type=int, nargs="*", default=[2000])
    parser.add_argument("--ref-python", default="/work/refvenv/bin/python")
    parser.add_argument("--ref-src", default="/work/ref/otdd")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads for both sides (1: the shared 2-core machine oversubscribes badly)",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch threads: {torch.get_num_threads()}, load average at start: {os.getloadavg()}")
    print(
        "| n/side | label distance | seed | ours: label s | ours: outer s | ours: total s | ref: label s "
        "| ref: total s | speed-up (total) | speed-up (label) | ours | ref | ours / ref | our routes |"
    )
    print("|---" * 14 + "|", flush=True)
    values: dict[tuple[int, str], list[tuple[float, float]]] = {}
    # Seed-major order: every size gets its first row early; later seeds add the spread.
    jobs = [
        (n, m, s)
        for s in args.seeds
        for n in args.sizes
        for m in ("gaussian", "exact")
        if m == "gaussian" or (n in args.exact_sizes and s == args.seeds[0])
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for n, method, seed in jobs:
            a, b = load("mnist", "train", n=n, seed=seed), load("usps", "train", n=n, seed=seed)
            x1, x2 = to_features(a.images).astype(np.float32), to_features(b.images).astype(np.float32)
            y1, y2 = a.labels.astype(np.int64), b.labels.astype(np.int64)
            npz = os.path.join(tmp, "sample.npz")
            np.savez(npz, x1=x1, y1=y1, x2=x2, y2=y2)
            ours = run_ours(x1, y1, x2, y2, method)
            ref = run_reference(args.ref_python, args.ref_src, npz, method, args.threads)
            values.setdefault((n, method), []).append((ours["value"], ref["value"]))
            print(
                f"| {n} | {method} | {seed} | {ours['label_s']:.2f} | {ours['outer_s']:.2f} | {ours['total_s']:.2f} "
                f"| {ref['label_s']:.2f} | {ref['total_s']:.2f} | {ref['total_s'] / ours['total_s']:.1f}x "
                f"| {ref['label_s'] / ours['label_s']:.1f}x | {ours['value']:.1f} | {ref['value']:.1f} "
                f"| {ours['value'] / ref['value']:.3f} | {ours['label_route']}, {ours['outer_used']} |",
                flush=True,
            )
    print()
    print(
        "| n/side | label distance | seeds | ours: mean (min-max) | 2 x ref: mean (min-max) | (ours - 2 ref) / 2 ref |"
    )
    print("|---" * 6 + "|")
    for (n, method), pairs in values.items():
        ours_v = np.array([p[0] for p in pairs])
        ref_v = 2 * np.array([p[1] for p in pairs])
        print(
            f"| {n} | {method} | {len(pairs)} | {ours_v.mean():.1f} ({ours_v.min():.1f}-{ours_v.max():.1f}) "
            f"| {ref_v.mean():.1f} ({ref_v.min():.1f}-{ref_v.max():.1f}) "
            f"| {(ours_v.mean() - ref_v.mean()) / ref_v.mean():+.2%} |"
        )
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
