"""s-OTDD as a registered method: :func:`dsviz.otdd.sliced.compute_sotdd` on ``to_features`` of both datasets."""

from __future__ import annotations

from dataclasses import dataclass

from dsviz.data import LabeledImages
from dsviz.methods.forms import OnFeatures, Pair
from dsviz.otdd.sliced import SOTDDResult, compute_sotdd
from dsviz.runtime.progress import Progress


@dataclass(frozen=True)
class SOTDDSettings:
    """Monte Carlo projections, moments per label (authors' *NIST setting: 5), order p, projection seed.

    ``n_projections`` stays at the authors' 10 000, chosen from the accuracy/time curve
    (``python -m bench.sotdd_bench --n 2000 --projections 100 300 1000 3000 10000 --seeds 2 --threads 2``,
    six pairs of MNIST, EMNIST-letters, Fashion-MNIST and USPS; docs/benchmarks.md). The ranking's
    agreement with exact OTDD does not grow with L (Spearman rho 0.83 at L = 1000, 0.80 at 10 000;
    5 seeds earlier: 0.83 and 0.78), but the value's own Monte Carlo error does shrink: its
    standard error (:func:`dsviz.otdd.sliced.projection_spread`) was 14-21 % of the value at
    L = 1000 (MNIST, USPS, Fashion-MNIST, 100 images each), as large as the differences between
    the pairs, so a fewer-projection default would order close pairs differently from one seed to
    the next; it falls as 1 / sqrt(L), to about a third of that at 10 000 (spread of the values over
    seeds at n = 2000: 13 % at L = 1000, 3.5 % at 10 000). The time is linear in L: pass fewer projections
    (``--set n_projections=1000``, ten times faster) for a quick look."""

    n_projections: int = 10_000
    n_moments: int = 5
    p: int = 2
    seed: int = 0
    normalize: str = "mnist"


class _Sliced(OnFeatures):
    """:func:`dsviz.otdd.sliced.compute_sotdd`, one pass with no stages of its own: images are shown as one
    progress step."""

    def solve(self, x1, y1, x2, y2, *, classes1, classes2, progress, **keywords) -> SOTDDResult:
        """Class names are not needed: the value is invariant to renaming classes."""
        return compute_sotdd(x1, y1, x2, y2, **keywords)

    def pair(self, src: LabeledImages, tgt: LabeledImages, settings, device: str, progress: Progress | None) -> Pair:
        if progress is not None:
            progress(0, 1, f"s-OTDD {src.name} vs {tgt.name}")
        pair = super().pair(src, tgt, settings, device, None)
        if progress is not None:
            progress(1, 1, "done")
        return pair


METHOD = _Sliced("sotdd", "value").registered(
    description="Sliced OTDD: every labeled point is projected to one number (feature projection plus the scaled "
    "moments of its class), and the datasets' 1-D distributions are compared in closed form, averaged "
    "over random projections.",
    source="Nguyen, Nguyen, Pham & Ho, Lightspeed Geometric Dataset Distance via Sliced Optimal Transport, "
    "ICML 2025 (arXiv 2501.18901), Sec. 3",
    settings=SOTDDSettings,
    family="sliced-otdd",
    value_format=".2f",
    detail=SOTDDResult,
)
