"""Mean pairwise sample MSE, the sample-space baseline of SimEx (Hwang et al., 2020, Sec. 5.1).

``S(X, Y) = 1/(|X||Y|) sum_x sum_y ||x - y||^2 / d`` over all images of both
samples, pixels in [0, 1] (:func:`dsviz.simex.baseline.mean_pairwise_mse`).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from dsviz.data import LabeledImages
from dsviz.methods.base import Distance, Method
from dsviz.runtime.progress import Progress
from dsviz.simex.baseline import mean_pairwise_mse


@dataclass(frozen=True)
class SampleMSESettings:
    """No parameters: the value is a closed-form average over all image pairs."""


def compute(
    src: LabeledImages,
    tgt: LabeledImages,
    settings: SampleMSESettings,
    *,
    device: str = "auto",
    progress: Progress | None = None,
) -> Distance:
    start = time.perf_counter()
    value = mean_pairwise_mse(src.images, tgt.images)
    return Distance("sample-mse", value, time.perf_counter() - start, asdict(settings))


METHOD = Method(
    name="sample-mse",
    description="Mean squared pixel difference over all pairs of samples, with no learning at all.",
    source="Hwang et al., SimEx, 2020, Sec. 5.1 (sample-space baseline)",
    settings=SampleMSESettings,
    family="sample",
    compute=compute,
)
