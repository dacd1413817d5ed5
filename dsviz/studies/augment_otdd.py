"""OTDD between transformed MNIST and USPS, per magnitude, cached.

Source: a class-balanced MNIST (train) sample passed through one transformation of
:mod:`dsviz.data.transforms`; target: a USPS (train) sample of the same size, resized to
28 x 28 by the data layer and never transformed. The distance is OTDD
(Alvarez-Melis & Fusi, NeurIPS 2020) on ``to_features`` of both sides, so the
10 x 10 label-distance matrix ``W_2^2(P_y, P_y')`` and the class-level coupling
come with it (the blog's Figs. 3-4: cropping MNIST pulls the coupling onto the
diagonal, rotating it spreads it). :func:`load_pair` can draw another pair, e.g. the
bundled ``mnist-5k`` against ``digits`` when MNIST and USPS are not in the data folder;
the cache keys carry each sample's fingerprint, so the pairs never share entries.

The distance is the registry's ``otdd-exact`` (or ``otdd-gaussian``) method
(:mod:`dsviz.methods`), cached under its settings and the fingerprint of the
transformed sample and the target, so the app, ``python -m dsviz precompute
augment`` and the transferability study share the entries.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from dsviz import methods
from dsviz.data import LabeledImages, load
from dsviz.data.transforms import TRANSFORMS, transform_images
from dsviz.otdd import OTDDResult
from dsviz.runtime.cache import Cache
from dsviz.runtime.progress import Progress

SOURCE, TARGET = "mnist", "usps"


@dataclass
class TransformedPair:
    """Transformed MNIST (``src``), USPS (``tgt``), their OTDD result and whether it came from the cache."""

    transform: str
    magnitude: float
    src: LabeledImages
    tgt: LabeledImages
    result: OTDDResult
    cache_hit: bool


@dataclass
class OTDDCurve:
    """OTDD and plain OT of transformed MNIST vs USPS over a transformation's magnitude grid."""

    transform: str
    magnitudes: np.ndarray
    otdd: np.ndarray
    ot: np.ndarray
    cache_hits: np.ndarray


def load_pair(
    n: int, seed: int, data_dir: str | os.PathLike[str] | None = None, source: str = SOURCE, target: str = TARGET
) -> tuple[LabeledImages, LabeledImages]:
    """``n`` class-balanced train images of ``source`` (MNIST) and of ``target`` (USPS) drawn with ``seed``
    (a dataset with no train split, like ``digits``, gives its only split)."""
    return (
        load(source, split="train", n=n, seed=seed, data_dir=data_dir),
        load(target, split="train", n=n, seed=seed, data_dir=data_dir),
    )


def transformed_otdd(
    transform: str,
    magnitude: float,
    *,
    n: int = 1000,
    seed: int = 0,
    label_distance: str = "exact",
    device: str = "auto",
    data_dir: str | os.PathLike[str] | None = None,
    cache: Cache | None = None,
    pair: tuple[LabeledImages, LabeledImages] | None = None,
    compute: bool = True,
) -> TransformedPair | None:
    """OTDD between MNIST transformed by (``transform``, ``magnitude``, ``seed``) and USPS.

    ``pair`` passes already loaded samples (from :func:`load_pair` with the same
    ``n`` and ``seed``, possibly of another source and target). With ``compute=False`` only the cache is read and None is
    returned when the value was never computed.
    """
    src, tgt = pair if pair is not None else load_pair(n, seed, data_dir)
    moved = transform_images(src.images, transform, magnitude, seed=seed, device=device)
    src_t = LabeledImages(src.name, moved, src.labels, src.classes, src.split_used, src.source)
    found, hit = methods.distance(
        methods.get(f"otdd-{label_distance}"), src_t, tgt, device=device, cache=cache, cached_only=not compute
    )
    return None if found is None else TransformedPair(transform, float(magnitude), src_t, tgt, found.detail, hit)


def otdd_curve(
    transform: str,
    *,
    n: int = 1000,
    seed: int = 0,
    label_distance: str = "exact",
    device: str = "auto",
    data_dir: str | os.PathLike[str] | None = None,
    cache: Cache | None = None,
    progress: Progress | None = None,
    pair: tuple[LabeledImages, LabeledImages] | None = None,
) -> OTDDCurve:
    """OTDD at every magnitude of ``TRANSFORMS[transform].grid`` (cached entries are reused)."""
    if transform not in TRANSFORMS:
        raise ValueError(f"unknown transformation {transform!r}; choose one of {', '.join(TRANSFORMS)}")
    grid = TRANSFORMS[transform].grid
    pair = pair if pair is not None else load_pair(n, seed, data_dir)
    otdd, ot, hits = [], [], []
    for k, magnitude in enumerate(grid):
        if progress is not None:
            progress(k, len(grid), f"{transform} {magnitude:g}")
        res = transformed_otdd(
            transform, magnitude, n=n, seed=seed, label_distance=label_distance, device=device, cache=cache, pair=pair
        )
        otdd.append(res.result.otdd)
        ot.append(res.result.ot)
        hits.append(res.cache_hit)
    if progress is not None:
        progress(len(grid), len(grid), transform)
    return OTDDCurve(transform, np.asarray(grid, dtype=float), np.asarray(otdd), np.asarray(ot), np.asarray(hits))


__all__ = ["OTDDCurve", "TransformedPair", "load_pair", "otdd_curve", "transformed_otdd"]
