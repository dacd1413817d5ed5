"""Benchmark: one-pixel fits on MNIST, batched histogram Newton in torch vs a scikit-learn loop.

Both sides fit the same problems on the same 50,000 fitting images: for each class
pair and each of the 784 pixels, ``LogisticRegression()`` (L2, C = 1) on that pixel.

* batched: :func:`dsviz.onepixel.fit_one_pixel`, all 45 x 784 models together
  (wall time includes the histograms and the validation scoring);
* loop: one ``sklearn.linear_model.LogisticRegression`` fit and score per pixel. Running
  it on all 35,280 problems would take many minutes, so it is timed on ``--loop-pairs``
  pairs (all 784 pixels each, full data) and scaled to 45 pairs by
  ``45 / loop_pairs``: an estimate, printed as such.

Also prints whether the loop chose the same pixel for the timed pairs and the gap in
validation accuracy. Timings come from one run on a shared machine (other jobs may
use the same cores), so ratios are noisy.
Usage: ``DSVIZ_DATA_DIR=... python -m bench.onepixel_bench [--loop-pairs 2] [--device auto]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression

from dsviz.data import load
from dsviz.device import resolve_device
from dsviz.onepixel import fit_one_pixel, fit_validation_split


def sklearn_pair(x_fit, y_fit, x_val, y_val) -> tuple[int, float]:
    """Best in-sample pixel (first among ties) and its validation accuracy, one fit per pixel."""
    best = (-1.0, -1, None)
    for p in range(x_fit.shape[1]):
        clf = LogisticRegression().fit(x_fit[:, p : p + 1], y_fit)
        acc = clf.score(x_fit[:, p : p + 1], y_fit)
        if acc > best[0]:
            best = (acc, p, clf)
    _, p, clf = best
    return p, clf.score(x_val[:, p : p + 1], y_val)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--loop-pairs", type=int, default=2, help="pairs timed with the scikit-learn loop")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    device = resolve_device(args.device)
    data = load(args.dataset, split="train")
    fit, val = fit_validation_split(len(data.labels), seed=0)
    print(f"device: {device}, torch threads: {torch.get_num_threads()}, "
          f"{len(fit)} fitting / {len(val)} validation images of {args.dataset}")

    start = time.perf_counter()
    res = fit_one_pixel(data.images[fit], data.labels[fit], data.images[val], data.labels[val], data.classes,
                        device=device)
    batched = time.perf_counter() - start
    pairs = res.pairs()

    timed = pairs[:: max(1, len(pairs) // args.loop_pairs)][: args.loop_pairs]
    start = time.perf_counter()
    rows = []
    for i, j in timed:
        mf, mv = np.isin(data.labels[fit], [i, j]), np.isin(data.labels[val], [i, j])
        x_fit = data.images[fit][mf].reshape(mf.sum(), -1) / 255.0
        x_val = data.images[val][mv].reshape(mv.sum(), -1) / 255.0
        p, val_acc = sklearn_pair(x_fit, (data.labels[fit][mf] == j).astype(int), x_val,
                                  (data.labels[val][mv] == j).astype(int))
        rows.append((i, j, divmod(p, 28), val_acc))
    loop = time.perf_counter() - start
    loop_all = loop * len(pairs) / len(timed)

    print()
    print("| pairs x pixels | batched torch s | sklearn loop s (measured) | sklearn loop s (all pairs, scaled) "
          "| speed-up |")
    print("|---|---|---|---|---|")
    print(f"| {len(pairs)} x 784 | {batched:.1f} | {loop:.1f} on {len(timed)} pairs | {loop_all:.0f} (estimate) "
          f"| {loop_all / batched:.0f}x |")
    print()
    print("| pair | sklearn pixel | torch pixel | sklearn val acc | torch val acc |")
    print("|---|---|---|---|---|")
    for i, j, pixel, val_acc in rows:
        print(f"| {data.classes[i]} vs {data.classes[j]} | {pixel} | {tuple(int(v) for v in res.pixel[i, j])} "
              f"| {val_acc:.4f} | {res.val_accuracy[i, j]:.4f} |")


if __name__ == "__main__":
    main()
