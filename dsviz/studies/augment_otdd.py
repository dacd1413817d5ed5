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
from dsviz.methods.otdd import OTDDSettings
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
    r"""OTDD between MNIST transformed by (``transform``, ``magnitude``, ``seed``) and USPS (cached).

    .. math::
        d(t, m) = \mathrm{OTDD}\big(T_{t, m}(\mathcal{D}_{\mathrm{MNIST}}), \mathcal{D}_{\mathrm{USPS}}\big)

    with OTDD as in :func:`dsviz.otdd.engine.compute_otdd` ([1]_, Sec. 3) through the registry's
    ``otdd-<label_distance>`` method, and :math:`T_{t, m}` a transformation of :mod:`dsviz.data.transforms`;
    the target is never transformed ([1]_, Sec. 6, the augmentation experiment).

    Parameters
    ----------
    transform : str
        A name of :data:`dsviz.data.transforms.TRANSFORMS`.
    magnitude : float
        Its magnitude.
    n : int, optional (default=1000)
        Class-balanced train images per side.
    seed : int, optional (default=0)
        Draws both samples and the transformation's randomness.
    label_distance : {"exact", "gaussian"}, optional (default="exact")
        Selects ``otdd-exact`` or ``otdd-gaussian``.
    device : str, optional (default="auto")
        See :func:`dsviz.runtime.device.resolve_device`.
    data_dir : path, optional (default=None)
        The data folder (``DSVIZ_DATA_DIR`` when None).
    cache : Cache, optional (default=None)
        The cache (default cache when None).
    pair : tuple of LabeledImages, optional (default=None)
        Already loaded samples (from :func:`load_pair` with the same ``n`` and ``seed``, possibly of another
        source and target).
    compute : bool, optional (default=True)
        False only reads the cache.

    Returns
    -------
    pair : :class:`TransformedPair` or None
        The transformed source, the target, the :class:`~dsviz.otdd.OTDDResult` and whether it was a cache
        hit; None when ``compute`` is False and the value was never computed.

    References
    ----------
    .. [1] Alvarez-Melis, D., & Fusi, N. (2020). Geometric Dataset Distances via Optimal Transport.
        In Advances in Neural Information Processing Systems 33 (NeurIPS 2020).
    """
    src, tgt = pair if pair is not None else load_pair(n, seed, data_dir)
    moved = transform_images(src.images, transform, magnitude, seed=seed, device=device)
    src_t = LabeledImages(src.name, moved, src.labels, src.classes, src.split_used, src.source)
    found, hit = methods.distance(
        methods.get(f"otdd-{label_distance}"),
        src_t,
        tgt,
        OTDDSettings(plain_ot=True),  # the curve draws plain OT beside OTDD
        device=device,
        cache=cache,
        cached_only=not compute,
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
    r"""OTDD at every magnitude :math:`m` of ``TRANSFORMS[transform].grid``, cached entries reused:

    .. math::
        m \mapsto d(t, m) = \mathrm{OTDD}\big(T_{t, m}(\mathcal{D}_{\mathrm{MNIST}}), \mathcal{D}_{\mathrm{USPS}}\big)

    with :math:`d` as in :func:`transformed_otdd` (the augmentation experiment of [1]_, Sec. 6).

    Parameters
    ----------
    transform : str
        A name of :data:`dsviz.data.transforms.TRANSFORMS`.
    n, seed, label_distance, device, data_dir, cache, pair
        As :func:`transformed_otdd`.
    progress : callable, optional (default=None)
        Called with ``(done, total, label)`` before each magnitude.

    Returns
    -------
    curve : :class:`OTDDCurve`
        The magnitudes, OTDD and plain OT at each, and which were cache hits.

    Raises
    ------
    ValueError
        On an unknown transformation.

    References
    ----------
    .. [1] Alvarez-Melis, D., & Fusi, N. (2020). Geometric Dataset Distances via Optimal Transport.
        In Advances in Neural Information Processing Systems 33 (NeurIPS 2020), Sec. 6.
    """
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
