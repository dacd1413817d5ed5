"""Autoencoder average distance as a registered method (:func:`dsviz.simex.aad.compute_aad`).

One autoencoder trains on the union of the datasets' training parts; AAD is the
distance of the mean latent codes of their held-out images. The pairwise value
trains on the two datasets; the joint ``matrix`` trains one autoencoder on all P
(as the AAD description does), cached by :func:`dsviz.simex.runs.aad`.
"""

from __future__ import annotations

from dataclasses import dataclass

from dsviz.methods.forms import OnHeldOut
from dsviz.simex import runs
from dsviz.simex.aad import AADResult, compute_aad


@dataclass(frozen=True)
class AADSettings:
    """Training epochs of the shared autoencoder, held-out images per dataset, seed."""

    epochs: int = runs.DEFAULT_EPOCHS
    n_eval: int = runs.DEFAULT_N_EVAL
    seed: int = 0


class _AAD(OnHeldOut):
    """One autoencoder on the union of the training parts (:func:`dsviz.simex.aad.compute_aad`); the square
    is its (symmetric) AAD matrix."""

    def train(self, parts: runs.Parts, **keywords) -> AADResult:
        return compute_aad(parts.train, parts.evaluate, parts.names, **keywords)

    def cached(self, parts: runs.Parts, **keywords) -> tuple[AADResult, bool]:
        return runs.aad(parts, **keywords)


METHOD = _AAD("aad", "matrix").registered(
    description="Distance between the datasets' mean latent codes under one autoencoder trained on all of them together.",
    source="McCaffrey & Chen, Autoencoder Average Distance (Towards AI, 2022), as the SimEx member architecture",
    settings=AADSettings,
    family="aad",
    value_format=".2f",
    detail=AADResult,
)
