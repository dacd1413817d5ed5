"""Benchmark: one-pixel fits, batched Newton in torch vs a per-pixel scikit-learn loop, either protocol.

Both sides fit the same problems: for each class pair and each of the 784 pixels a
one-feature logistic regression (L2, C = 1), then the best in-sample pixel is scored.

* ``--protocol published`` (the article's code): L2-normalized images, the whole train
  split, scored on the test split; the loop is the article's own call,
  ``LogisticRegression(solver="sag")`` (seeded here), and the batched side is
  :func:`dsviz.studies.onepixel.fit_one_pixel_published` (padded per-sample tables).
* ``--protocol heldout``: pixels / 255, 50,000 fitting / 10,000 validation images of
  train; the loop is ``LogisticRegression()`` (lbfgs), the batched side
  :func:`dsviz.studies.onepixel.fit_one_pixel` (256-level histograms).

Batched wall time includes the preprocessing and the held-out scoring. Running the loop
on all 35,280 problems would take many minutes, so it is timed on ``--loop-pairs`` pairs
(all 784 pixels each, full data) and scaled to 45 pairs by ``45 / loop_pairs``: an
estimate, printed as such. Also prints whether the loop chose the same pixel and both
held-out accuracies. Timings come from one run on a shared machine (other jobs may use
the same cores), so ratios are noisy.
Usage: ``DSVIZ_DATA_DIR=... python -m bench.onepixel_bench [--protocol published] [--dataset mnist]
[--loop-pairs 2] [--device auto]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression

from dsviz.data import load
from dsviz.runtime.device import resolve_device
from dsviz.studies.onepixel import (
    PROTOCOLS,
    fit_one_pixel,
    fit_one_pixel_published,
    fit_validation_split,
    l2_normalized,
)


def sklearn_pair(make, x_fit, y_fit, x_val, y_val) -> tuple[int, float]:
    """Best in-sample pixel (first among ties, strict ``>``) and its held-out accuracy, one fit per pixel."""
    best = (-1.0, -1, None)
    for p in range(x_fit.shape[1]):
        clf = make().fit(x_fit[:, p : p + 1], y_fit)
        acc = clf.score(x_fit[:, p : p + 1], y_fit)
        if acc > best[0]:
            best = (acc, p, clf)
    _, p, clf = best
    return p, clf.score(x_val[:, p : p + 1], y_val)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--protocol", choices=PROTOCOLS, default="published")
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--loop-pairs", type=int, default=2, help="pairs timed with the scikit-learn loop")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    device = resolve_device(args.device)
    train = load(args.dataset, split="train")
    if args.protocol == "published":
        test = load(args.dataset, split="test")
        fit_im, fit_lab, val_im, val_lab = train.images, train.labels, test.images, test.labels
        x_fit, x_val = l2_normalized(fit_im), l2_normalized(val_im)
        fitter, make = fit_one_pixel_published, lambda: LogisticRegression(solver="sag", random_state=0)
    else:
        fit, val = fit_validation_split(len(train.labels), seed=0)
        fit_im, fit_lab, val_im, val_lab = train.images[fit], train.labels[fit], train.images[val], train.labels[val]
        x_fit, x_val = fit_im.reshape(len(fit_im), -1) / 255.0, val_im.reshape(len(val_im), -1) / 255.0
        fitter, make = fit_one_pixel, LogisticRegression
    print(
        f"device: {device}, torch threads: {torch.get_num_threads()}, protocol {args.protocol}: "
        f"{len(fit_lab)} fitting / {len(val_lab)} held-out images of {args.dataset}"
    )

    start = time.perf_counter()
    res = fitter(fit_im, fit_lab, val_im, val_lab, train.classes, device=device)
    batched = time.perf_counter() - start
    pairs = res.pairs()

    timed = pairs[:: max(1, len(pairs) // args.loop_pairs)][: args.loop_pairs]
    start = time.perf_counter()
    rows = []
    for i, j in timed:
        mf, mv = np.isin(fit_lab, [i, j]), np.isin(val_lab, [i, j])
        p, val_acc = sklearn_pair(make, x_fit[mf], fit_lab[mf], x_val[mv], val_lab[mv])
        rows.append((i, j, divmod(p, 28), val_acc))
    loop = time.perf_counter() - start
    loop_all = loop * len(pairs) / len(timed)

    print()
    print(
        "| protocol | pairs x pixels | batched torch s | sklearn loop s (measured) "
        "| sklearn loop s (all pairs, scaled) | speed-up |"
    )
    print("|---|---|---|---|---|---|")
    print(
        f"| {args.protocol} | {len(pairs)} x 784 | {batched:.1f} | {loop:.1f} on {len(timed)} pairs "
        f"| {loop_all:.0f} (estimate) | {loop_all / batched:.0f}x |"
    )
    print()
    print("| pair | sklearn pixel | torch pixel | sklearn held-out acc | torch held-out acc |")
    print("|---|---|---|---|---|")
    for i, j, pixel, val_acc in rows:
        print(
            f"| {train.classes[i]} vs {train.classes[j]} | {pixel} | {tuple(int(v) for v in res.pixel[i, j])} "
            f"| {val_acc:.4f} | {res.val_accuracy[i, j]:.4f} |"
        )


if __name__ == "__main__":
    main()
