"""Payload of the augmentation explorer: every (transformation, magnitude) state, precomputed.

The explorer's controls reach few states (each transformation's magnitude grid,
:data:`dsviz.data.transforms.TRANSFORMS`), and each is an OTDD between 1000-image datasets,
far too big for the browser, so the server computes them all (through the registry's cached
``otdd-exact`` method, :func:`dsviz.studies.augment_otdd.transformed_otdd`, the entries the
page and ``python -m dsviz precompute augment`` share) and ``js/augmentations.js`` only
redraws: OTDD, OT, the label-distance and class-coupling matrices, the transformed images
and the OTDD curve. Values are the study's own, so they match the app and the CLI exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from dsviz.data import LabeledImages
from dsviz.data.transforms import TRANSFORMS
from dsviz.figures.colors import DISTANCE_COLORS, MASS_COLORS, explicit
from dsviz.figures.images import image_grid, png_data_uri
from dsviz.studies.augment_otdd import TransformedPair, transformed_otdd

Compute = Callable[[str, float], TransformedPair]
"""``(transform, magnitude) -> TransformedPair``: how the payload gets each state (the page passes its memo)."""


def _state(found: TransformedPair) -> dict:
    r = found.result
    return {
        "magnitude": float(found.magnitude),
        "otdd": float(r.otdd),
        "ot": float(r.ot),
        "label_distances": np.asarray(r.label_distances, dtype=float).tolist(),
        "class_coupling": np.asarray(r.plan.class_coupling, dtype=float).tolist(),
        "seconds": float(r.seconds),
        "cache_hit": bool(found.cache_hit),
        "image": png_data_uri(image_grid(found.src.images, found.src.labels)),
    }


def augmentations_payload(
    pair: tuple[LabeledImages, LabeledImages],
    transforms: Sequence[str],
    *,
    n: int,
    seed: int,
    initial: dict | None = None,
    compute: Compute | None = None,
    names: tuple[str, str] | None = None,
) -> dict:
    """Every magnitude of each of ``transforms`` for the (source, target) ``pair``.

    Parameters
    ----------
    pair : (LabeledImages, LabeledImages)
        Source and target samples (:func:`dsviz.studies.augment_otdd.load_pair` with ``n``, ``seed``).
    transforms : sequence of str
        Keys of ``TRANSFORMS``; the explorer's ``<select name="transform">`` offers these.
    n, seed : int
        The sample settings (part of every cache key).
    initial : dict, optional
        ``{"transform": ..., "magnitude": ...}`` shown first (default: the first transform at 0).
    compute : callable, optional
        Replaces :func:`transformed_otdd` (the page passes its in-memory memo).
    names : (str, str), optional
        Display names of source and target (default: the samples' names).

    Returns
    -------
    dict
        ``transforms``: ``{name: {label, unit, states: [...]}}`` with one state per grid magnitude;
        ``source``, ``target``, ``target_image``, ``classes_src``, ``classes_tgt``, ``initial``, ``colors``
        (the heatmaps' colour scales, as the app's :mod:`ui.heatmaps` draws them).
    """
    unknown = [t for t in transforms if t not in TRANSFORMS]
    if unknown or not transforms:
        raise ValueError(f"unknown transformation(s) {unknown}; choose from {', '.join(TRANSFORMS)}")
    compute = compute or (lambda t, m: transformed_otdd(t, m, n=n, seed=seed, pair=pair))
    src, tgt = pair
    out: dict = {}
    classes = None
    for name in transforms:
        spec = TRANSFORMS[name]
        states = []
        for magnitude in spec.grid:
            found = compute(name, float(magnitude))
            classes = classes or (list(found.result.src_classes), list(found.result.tgt_classes))
            states.append(_state(found))
        out[name] = {"label": spec.label, "unit": spec.unit, "states": states}
    initial = dict(initial or {})
    first = initial.get("transform", transforms[0])
    if first not in out:
        first = transforms[0]
    grid = [s["magnitude"] for s in out[first]["states"]]
    magnitude = float(initial.get("magnitude", grid[0]))
    source, target = names or (src.name, tgt.name)
    return {
        "source": source,
        "target": target,
        "n": n,
        "seed": seed,
        "transforms": out,
        "classes_src": classes[0],
        "classes_tgt": classes[1],
        "target_image": png_data_uri(image_grid(tgt.images, tgt.labels)),
        "initial": {"transform": first, "magnitude": magnitude if magnitude in grid else grid[0]},
        "colors": {"distance": explicit(DISTANCE_COLORS), "mass": explicit(MASS_COLORS)},
    }


__all__ = ["augmentations_payload"]
