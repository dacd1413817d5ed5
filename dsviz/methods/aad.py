"""Autoencoder average distance as a registered method (:func:`dsviz.simex.aad.compute_aad`).

One autoencoder trains on the union of the datasets' training parts; AAD is the
distance of the mean latent codes of their held-out images. The pairwise value
trains on the two datasets; the joint ``matrix`` trains one autoencoder on all P
(as the AAD description does), cached by :func:`dsviz.simex.runs.aad`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from dsviz.data import LabeledImages
from dsviz.methods.base import Distance, DistanceMatrix, Method
from dsviz.methods.simex import held_out_parts
from dsviz.runtime.cache import Cache
from dsviz.runtime.progress import Progress
from dsviz.simex import runs
from dsviz.simex.aad import AADResult, compute_aad


@dataclass(frozen=True)
class AADSettings:
    """Training epochs of the shared autoencoder, held-out images per dataset, seed."""

    epochs: int = runs.DEFAULT_EPOCHS
    n_eval: int = runs.DEFAULT_N_EVAL
    seed: int = 0


def compute(
    src: LabeledImages,
    tgt: LabeledImages,
    settings: AADSettings,
    *,
    device: str = "auto",
    progress: Progress | None = None,
) -> Distance:
    parts = held_out_parts([src, tgt], settings.n_eval, settings.seed)
    res = compute_aad(
        parts.train,
        parts.evaluate,
        parts.names,
        epochs=settings.epochs,
        seed=settings.seed,
        device=device,
        progress=progress,
    )
    return Distance("aad", float(res.matrix[0, 1]), res.seconds, asdict(settings), res)


def matrix(
    samples: Sequence[LabeledImages],
    settings: AADSettings,
    *,
    device: str = "auto",
    cache: Cache | None = None,
    progress: Progress | None = None,
) -> DistanceMatrix:
    parts = held_out_parts(samples, settings.n_eval, settings.seed)
    res, hit = runs.aad(parts, settings.epochs, seed=settings.seed, device=device, progress=progress, cache=cache)
    return DistanceMatrix("aad", parts.names, res.matrix, res.seconds, int(hit))


METHOD = Method(
    name="aad",
    description="Distance between the datasets' mean latent codes under one autoencoder trained on all of them together.",
    source="McCaffrey & Chen, Autoencoder Average Distance (Towards AI, 2022), as the SimEx member architecture",
    settings=AADSettings,
    family="aad",
    value_format=".2f",
    compute=compute,
    detail=AADResult,
    matrix=matrix,
)
