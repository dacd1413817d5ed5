"""Benchmark: dsviz OTDD vs the authors' code (microsoft/otdd), MNIST(train) vs USPS(train).

For each n (samples per side, class-balanced, ``dsviz.data.load``) and seed, both
implementations get the SAME float32 features (written to a temporary .npz):

* ours, two rows per size: the default route ``compute_otdd(..., outer="auto", debiased=True)``
  (network simplex up to 2000 x 2000 points, the authors' Sinkhorn beyond) and like for like
  ``outer="scaling"`` (the authors' debiased epsilon-scaling Sinkhorn divergence at every size);
  the plain-OT comparison is not asked for (it is not part of the OTDD and the reference does not
  compute it);
* reference: ``DatasetDistance(D1, D2, inner_ot_method="gaussian_approx" | "exact",
  debiased_loss=True)`` with its other defaults (geomloss Sinkhorn, entreg 0.1,
  ``distance(maxsamples=10000)``), run by ``--ref-python`` (a separate venv with
  the reference's dependencies) in a subprocess with ``--ref-src`` on its path.
  Its label stage is timed by calling ``_get_label_distances()`` first (the
  object caches it, ``distance()`` reuses it). Its ``sqrtm.py`` calls
  ``Tensor.symeig``, removed from torch 2: the runner defines it with
  ``torch.linalg.eigh`` (same contract, retried in float64 where float32 fails to converge), and
  it calls ``geomloss.utils.squared_distances``, which geomloss 0.3 keeps in
  ``geomloss._legacy.utils``: the runner points the old name there. Its
  package imports three plotting/assignment modules that no distance computation calls
  (``seaborn``, ``adjustText``, ``munkres``); the runner puts empty stand-ins for them in
  ``sys.modules`` that raise if anything is called, so the reference runs in this project's own
  Python (torch, POT, geomloss, scikit-learn, matplotlib are installed; ``--ref-python`` picks
  another). Nothing else of the reference is changed, and it imports no torchvision. Its source:
  github.com/microsoft/otdd at the commit :data:`bench.reference_source.PINNED_COMMIT`, which
  ``python -m bench.reference_source`` writes into ``--ref-src`` (default: its ``default_folder()``).

Both run with ``--threads`` torch threads (default: every core) and time with ``time.perf_counter``
after one warm-up run on the first 200 points of the same arrays. The reference reports the 1/2-cost convention (geomloss's
``p = 2`` cost is ``||x - y||^2 / 2`` and it halves the label term too), so
``ours / ref`` should be about 2. The table prints threads and solver per row, stage seconds,
the limit estimate (:func:`limit_seconds`) beside our time, the speed-up (reference total / our
total) and the value ratio; a last block compares our values with the spread of the reference's
values over the seeds (x 2).

Usage: ``DSVIZ_DATA_DIR=... python -m bench.otdd_reference [--sizes 1000 2000 5000]
[--seeds 0 1 2] [--exact-sizes 2000] [--ref-python PYTHON] [--ref-src DIR] [--threads N]``, after
``python -m bench.reference_source`` once.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from bench import reference_source
from dsviz.data import load, to_features
from dsviz.otdd import compute_otdd
from dsviz.otdd.sinkhorn import AUTHORS_ENTREG, AUTHORS_SCALING, epsilon_schedule, point_diameter

REFERENCE_RUNNER = r"""
import json, sys, time, types
import numpy as np, torch
sys.path.insert(0, sys.argv[1])


def unused(*args, **kwargs):
    raise RuntimeError("a plotting/assignment module the distance does not need was called")


# Imported at module level by otdd's plotting and utils modules, never called by DatasetDistance.distance.
for name, attrs in (("seaborn", ()), ("adjustText", ("adjust_text",)), ("munkres", ("Munkres",))):
    if name not in sys.modules:
        try:
            __import__(name)
        except ImportError:
            stub = types.ModuleType(name)
            for attr in attrs:
                setattr(stub, attr, unused)
            sys.modules[name] = stub


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
import geomloss

if not hasattr(geomloss, "utils"):  # geomloss >= 0.3 keeps the helpers otdd calls in geomloss._legacy.utils
    import geomloss._legacy.utils

    geomloss.utils = geomloss._legacy.utils
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


def run_ours(x1, y1, x2, y2, method: str, outer: str) -> dict:
    kwargs = dict(label_distance=method, outer=outer, debiased=True, device="cpu")
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


def machine_rates(threads: int) -> dict:
    """This machine's rates, measured now with ``threads`` torch threads: float32 and float64 matrix
    products (flop/s, 2000 x 784 x 2000) and one in-place ``exp`` (entries/s, 4096 x 4096 float32)."""
    torch.set_num_threads(threads)
    rates = {}
    for name, dtype in (("gemm32", torch.float32), ("gemm64", torch.float64)):
        a, b = torch.randn(2000, 784, dtype=dtype), torch.randn(784, 2000, dtype=dtype)
        a @ b
        start = time.perf_counter()
        for _ in range(3):
            a @ b
        rates[name] = 3 * 2 * 2000 * 784 * 2000 / (time.perf_counter() - start)
    t = torch.randn(4096, 4096)
    t.exp_()
    start = time.perf_counter()
    for _ in range(3):
        t.clamp_(-80.0, 0.0).exp_()
    rates["exp"] = 3 * t.numel() / (time.perf_counter() - start)
    return rates


