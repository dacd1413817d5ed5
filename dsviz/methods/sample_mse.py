"""Mean pairwise sample MSE, the sample-space baseline of SimEx (Hwang et al., 2020, Sec. 5.1).

``S(X, Y) = 1/(|X||Y|) sum_x sum_y ||x - y||^2 / d`` over all images of both
samples, pixels in [0, 1] (:func:`dsviz.simex.baseline.mean_pairwise_mse`).
"""

from __future__ import annotations

from dataclasses import dataclass

from dsviz.data import LabeledImages
from dsviz.methods.forms import Computation, Pair
from dsviz.runtime.progress import Progress
from dsviz.simex.baseline import mean_pairwise_mse


@dataclass(frozen=True)
class SampleMSESettings:
    """No parameters: the value is a closed-form average over all image pairs."""


class _SampleMSE(Computation):
    def pair(self, src: LabeledImages, tgt: LabeledImages, settings, device: str, progress: Progress | None) -> Pair:
        return mean_pairwise_mse(src.images, tgt.images), None


METHOD = _SampleMSE("sample-mse").registered(
    description="Mean squared pixel difference over all pairs of samples, with no learning at all.",
    source="Hwang et al., SimEx, 2020, Sec. 5.1 (sample-space baseline)",
    settings=SampleMSESettings,
    family="sample",
)
