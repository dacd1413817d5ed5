"""One registry of dataset-distance methods (see :mod:`dsviz.methods.base` for what a method is).

``get(name)`` gives a registered :class:`Method`; :func:`distance` computes one
between two loaded datasets (cached); :func:`compare` does it by dataset name;
:func:`distance_matrix` gives a method's matrix over several datasets. Calling the
package itself, ``dsviz.methods()``, lists the methods (:func:`summaries`).
"""

from __future__ import annotations

import os
import sys
import types
from dataclasses import dataclass

from dsviz.data import LabeledImages, load
from dsviz.data.derived import DERIVED, load_any
from dsviz.methods.base import (
    Distance,
    DistanceMatrix,
    Method,
    cache_params,
    distance,
    distance_matrix,
    estimate_seconds,
)
from dsviz.methods.registry import REGISTRY
from dsviz.runtime.cache import Cache
from dsviz.runtime.progress import Progress

METHODS: dict[str, Method] = {m.name: m for m in REGISTRY}


def names() -> list[str]:
    return list(METHODS)


def summaries() -> list[dict]:
    """Every registered method's ``name``, ``description``, ``source`` and default ``settings``, in registry order.

    Returns
    -------
    list of dict
        One :meth:`Method.summary` per method, as ``python -m dsviz methods --json`` prints them.
    """
    return [m.summary() for m in METHODS.values()]


def get(name: str) -> Method:
    """The registered method ``name``; a ``ValueError`` naming the choices otherwise."""
    try:
        return METHODS[name]
    except KeyError:
        raise ValueError(f"unknown method {name!r}; choose one of {', '.join(METHODS)}") from None


def load_sample(
    name: str, n: int | None, seed: int, split: str = "train", data_dir: str | os.PathLike[str] | None = None
) -> LabeledImages:
    """``n`` class-balanced images of a registered, derived (e.g. ``mnist-rotated``) or ``.npz`` dataset."""
    if name in DERIVED:
        return load_any(name, split=split, n=n, seed=seed, data_dir=data_dir)
    return load(name, split=split, n=n, seed=seed, data_dir=data_dir)


@dataclass
class Comparison:
    """A method's distance between two datasets with the samples that produced it."""

    src: LabeledImages
    tgt: LabeledImages
    distance: Distance
    cache_hit: bool

    @property
    def result(self):
        """The method-specific result (an :class:`~dsviz.otdd.OTDDResult` for the OTDD methods)."""
        return self.distance.detail

    @property
    def split_used(self) -> dict[str, str]:
        return {"src": self.src.split_used, "tgt": self.tgt.split_used}


def compare(
    method: str | Method,
    src: str,
    tgt: str,
    settings=None,
    *,
    n: int | None = 2000,
    seed: int = 0,
    tgt_seed: int | None = None,
    split: str = "train",
    device: str = "auto",
    data_dir: str | os.PathLike[str] | None = None,
    cache: Cache | None = None,
    progress: Progress | None = None,
) -> Comparison:
    """Load ``n`` class-balanced samples of each dataset (``tgt_seed`` draws the target with
    another seed, default ``seed``) and compute ``method`` between them, cached; ``progress``
    follows the method's stages, or reports one "read from the cache" step on a cache hit."""
    m = get(method) if isinstance(method, str) else method
    a = load_sample(src, n, seed, split, data_dir)
    b = load_sample(tgt, n, seed if tgt_seed is None else tgt_seed, split, data_dir)
    d, hit = distance(m, a, b, settings, device=device, cache=cache, progress=progress)
    if hit and progress is not None:
        progress(1, 1, "read from the cache")
    return Comparison(a, b, d, hit)


class _CallablePackage(types.ModuleType):
    """This package, callable: ``dsviz.methods()`` is :func:`summaries` (the package keeps its name on ``dsviz``)."""

    def __call__(self) -> list[dict]:
        return summaries()


sys.modules[__name__].__class__ = _CallablePackage

__all__ = [
    "METHODS",
    "Comparison",
    "Distance",
    "DistanceMatrix",
    "Method",
    "cache_params",
    "compare",
    "distance",
    "distance_matrix",
    "estimate_seconds",
    "get",
    "load_sample",
    "names",
    "summaries",
]