def limit_seconds(x1, y1, x2, y2, outer_used: str, rates: dict) -> tuple[float, float | None]:
    """Lower bounds on paper for (label stage, outer Sinkhorn) from :func:`machine_rates`.

    Label stage (Gaussian, low-rank factors of rank r_k = class size): per class pair a product
    2 r1 r2 d, a Gram 2 r^3 and a symmetric eigensolve (4/3) r^3 flops, at the float64 product rate,
    over the K1 K2 cross pairs plus the K(K-1)/2 self pairs of each side that the Sinkhorn's
    debiasing needs. Outer Sinkhorn: three float32 cost matrices (2 n m d flops each) at the float32
    product rate, and per epsilon step four log-sum-exp sweeps with at least one ``exp`` per entry,
    over the schedule the data's diameter gives. No bound for the network simplex (None).
    """
    d = x1.shape[1]
    sizes = [np.bincount(y) for y in (y1, y2)]
    sizes = [s[s > 0] for s in sizes]
    pairs = [(a, b) for a in sizes[0] for b in sizes[1]]
    if outer_used == "scaling":
        pairs += [(s[i], s[j]) for s in sizes for i in range(len(s)) for j in range(i + 1, len(s))]
    flops = sum(2.0 * a * b * d + 2.0 * min(a, b) ** 3 + 4.0 / 3.0 * min(a, b) ** 3 for a, b in pairs)
    label = flops / rates["gemm64"]
    if outer_used != "scaling":
        return label, None
    n, m = len(x1), len(x2)
    tx, ty = torch.as_tensor(x1), torch.as_tensor(x2)
    span = float(len(sizes[0]) + len(sizes[1]) - 1)
    steps = len(epsilon_schedule(point_diameter(tx, ty, span), AUTHORS_ENTREG**0.5, AUTHORS_SCALING)) + 2
    entries = n * m * 2 + n * n + m * m  # the two cross sweeps and the two self sweeps of one step
    outer = 2.0 * d * (n * m + n * n + m * m) / rates["gemm32"] + steps * entries / rates["exp"]
    return label, outer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--exact-sizes", type=int, nargs="*", default=[2000])
    parser.add_argument("--ref-python", default=sys.executable)
    parser.add_argument(
        "--ref-src",
        type=Path,
        default=reference_source.default_folder(),
        help="microsoft/otdd at the pinned commit (python -m bench.reference_source writes it)",
    )
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="torch threads for both sides")
    args = parser.parse_args()
    if not reference_source.is_pinned_source(args.ref_src):
        parser.error(
            f"{args.ref_src} does not hold microsoft/otdd at {reference_source.PINNED_COMMIT}: "
            f"run `python -m bench.reference_source --out {args.ref_src}` (add --repo DIR to use a local clone)"
        )
    rates = machine_rates(args.threads)
    print(f"torch threads: {torch.get_num_threads()}, load average at start: {os.getloadavg()}")
    print(
        f"machine now: float32 product {rates['gemm32'] / 1e9:.0f} GFLOP/s, float64 {rates['gemm64'] / 1e9:.0f} "
        f"GFLOP/s, exp {rates['exp'] / 1e9:.2f} G entries/s"
    )
    print(
        "| n/side | label distance | seed | threads | our solver | ours: label s | ours: outer s | ours: total s "
        "| limit: label + outer s | ref: label s | ref: total s | speed-up (total) | speed-up (label) | ours | ref "
        "| ours / ref | our routes |"
    )
    print("|---" * 17 + "|", flush=True)
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
            ref = run_reference(args.ref_python, args.ref_src, npz, method, args.threads)
            # default route, and like for like (the authors' solver) where the default is another one
            outers = ["auto"] + (["scaling"] if method == "gaussian" and n * n <= 4_000_000 else [])
            for outer in outers:
                torch.set_num_threads(args.threads)
                ours = run_ours(x1, y1, x2, y2, method, outer)
                if outer == "auto":
                    values.setdefault((n, method), []).append((ours["value"], ref["value"]))
                label_limit, outer_limit = limit_seconds(x1, y1, x2, y2, ours["outer_used"], rates)
                limit = f"{label_limit:.2f} + " + (f"{outer_limit:.2f}" if outer_limit is not None else "(simplex)")
                solver = f"{outer} ({ours['outer_used']})" if outer == "auto" else outer
                print(
                    f"| {n} | {method} | {seed} | {args.threads} | {solver} | {ours['label_s']:.2f} "
                    f"| {ours['outer_s']:.2f} | {ours['total_s']:.2f} | {limit} | {ref['label_s']:.2f} "
                    f"| {ref['total_s']:.2f} | {ref['total_s'] / ours['total_s']:.1f}x "
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
