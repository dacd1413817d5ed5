"""Autoencoder average distance (AAD) between datasets.

AAD (J. McCaffrey and S. Chen, as described in "Autoencoder Average Distance",
Towards AI, 2022): train one autoencoder on the union of the datasets being
compared, encode every sample, and take the distance between the datasets'
mean latent codes,

    AAD(A, B) = || mean_{a in A} z(a) - mean_{b in B} z(b) ||_2 .

The autoencoder is the SimEx member architecture (:mod:`dsviz.simex.model`, a
fleet of one) trained with MSE, so the two methods differ only in how they use it.
AAD(A, A) = 0 and AAD is symmetric, by construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from dsviz.runtime.codec import INLINE
from dsviz.runtime.device import resolve_device
from dsviz.runtime.progress import Progress
from dsviz.simex.fleet import EVAL_BATCH, FleetRun, to_tensor, train_fleet
from dsviz.simex.model import FleetAutoencoder


@dataclass
class AADResult:
    """AAD matrix between parts, with the mean codes and the autoencoder behind it."""

    matrix: np.ndarray
    mean_codes: np.ndarray
    run: FleetRun = field(repr=False, metadata=INLINE)

    @property
    def parts(self) -> tuple[str, ...]:
        """Names of the parts, in the order of the matrix's rows."""
        return self.run.parts

    @property
    def seconds(self) -> float:
        return self.run.seconds


@torch.no_grad()
def mean_codes(model: FleetAutoencoder, parts: Sequence[np.ndarray], member: int = 0) -> np.ndarray:
    """P x latent: the mean latent code of each part's uint8 images under fleet member ``member``."""
    device = next(model.parameters()).device
    model.eval()
    out = []
    for images in parts:
        x = to_tensor(images, device)
        total = torch.zeros(model.latent, dtype=torch.float64, device=device)
        for start in range(0, len(x), EVAL_BATCH):
            batch = x[start : start + EVAL_BATCH]
            z = model.encode(batch.unsqueeze(1).expand(-1, model.members, -1, -1))[:, member]
            total += z.double().sum(0)
        out.append((total / len(x)).cpu().numpy())
    return np.stack(out)


def aad_matrix(codes: np.ndarray) -> np.ndarray:
    """Pairwise Euclidean distances between the rows of ``codes`` (P x latent)."""
    diff = codes[:, None, :] - codes[None, :, :]
    return np.sqrt((diff**2).sum(-1))


def compute_aad(
    train: Sequence[np.ndarray],
    evaluate: Sequence[np.ndarray],
    names: Sequence[str],
    *,
    epochs: int = 10,
    seed: int = 0,
    device: str | torch.device = "auto",
    progress: Progress | None = None,
) -> AADResult:
    """Train one autoencoder on the union of ``train`` and return AAD between the ``evaluate`` parts."""
    union = np.concatenate(list(train))
    run = train_fleet([union], evaluate, names, loss="mse", epochs=epochs, seed=seed, device=device, progress=progress)
    codes = mean_codes(run.model(resolve_device(device)), evaluate)
    return AADResult(aad_matrix(codes), codes, run)
