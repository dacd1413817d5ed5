"""One-pixel fits of a named dataset under a protocol (:data:`PROTOCOLS`), cached, and their summary.

``published``: the article's code (L. France, 2021, lucafrance/mnist-pixel ``evaluate_models.py``):
L2-normalized images, fitted on the training split and scored on the test split.
``heldout``: a clean held-out split of the training split only (fixed seed), raw intensities / 255.
The fits themselves are :mod:`dsviz.studies.onepixel.fit`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from dsviz.data import DataError, load
from dsviz.runtime import timings
from dsviz.runtime.cache import Cache, cached, fingerprint
from dsviz.runtime.progress import Progress
from dsviz.studies.onepixel.fit import VAL_FRACTION, OnePixelResult, fit_one_pixel, fit_one_pixel_published

PROTOCOLS = ("published", "heldout")
"""``published``: the article's code (L2-normalized, train -> test); ``heldout``: 50k / 10k of train, pixel / 255."""

PROTOCOL_SENTENCES = {
    "published": "As the article's code (lucafrance/mnist-pixel, evaluate_models.py): every image L2-normalized as a "
    '784-vector, each one-pixel LogisticRegression(solver="sag", C = 1) fitted on the whole training '
    "split, the pixel with the best in-sample accuracy scored on the test split.",
    "heldout": "A clean held-out split of the training split only: raw intensities / 255, fitted on a random 5/6 of "
    "the training images and scored on the other 1/6 (MNIST: 50,000 and 10,000; fixed seed 0), as the article's prose "
    "describes the data.",
}
"""One sentence per protocol, for the page and the CLI help."""


def fit_validation_split(n: int, seed: int = 0, val_fraction: float = VAL_FRACTION) -> tuple[np.ndarray, np.ndarray]:
    """Sorted indices of the fitting and validation parts of ``n`` images.

    A ``np.random.default_rng(seed)`` permutation; the first ``round(n * val_fraction)``
    indices are the validation part (10,000 of 60,000 for the default fraction).
    """
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must lie strictly between 0 and 1, got {val_fraction}")
    n_val = int(round(n * val_fraction))
    if n_val < 1 or n_val >= n:
        raise ValueError(f"cannot split {n} images into non-empty fitting and validation parts")
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[n_val:]), np.sort(order[:n_val])


@dataclass
class OnePixelRun:
    """:func:`one_pixel_dataset`'s answer: the result and where its data came from."""

    name: str
    protocol: str
    result: OnePixelResult
    split_used: str
    cache_hit: bool


ESTIMATE_PREFIX = "about "
"""How :func:`one_pixel_dataset` starts the progress message that says how long a fit will take."""


def one_pixel_dataset(
    name: str,
    *,
    protocol: str = "heldout",
    seed: int = 0,
    val_fraction: float = VAL_FRACTION,
    C: float = 1.0,
    device: str = "auto",
    data_dir: str | os.PathLike[str] | None = None,
    cache: Cache | None = None,
    progress: Progress | None = None,
) -> OnePixelRun:
    """One-pixel fits of a dataset under ``protocol`` (:data:`PROTOCOLS`), cached.

    ``heldout``: the training split (falling back to test when absent) cut by
    :func:`fit_validation_split` with ``seed``. ``published``: train -> test by
    :func:`fit_one_pixel_published`; raises :class:`DataError` when either split is
    missing. The cache key holds the protocol, the data fingerprint and every option
    that applies except ``device``.
    """
    if protocol not in PROTOCOLS:
        raise DataError(f"unknown one-pixel protocol {protocol!r}; choose one of {', '.join(PROTOCOLS)}")
    data = load(name, split="train", data_dir=data_dir)
    params: dict = {"protocol": protocol, "C": C, "classes": list(data.classes)}
    if protocol == "heldout":
        fit_idx, val_idx = fit_validation_split(len(data.labels), seed=seed, val_fraction=val_fraction)
        params.update(seed=seed, val_fraction=val_fraction)
        split_used, data_fingerprint = data.split_used, fingerprint(data.images, data.labels)

        def compute() -> OnePixelResult:
            return fit_one_pixel(
                data.images[fit_idx],
                data.labels[fit_idx],
                data.images[val_idx],
                data.labels[val_idx],
                data.classes,
                C=C,
                device=device,
                progress=progress,
            )
    else:
        test = load(name, split="test", data_dir=data_dir)
        if data.split_used != "train" or test.split_used != "test":
            raise DataError(
                f"{name}: the published protocol fits on the train split and scores on the test split, but only "
                f"one split is available here ({data.split_used}); use the heldout protocol"
            )
        split_used = "train+test"
        data_fingerprint = fingerprint(data.images, data.labels, test.images, test.labels)

        def compute() -> OnePixelResult:
            return fit_one_pixel_published(
                data.images, data.labels, test.images, test.labels, data.classes, C=C, device=device, progress=progress
            )

    store = cache if cache is not None else Cache()
    step, units = f"onepixel_{protocol}", float(len(data.labels)) * len(data.classes) ** 2

    def measured_compute() -> OnePixelResult:
        seconds = timings.estimate(step, units, root=store.root)
        if progress is not None and seconds is not None:
            progress(0, 1, f"{ESTIMATE_PREFIX}{seconds:.0f} s (scaled from the last measured fit)")
        with timings.measured(step, units, root=store.root):  # recorded only when the fit completes
            return compute()

    result, hit = cached(store, "onepixel", params, data_fingerprint, measured_compute, OnePixelResult)
    return OnePixelRun(name=name, protocol=protocol, result=result, split_used=split_used, cache_hit=hit)


@dataclass
class OnePixelSummary:
    """How separable a dataset's class pairs are with one pixel (held-out accuracy, unrounded).

    Attributes:
        ranked: fitted pairs ``(i, j, accuracy)`` from best to worst.
        n_pairs: number of fitted pairs.
        at_least: ``{threshold: number of pairs with accuracy >= threshold}``.
        partners: K, per class the number of other classes it is separated from at
            ``partner_level`` or better.
        partner_level: the accuracy level of ``partners``.
    """

    ranked: list[tuple[int, int, float]]
    n_pairs: int
    at_least: dict[float, int]
    partners: np.ndarray
    partner_level: float


def summarize(
    result: OnePixelResult, levels: tuple[float, ...] = (0.9, 0.95), partner_level: float = 0.95
) -> OnePixelSummary:
    """Rank the pairs by held-out accuracy and count pairs and partners at or above ``levels`` (unrounded)."""
    acc = result.val_accuracy
    ranked = sorted(((i, j, float(acc[i, j])) for i, j in result.pairs()), key=lambda t: -t[2])
    with np.errstate(invalid="ignore"):
        partners = (np.nan_to_num(acc, nan=0.0) >= partner_level).sum(1)
    return OnePixelSummary(
        ranked=ranked,
        n_pairs=len(ranked),
        at_least={level: sum(a >= level for _, _, a in ranked) for level in levels},
        partners=partners,
        partner_level=partner_level,
    )
