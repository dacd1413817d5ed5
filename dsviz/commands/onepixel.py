"""``python -m dsviz onepixel DATASET``: the best single pixel for every pair of classes.

Fits the one-pixel logistic regressions of :mod:`dsviz.studies.onepixel` and fills the cache
the one-pixel page reads, so it doubles as that page's precompute step. ``--protocol``:
``heldout`` (default; the training split cut 5:1 into fitting and validation parts with
``--seed``, pixels / 255) or ``published`` (the article's code: L2-normalized images,
fitted on the whole train split, scored on the test split).

``--json`` prints one object with ``protocol``, ``classes``, ``val_accuracy`` and
``train_accuracy`` (K x K lists of lists, symmetric, ``null`` on the diagonal and for absent
classes; ``val_accuracy`` is the held-out accuracy: the validation part of train for
``heldout``, the test split for ``published``), ``pixel`` (K x K of ``[row, col]`` or
``null``), ``threshold`` (where the prediction flips: gray level 0..255 for ``heldout``,
``pixel / ||image||`` for ``published``; or ``null``), ``weight`` and ``bias`` (K x K, entry
``[i][j]`` the slope on the feature scale and intercept of class ``j`` against class ``i``;
antisymmetric), ``n_fit``, ``n_val``, ``split_used``, ``cache_hit`` and ``seconds`` (an
interface: keys are only ever added).
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np

from dsviz.commands.common import progress_bar
from dsviz.runtime.device import DEVICE_CHOICES
from dsviz.studies.onepixel import PROTOCOL_SENTENCES, PROTOCOLS, one_pixel_dataset


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0 (inf for no penalty), got {text}")
    return value


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("onepixel", help="best single-pixel logistic regression per class pair (and cache it)")
    parser.add_argument("dataset", help="registered name or .npz path")
    parser.add_argument(
        "--protocol",
        choices=PROTOCOLS,
        default="heldout",
        help=" ".join(f"{name}: {text}" for name, text in PROTOCOL_SENTENCES.items()) + " (default heldout)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the fitting/validation split (default 0; heldout only)"
    )
    parser.add_argument(
        "--C",
        type=_positive_float,
        default=1.0,
        help="inverse L2 strength on the slope as in scikit-learn (default 1.0; inf: none)",
    )
    parser.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.set_defaults(run=run)


def _matrix(values: np.ndarray) -> list[list[float | None]]:
    """K x K floats with NaN and infinities as ``None``."""
    return [[float(v) if math.isfinite(v) else None for v in row] for row in values]


def run(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    with progress_bar(f"one-pixel fits {args.dataset}", unit="pair") as progress:
        found = one_pixel_dataset(
            args.dataset, protocol=args.protocol, seed=args.seed, C=args.C, device=args.device, progress=progress
        )
    res = found.result
    seconds = time.perf_counter() - start
    k = len(res.classes)
    pixel = [[res.pixel[i, j].tolist() if res.pixel[i, j, 0] >= 0 else None for j in range(k)] for i in range(k)]
    if args.json:
        print(
            json.dumps(
                {
                    "protocol": found.protocol,
                    "classes": list(res.classes),
                    "val_accuracy": _matrix(res.val_accuracy),
                    "train_accuracy": _matrix(res.train_accuracy),
                    "pixel": pixel,
                    "threshold": _matrix(res.threshold),
                    "weight": _matrix(res.weight),
                    "bias": _matrix(res.bias),
                    "n_fit": res.n_fit,
                    "n_val": res.n_val,
                    "split_used": found.split_used,
                    "cache_hit": found.cache_hit,
                    "seconds": seconds,
                }
            )
        )
        return 0
    pairs = sorted(res.pairs(), key=lambda ij: res.val_accuracy[ij])
    print(
        f"{args.dataset} ({found.protocol} protocol): {len(pairs)} class pairs, fitted on {res.n_fit} and "
        f"scored on {res.n_val} held-out images ({found.split_used}){' (cached)' if found.cache_hit else ''}"
    )
    for title, chosen in (("worst", pairs[:3]), ("best", pairs[::-1][:3])):
        for i, j in chosen:
            row, col = res.pixel[i, j]
            print(
                f"  {title:5s} {res.classes[i]} vs {res.classes[j]}: pixel ({row}, {col}), "
                f"held-out accuracy {res.val_accuracy[i, j]:.3f} (in sample {res.train_accuracy[i, j]:.3f})"
            )
    good = sum(res.val_accuracy[ij] >= 0.95 for ij in pairs)
    print(f"  pairs with held-out accuracy >= 0.95: {good} of {len(pairs)};  {seconds:.2f} s")
    return 0
