"""OTDD with exact or Gaussian label distances (Alvarez-Melis & Fusi, NeurIPS 2020, Sec. 3-4).

Wraps :func:`dsviz.otdd.compute_otdd` on ``to_features`` of both datasets; the
value is the (debiased) OTDD, the detail the full :class:`~dsviz.otdd.OTDDResult`
(label distances, coupling, each point's partners) that the pair page draws.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from dsviz.data import LabeledImages, to_features
from dsviz.methods.base import Distance, Method
from dsviz.otdd import OTDDResult, compute_otdd
from dsviz.runtime.progress import Progress


@dataclass(frozen=True)
class OTDDSettings:
    """``outer``: ``exact`` (network simplex), ``sinkhorn`` (``eps`` relative to the mean cost),
    ``scaling`` (the authors' debiased Sinkhorn divergence with epsilon-scaling) or ``auto`` (exact
    up to 2000 x 2000 points, scaling beyond; the solver used is in ``options["outer_used"]``);
    ``debiased``: subtract half of each self-distance; ``top_k``: partners kept per point;
    ``max_outer``: at most this many points per side in the outer OT (``None``: all), drawn with
    ``seed``, the authors' ``DatasetDistance.distance(maxsamples=10000)``; the label distances
    always use every loaded image; ``plain_ot``: also compute the feature-only OT on the same points
    (``detail.ot``, NaN otherwise), the comparison the pages draw beside OTDD; off by default so that
    OTDD alone does not pay for it."""

    outer: str = "auto"
    eps: float = 0.05
    debiased: bool = True
    normalize: str = "mnist"
    top_k: int = 5
    max_outer: int | None = 10_000
    seed: int = 0
    plain_ot: bool = False


def _features(name: str, label_distance: str):
    """The method on feature rows: :func:`dsviz.otdd.compute_otdd` with ``settings`` (``normalize`` unused)."""

    def features(
        x1,
        y1,
        x2,
        y2,
        settings: OTDDSettings,
        *,
        classes1=None,
        classes2=None,
        device: str = "auto",
        progress: Progress | None = None,
    ) -> Distance:
        res = compute_otdd(
            x1,
            y1,
            x2,
            y2,
            classes1=classes1,
            classes2=classes2,
            label_distance=label_distance,
            outer=settings.outer,
            eps=settings.eps,
            debiased=settings.debiased,
            device=device,
            top_k=settings.top_k,
            max_outer=settings.max_outer,
            seed=settings.seed,
            plain_ot=settings.plain_ot,
            progress=progress,
        )
        return Distance(name, res.otdd, res.seconds, asdict(settings), res)

    return features


def _compute(name: str, label_distance: str):
    """The method's ``compute``; ``progress`` follows each stage of the OTDD engine
    (:func:`dsviz.otdd.engine.stages`: features, label distances, outer problem, ...) and its end."""
    on_features = _features(name, label_distance)

    def compute(
        src: LabeledImages,
        tgt: LabeledImages,
        settings: OTDDSettings,
        *,
        device: str = "auto",
        progress: Progress | None = None,
    ) -> Distance:
        d = on_features(
            to_features(src.images, settings.normalize),
            src.labels,
            to_features(tgt.images, settings.normalize),
            tgt.labels,
            settings,
            classes1=src.classes,
            classes2=tgt.classes,
            device=device,
            progress=progress,
        )
        d.detail.options.update(split_used={"src": src.split_used, "tgt": tgt.split_used}, normalize=settings.normalize)
        return d

    return compute


def _method(name: str, label_distance: str, description: str, source: str) -> Method:
    return Method(
        name=name,
        description=description,
        source=source,
        settings=OTDDSettings,
        family="otdd",
        coupling=True,
        value_format=".0f",
        compute=_compute(name, label_distance),
        features=_features(name, label_distance),
        detail=OTDDResult,
    )


EXACT = _method(
    "otdd-exact",
    "exact",
    "Optimal transport between the datasets' labeled samples, paying pixel distance plus the exact OT distance "
    "between their classes.",
    "Alvarez-Melis & Fusi, Geometric Dataset Distances via Optimal Transport, NeurIPS 2020, Sec. 3-4",
)
GAUSSIAN = _method(
    "otdd-gaussian",
    "gaussian",
    "OTDD with each class approximated by a Gaussian, so the class distances are closed-form Bures-Wasserstein "
    "distances.",
    "Alvarez-Melis & Fusi, NeurIPS 2020, Sec. 4 (Gaussian approximation, Eq. 6)",
)
