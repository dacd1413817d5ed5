"""A registered method's ``compute``, ``features`` and ``matrix``, built from the one computation it differs by.

Every method promises the same signatures (:class:`~dsviz.methods.base.Method`); they are written here once,
in :class:`Computation` and its two shapes, and a method module subclasses the shape it has:

* :class:`Computation`: a value of the two datasets' images (:meth:`Computation.pair`), e.g. sample MSE;
* :class:`OnFeatures`: a solver on labeled feature rows (OTDD, s-OTDD); ``compute`` on images is
  ``features`` on :func:`dsviz.data.to_features` of both datasets;
* :class:`OnHeldOut`: a training on each dataset's training part, measured on every dataset's held-out images
  (SimEx's fleet, AAD's autoencoder); ``compute`` trains on the pair, ``matrix`` once on all P, cached.

A solver takes the method's settings as its keywords (:func:`solver_keywords`), so a setting is named once,
in the settings dataclass, and reaches the solver under that name.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from dsviz.data import DataError, LabeledImages, to_features
from dsviz.methods.base import Distance, DistanceMatrix, Method
from dsviz.runtime.cache import Cache
from dsviz.runtime.progress import Progress
from dsviz.simex import runs

Pair = tuple[float, Any]
"""A method's value between two datasets and its detail (a result with ``seconds``, or None)."""


def solver_keywords(settings, used_here: str) -> dict:
    """``settings`` as the solver's keywords: every field but ``used_here``, the one the form itself applies
    before the solver (``normalize``: images to feature rows; ``n_eval``: the held-out images)."""
    return {k: v for k, v in asdict(settings).items() if k != used_here}


@dataclass(frozen=True)
class Computation:
    """A registered method's computation: :meth:`pair` gives the value between two datasets; the signature
    the registry promises (:meth:`compute`) and the :class:`Distance` it returns are built here."""

    name: str

    def pair(self, src: LabeledImages, tgt: LabeledImages, settings, device: str, progress: Progress | None) -> Pair:
        raise NotImplementedError

    def distance(self, pair: Pair, settings, start: float) -> Distance:
        """``pair`` as a :class:`Distance`: its detail's own ``seconds``, else the time since ``start``."""
        value, detail = pair
        seconds = detail.seconds if detail is not None else time.perf_counter() - start
        return Distance(self.name, value, seconds, asdict(settings), detail)

    def compute(
        self,
        src: LabeledImages,
        tgt: LabeledImages,
        settings,
        *,
        device: str = "auto",
        progress: Progress | None = None,
    ) -> Distance:
        """The method between two labeled datasets (:attr:`Method.compute`)."""
        start = time.perf_counter()
        return self.distance(self.pair(src, tgt, settings, device, progress), settings, start)

    def registered(self, **info) -> Method:
        """This computation as a :class:`Method` named :attr:`name`; ``info``: the other fields (description,
        source, settings, family, ...)."""
        return Method(name=self.name, compute=self.compute, **info)


@dataclass(frozen=True)
class OnFeatures(Computation):
    """A method defined on labeled feature rows: :meth:`solve` with the settings but ``normalize`` as
    keywords; its result's field ``value`` is the method's value."""

    value: str

    def solve(self, x1, y1, x2, y2, **keywords) -> Any:
        """The solver: ``keywords`` are ``classes1``, ``classes2``, ``device``, ``progress`` and the settings."""
        raise NotImplementedError

    def rows(self, x1, y1, x2, y2, settings, classes: tuple, device: str, progress: Progress | None) -> Pair:
        classes1, classes2 = classes
        keywords = solver_keywords(settings, "normalize")
        res = self.solve(
            x1, y1, x2, y2, classes1=classes1, classes2=classes2, device=device, progress=progress, **keywords
        )
        return float(getattr(res, self.value)), res

    def features(
        self,
        x1,
        y1,
        x2,
        y2,
        settings,
        *,
        classes1=None,
        classes2=None,
        device: str = "auto",
        progress: Progress | None = None,
    ) -> Distance:
        """The method on feature rows (N x D) with labels (:attr:`Method.features`); ``normalize`` is unused."""
        start = time.perf_counter()
        return self.distance(
            self.rows(x1, y1, x2, y2, settings, (classes1, classes2), device, progress), settings, start
        )

    def pair(self, src: LabeledImages, tgt: LabeledImages, settings, device: str, progress: Progress | None) -> Pair:
        x1, x2 = (to_features(s.images, settings.normalize) for s in (src, tgt))
        return self.rows(x1, src.labels, x2, tgt.labels, settings, (src.classes, tgt.classes), device, progress)

    def registered(self, **info) -> Method:
        return super().registered(features=self.features, **info)


def held_out_parts(samples: Sequence[LabeledImages], n_eval: int, seed: int) -> runs.Parts:
    """Training and held-out images of each sample (a seeded permutation; the first ``n_eval`` are held out)."""
    rng = np.random.default_rng(seed)
    train, evaluate = [], []
    for s in samples:
        if len(s.images) <= n_eval:
            raise DataError(f"{s.name}: {len(s.images)} images, but {n_eval} are held out for evaluation; use more")
        idx = rng.permutation(len(s.images))
        evaluate.append(s.images[idx[:n_eval]])
        train.append(s.images[idx[n_eval:]])
    return runs.Parts(tuple(s.name for s in samples), train, evaluate)


@dataclass(frozen=True)
class OnHeldOut(Computation):
    """A method trained on each dataset's training part and measured on the held-out images of all
    (:func:`held_out_parts`, ``n_eval`` and ``seed`` of the settings): :meth:`train` on the pair for
    ``compute``, :meth:`cached` on all P datasets for ``matrix``, both with the settings but ``n_eval`` as
    keywords; the result's field ``square`` is the P x P matrix. The pairwise value averages both directions."""

    square: str

    def train(self, parts: runs.Parts, **keywords) -> Any:
        """The training on ``parts``, uncached (``keywords``: ``device``, ``progress`` and the settings)."""
        raise NotImplementedError

    def cached(self, parts: runs.Parts, **keywords) -> tuple[Any, bool]:
        """The same through :mod:`dsviz.simex.runs`' cache, ``(result, hit)`` (``keywords`` add ``cache``)."""
        raise NotImplementedError

    def pair(self, src: LabeledImages, tgt: LabeledImages, settings, device: str, progress: Progress | None) -> Pair:
        parts = held_out_parts([src, tgt], settings.n_eval, settings.seed)
        res = self.train(parts, device=device, progress=progress, **solver_keywords(settings, "n_eval"))
        m = getattr(res, self.square)
        return 0.5 * float(m[0, 1] + m[1, 0]), res

    def matrix(
        self,
        samples: Sequence[LabeledImages],
        settings,
        *,
        device: str = "auto",
        cache: Cache | None = None,
        progress: Progress | None = None,
    ) -> DistanceMatrix:
        """The method's joint form over P datasets (:attr:`Method.matrix`), cached."""
        parts = held_out_parts(samples, settings.n_eval, settings.seed)
        keywords = solver_keywords(settings, "n_eval")
        res, hit = self.cached(parts, device=device, progress=progress, cache=cache, **keywords)
        return DistanceMatrix(self.name, parts.names, getattr(res, self.square), res.seconds, int(hit))

    def registered(self, **info) -> Method:
        return super().registered(matrix=self.matrix, **info)
