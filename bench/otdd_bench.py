"""Benchmark: OTDD MNIST(train) vs USPS(train), fast engine vs straightforward baselines.

For n = 500, 1000, 2000, 5000 samples per side and label distance exact and
gaussian (outer OT exact), measures in one run on the same data:

* fast: ``dsviz.otdd.compute_otdd`` (Bures from per-class factors and one
  ``eigvalsh`` of a small Gram matrix per class pair; shared cost matrix and
  threaded network simplex for the exact label distances);
* baseline: gaussian = full 784 x 784 class covariances with symmetric matrix
  square roots (``torch.linalg.eigh``) per class and per class pair; exact = one
  ``ot.emd2(ot.dist(...))`` per class pair in a Python loop; then the same outer
  OT as the fast path.

Prints seconds, speed-up ratios (label-distance stage and whole OTDD) and the
relative difference of the label-distance matrices and of the OTDD values.
Usage: ``DSVIZ_DATA_DIR=... python -m bench.otdd_bench [--sizes 500 1000] [--device auto]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import ot
import torch

from dsviz.data import load, to_features
from dsviz.otdd import compute_otdd
from dsviz.otdd.costs import squared_euclidean
from dsviz.otdd.outer import solve_coupling, transport_cost
from dsviz.runtime.device import resolve_device


def baseline_gaussian(x1, y1, x2, y2, device) -> np.ndarray:
    """W2^2 between class Gaussians with d x d covariances and matrix square roots."""

    def moments(x, y):
        out = []
        for k in np.unique(y):
            z = torch.as_tensor(x[y == k], device=device, dtype=torch.float64)
            mu = z.mean(0)
            c = (z - mu).T @ (z - mu) / len(z)
            out.append((mu, c))
        return out

    def psd_sqrt(c):
        vals, vecs = torch.linalg.eigh(c)
        return (vecs * vals.clamp_min(0).sqrt()) @ vecs.T

    m1, m2 = moments(x1, y1), moments(x2, y2)
    roots1 = [psd_sqrt(c) for _, c in m1]
    w = np.zeros((len(m1), len(m2)))
    for i, (mu1, c1) in enumerate(m1):
        for j, (mu2, c2) in enumerate(m2):
            cross = torch.linalg.eigvalsh(roots1[i] @ c2 @ roots1[i]).clamp_min(0).sqrt().sum()
            w[i, j] = float(((mu1 - mu2) ** 2).sum() + torch.trace(c1) + torch.trace(c2) - 2 * cross)
    return np.clip(w, 0, None)


def baseline_exact(x1, y1, x2, y2) -> np.ndarray:
    """W2^2 between class samples: one POT emd2 per class pair, costs rebuilt each time."""
    c1, c2 = np.unique(y1), np.unique(y2)
    w = np.zeros((len(c1), len(c2)))
    for i, a in enumerate(c1):
        for j, b in enumerate(c2):
            xa, xb = x1[y1 == a], x2[y2 == b]
            w[i, j] = ot.emd2(ot.unif(len(xa)), ot.unif(len(xb)), ot.dist(xa, xb), numItermax=10_000_000)
    return w


def baseline_otdd(x1, y1, x2, y2, w, device) -> float:
    """Outer exact OT with the given label distances (same solver as the fast path)."""
    t1 = torch.as_tensor(x1, device=device, dtype=torch.float64)
    t2 = torch.as_tensor(x2, device=device, dtype=torch.float64)
    cost = squared_euclidean(t1, t2) + torch.as_tensor(w, device=device)[y1][:, y2]
    return transport_cost(solve_coupling(cost, "exact"), cost)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 2000, 5000])
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    device = resolve_device(args.device)
    print(f"device: {device}, torch threads: {torch.get_num_threads()}")
    header = (
        "| n/side | label distance | fast label s | baseline label s | label speed-up "
        "| fast OTDD s | baseline OTDD s | OTDD speed-up | max rel diff W | rel diff OTDD |"
    )
    print(header)
    print("|---" * 10 + "|")
    for n in args.sizes:
        a, b = load("mnist", "train", n=n, seed=0), load("usps", "train", n=n, seed=0)
        x1, x2 = to_features(a.images).astype(np.float64), to_features(b.images).astype(np.float64)
        y1, y2 = a.labels, b.labels
        for method in ("gaussian", "exact"):
            start = time.perf_counter()
            fast = compute_otdd(x1, y1, x2, y2, label_distance=method, device=device)
            fast_total = time.perf_counter() - start
            fast_label = fast.timings["label_distances"]
            plain_ot = fast.timings["plain_ot"]  # not part of the OTDD value; left out of both totals
            start = time.perf_counter()
            w = baseline_gaussian(x1, y1, x2, y2, device) if method == "gaussian" else baseline_exact(x1, y1, x2, y2)
            base_label = time.perf_counter() - start
            base_value = baseline_otdd(x1, y1, x2, y2, w, device)
            base_total = time.perf_counter() - start
            rel_w = float(np.max(np.abs(w - fast.label_distances) / np.maximum(np.abs(w), 1e-12)))
            rel_otdd = abs(base_value - fast.otdd) / abs(base_value)
            fast_otdd_s = fast_total - plain_ot
            print(
                f"| {n} | {method} | {fast_label:.3f} | {base_label:.3f} | {base_label / fast_label:.1f}x "
                f"| {fast_otdd_s:.2f} | {base_total:.2f} | {base_total / fast_otdd_s:.2f}x "
                f"| {rel_w:.1e} | {rel_otdd:.1e} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
