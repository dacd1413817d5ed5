"""Benchmark: training a SimEx per-class fleet as one batched model vs. one autoencoder at a time.

On MNIST (train split, ``--n`` images per class, ``--n-eval`` held out), for
the MSE and iSSIM losses, measures in one run:

* fleet: :func:`dsviz.simex.train_fleet` on all 10 classes at once (grouped
  convolutions, one optimizer step per minibatch for all members);
* one by one: the same function with one class per call, 10 calls, each
  autoencoder then evaluated on every class's held-out images (same Δ matrix);
* the fleet with 2 torch CPU threads instead of 1 ("2 vs 1 thread" > 1: two are faster).

Prints seconds, the speed-up ratio and Spearman ρ between the row orderings of
the two Δ matrices (different random initialisations, so ρ < 1 is expected).
Other processes share the CPU cores, so timings are noisy: compare ratios
within one run. Usage: ``DSVIZ_DATA_DIR=... python -m bench.simex_bench [--n 300] [--epochs 2]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from dsviz.runtime.device import resolve_device
from dsviz.simex import ordering_agreement, runs, train_fleet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--n-eval", type=int, default=50)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    device = resolve_device(args.device)
    parts = runs.class_parts(args.dataset, n=args.n, n_eval=args.n_eval)
    print(
        f"device: {device}; {args.dataset}: {len(parts.names)} classes x {args.n} training images, "
        f"{args.n_eval} held out, {args.epochs} epochs, batch 32"
    )
    # warm-up: oneDNN builds its kernels on first use; keep that out of the timings
    for members in (parts.train, parts.train[:1]):
        train_fleet([t[:64] for t in members], parts.evaluate[:1], parts.names[:1], epochs=1, device=device)
    print(
        "| loss | fleet s (1 thread) | one-by-one s (1 thread) | speed-up | fleet s (2 threads) "
        "| 2 vs 1 thread | ρ(Δ fleet, Δ one-by-one) |"
    )
    print("|---" * 7 + "|")
    for loss in ("mse", "issim"):
        common = {"loss": loss, "epochs": args.epochs, "device": device, "cpu_threads": 1}
        start = time.perf_counter()
        fleet = train_fleet(parts.train, parts.evaluate, parts.names, **common)
        fleet_s = time.perf_counter() - start
        start = time.perf_counter()
        columns = [train_fleet([t], parts.evaluate, parts.names, **common).delta[:, 0] for t in parts.train]
        single_s = time.perf_counter() - start
        start = time.perf_counter()
        train_fleet(parts.train, parts.evaluate, parts.names, **{**common, "cpu_threads": 2})
        two_s = time.perf_counter() - start
        rho = ordering_agreement(fleet.delta, np.stack(columns, axis=1))
        print(
            f"| {loss} | {fleet_s:.1f} | {single_s:.1f} | {single_s / fleet_s:.2f}x | {two_s:.1f} "
            f"| {fleet_s / two_s:.2f}x | {rho:.3f} |",
            flush=True,
        )
    print(f"(torch {torch.__version__}; the fleet's Δ rows are compared with the one-by-one Δ rows)")


if __name__ == "__main__":
    main()
