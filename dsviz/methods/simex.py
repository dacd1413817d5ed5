"""SimEx-MSE and SimEx-iSSIM as registered methods (Hwang et al., 2020, Sec. 3 and 5.3).

Each dataset's sample is split into a training part and ``n_eval`` held-out
images (seeded); autoencoder A(Y_k) trains on dataset k's training part and
Δ(X_i | Y_k) is its mean loss on dataset i's held-out images
(:func:`dsviz.simex.fleet.train_fleet`). The pairwise value is Δ averaged over
both directions; the joint ``matrix`` trains one fleet of P members and keeps the
raw (asymmetric) Δ, cached by :func:`dsviz.simex.runs.simex`.
"""

from __future__ import annotations

from dataclasses import dataclass

from dsviz.methods.forms import OnHeldOut
from dsviz.simex import runs
from dsviz.simex.fleet import BATCH_SIZE, FleetRun, train_fleet


@dataclass(frozen=True)
class SimExSettings:
    """Training epochs (RMSprop, lr 2e-4, SimEx Sec. 5.5), held-out images per dataset, batch size, seed."""

    epochs: int = runs.DEFAULT_EPOCHS
    n_eval: int = runs.DEFAULT_N_EVAL
    batch_size: int = BATCH_SIZE
    seed: int = 0


@dataclass(frozen=True)
class _Fleet(OnHeldOut):
    """One SimEx fleet (:func:`dsviz.simex.fleet.train_fleet`) with training ``loss``; the square is its Δ."""

    loss: str

    def train(self, parts: runs.Parts, **keywords) -> FleetRun:
        return train_fleet(parts.train, parts.evaluate, parts.names, loss=self.loss, **keywords)

    def cached(self, parts: runs.Parts, **keywords) -> tuple[FleetRun, bool]:
        return runs.simex(parts, self.loss, **keywords)


_SOURCE = "Hwang et al., SimEx: Express Prediction of Inter-dataset Similarity by a Fleet of Autoencoders, 2020, Sec. 3"

MSE = _Fleet("simex-mse", "delta", "mse").registered(
    description="Mean squared reconstruction error of one dataset's samples through an autoencoder trained on the "
    "other (averaged both ways).",
    source=_SOURCE,
    settings=SimExSettings,
    family="simex",
    detail=FleetRun,
)

ISSIM = _Fleet("simex-issim", "delta", "issim").registered(
    description="As SimEx-MSE, with 1 - SSIM as training loss and reconstruction error, so structure counts more "
    "than raw intensity.",
    source=_SOURCE + " (iSSIM loss, Sec. 5.2)",
    settings=SimExSettings,
    family="simex",
    detail=FleetRun,
)
