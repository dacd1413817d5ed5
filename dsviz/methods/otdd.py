"""OTDD with exact or Gaussian label distances (Alvarez-Melis & Fusi, NeurIPS 2020, Sec. 3-4).

Wraps :func:`dsviz.otdd.compute_otdd` on ``to_features`` of both datasets; the
value is the (debiased) OTDD, the detail the full :class:`~dsviz.otdd.OTDDResult`
(label distances, coupling, each point's partners) that the pair page draws.
"""

from __future__ import annotations

from dataclasses import dataclass

from dsviz.data import LabeledImages
from dsviz.methods.base import Method
from dsviz.methods.forms import OnFeatures, Pair
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


@dataclass(frozen=True)
class _OTDD(OnFeatures):
    """:func:`dsviz.otdd.compute_otdd` with one ``label_distance``; ``progress`` follows each stage of the
    engine (:func:`dsviz.otdd.engine.stages`: features, label distances, outer problem, ...) and its end."""

    label_distance: str

    def solve(self, x1, y1, x2, y2, **keywords) -> OTDDResult:
        return compute_otdd(x1, y1, x2, y2, label_distance=self.label_distance, **keywords)

    def pair(self, src: LabeledImages, tgt: LabeledImages, settings, device: str, progress: Progress | None) -> Pair:
        """As on feature rows, and the result's options say which splits and normalisation the images had."""
        value, res = super().pair(src, tgt, settings, device, progress)
        res.options.update(split_used={"src": src.split_used, "tgt": tgt.split_used}, normalize=settings.normalize)
        return value, res


def _method(name: str, label_distance: str, description: str, source: str) -> Method:
    return _OTDD(name, "otdd", label_distance).registered(
        description=description,
        source=source,
        settings=OTDDSettings,
        family="otdd",
        coupling=True,
        value_format=".0f",
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
