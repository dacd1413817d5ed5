"""SimEx-MSE and SimEx-iSSIM as registered methods (Hwang et al., 2020, Sec. 3 and 5.3).

Each dataset's sample is split into a training part and ``n_eval`` held-out
images (seeded); autoencoder A(Y_k) trains on dataset k's training part and
Δ(X_i | Y_k) is its mean loss on dataset i's held-out images
(:func:`dsviz.simex.fleet.train_fleet`). The pairwise value is Δ averaged over
both directions; the joint ``matrix`` trains one fleet of P members and keeps the
raw (asymmetric) Δ, cached by :func:`dsviz.simex.runs.simex`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from dsviz.data import DataError, LabeledImages
from dsviz.methods.base import Distance, DistanceMatrix, Method
from dsviz.runtime.cache import Cache
from dsviz.runtime.progress import Progress
from dsviz.simex import runs
from dsviz.simex.fleet import BATCH_SIZE, FleetRun, train_fleet


@dataclass(frozen=True)
class SimExSettings:
    """Training epochs (RMSprop, lr 2e-4, SimEx Sec. 5.5), held-out images per dataset, batch size, seed."""

    epochs: int = runs.DEFAULT_EPOCHS
    n_eval: int = runs.DEFAULT_N_EVAL
    batch_size: int = BATCH_SIZE
    seed: int = 0


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


def _compute(name: str, loss: str):
    def compute(
        src: LabeledImages,
        tgt: LabeledImages,
        settings: SimExSettings,
        *,
        device: str = "auto",
        progress: Progress | None = None,
    ) -> Distance:
        parts = held_out_parts([src, tgt], settings.n_eval, settings.seed)
        run = train_fleet(
            parts.train,
            parts.evaluate,
            parts.names,
            loss=loss,
            epochs=settings.epochs,
            batch_size=settings.batch_size,
            seed=settings.seed,
            device=device,
            progress=progress,
        )
        value = 0.5 * float(run.delta[0, 1] + run.delta[1, 0])
        return Distance(name, value, run.seconds, asdict(settings), run)

    return compute


def _matrix(name: str, loss: str):
    def matrix(
        samples: Sequence[LabeledImages],
        settings: SimExSettings,
        *,
        device: str = "auto",
        cache: Cache | None = None,
        progress: Progress | None = None,
    ) -> DistanceMatrix:
        parts = held_out_parts(samples, settings.n_eval, settings.seed)
        run, hit = runs.simex(
            parts,
            loss,
            settings.epochs,
            batch_size=settings.batch_size,
            seed=settings.seed,
            device=device,
            progress=progress,
            cache=cache,
        )
        return DistanceMatrix(name, parts.names, run.delta, run.seconds, int(hit))

    return matrix


_SOURCE = "Hwang et al., SimEx: Express Prediction of Inter-dataset Similarity by a Fleet of Autoencoders, 2020, Sec. 3"

MSE = Method(
    name="simex-mse",
    description="Mean squared reconstruction error of one dataset's samples through an autoencoder trained on the "
    "other (averaged both ways).",
    source=_SOURCE,
    settings=SimExSettings,
    family="simex",
    compute=_compute("simex-mse", "mse"),
    detail=FleetRun,
    matrix=_matrix("simex-mse", "mse"),
)

ISSIM = Method(
    name="simex-issim",
    description="As SimEx-MSE, with 1 - SSIM as training loss and reconstruction error, so structure counts more "
    "than raw intensity.",
    source=_SOURCE + " (iSSIM loss, Sec. 5.2)",
    settings=SimExSettings,
    family="simex",
    compute=_compute("simex-issim", "issim"),
    detail=FleetRun,
    matrix=_matrix("simex-issim", "issim"),
)
