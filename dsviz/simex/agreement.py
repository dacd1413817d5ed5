"""Do the dataset-similarity methods agree? Five distances between the same datasets.

For datasets D_1..D_P every method gives a P x P matrix of distances:

* OTDD: optimal transport dataset distance (Alvarez-Melis & Fusi, NeurIPS 2020), exact;
* SimEx-MSE and SimEx-iSSIM: Δ of a per-dataset fleet (Hwang et al., 2020), symmetrized;
* AAD: distance of mean latent codes of one autoencoder trained on all P datasets;
* sample MSE: mean pairwise per-pixel squared error, the SimEx sample-space baseline.

Each method orders the P(P-1)/2 dataset pairs from most to least similar; the
agreement of two methods is Spearman's ρ between those orderings
(:func:`dsviz.simex.ranking.method_agreement`). Every method's cost is its own
compute time at the given settings (read back with cached values).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..cache import Cache
from .baseline import sample_mse_matrix
from .ranking import method_agreement
from . import runs

DESCRIPTIONS: dict[str, str] = {
    "OTDD": "Optimal transport between the datasets' labeled samples, paying pixel distance plus the OT distance between their classes.",
    "SimEx-MSE": "Mean squared reconstruction error of one dataset's samples through an autoencoder trained on the other (averaged both ways).",
    "SimEx-iSSIM": "As SimEx-MSE, with 1 − SSIM as training loss and reconstruction error, so structure counts more than raw intensity.",
    "AAD": "Distance between the datasets' mean latent codes under one autoencoder trained on all of them together.",
    "Sample MSE": "Mean squared pixel difference over all pairs of samples, with no learning at all.",
}
"""One sentence per method, in the order the methods are reported."""

StageProgress = Callable[[str, int, int], None]
"""``progress(method, done, total)``."""


@dataclass
class AgreementReport:
    """Every method's distance matrix between the same datasets, their costs, and their rank agreement."""

    names: tuple[str, ...]
    matrices: dict[str, np.ndarray]
    seconds: dict[str, float]
    spearman: np.ndarray
    notes: dict[str, str]

    @property
    def methods(self) -> list[str]:
        return list(self.matrices)

    def to_arrays(self) -> dict[str, np.ndarray]:
        arrays = {
            "names": np.array(self.names),
            "methods": np.array(self.methods),
            "seconds": np.array([self.seconds[m] for m in self.methods]),
            "spearman": self.spearman,
            "note_keys": np.array(list(self.notes), dtype=str),
            "note_values": np.array(list(self.notes.values()), dtype=str),
        }
        arrays.update({f"m__{i}": self.matrices[m] for i, m in enumerate(self.methods)})
        return arrays

    @classmethod
    def from_arrays(cls, arrays) -> AgreementReport:
        methods = [str(m) for m in arrays["methods"]]
        return cls(
            names=tuple(str(x) for x in arrays["names"]),
            matrices={m: np.asarray(arrays[f"m__{i}"]) for i, m in enumerate(methods)},
            seconds=dict(zip(methods, (float(s) for s in arrays["seconds"]), strict=True)),
            spearman=np.asarray(arrays["spearman"]),
            notes=dict(zip((str(k) for k in arrays["note_keys"]), (str(v) for v in arrays["note_values"]), strict=True)),
        )

    def summary(self) -> dict:
        """JSON-ready dict: ``datasets``, ``methods``, ``matrices``, ``seconds``, ``spearman``, ``notes``."""
        return {
            "datasets": list(self.names),
            "methods": self.methods,
            "matrices": {m: v.tolist() for m, v in self.matrices.items()},
            "seconds": self.seconds,
            "spearman": np.where(np.isfinite(self.spearman), self.spearman, None).tolist(),
            "notes": self.notes,
        }


def compare_methods(
    datasets: Sequence[str],
    n: int = runs.DEFAULT_N,
    n_eval: int = runs.DEFAULT_N_EVAL,
    epochs: int = runs.DEFAULT_EPOCHS,
    seed: int = 0,
    device: str = "auto",
    data_dir: str | os.PathLike[str] | None = None,
    progress: StageProgress | None = None,
    cache: Cache | None = None,
    cached_only: bool = False,
) -> AgreementReport | None:
    """Compute (or read from the cache) all five methods for the available ``datasets``.

    OTDD uses ``n`` class-balanced samples per dataset; the autoencoder methods
    train on ``n`` and evaluate on ``n_eval`` held-out samples per dataset. Each
    method's result is cached on its own and the report as a whole too; with
    ``cached_only`` nothing is computed and a missing report gives ``None``.
    """
    parts = runs.dataset_parts(datasets, n=n, n_eval=n_eval, seed=seed, data_dir=data_dir)
    params = {"kind": "agreement", "model": runs.MODEL_VERSION, "parts": list(parts.names),
              "n": n, "epochs": epochs, "seed": seed}  # fmt: skip
    report, _ = runs.cached_value(
        cache, "simex_agreement", params, parts.fingerprint(),
        lambda: _compute(parts, n, epochs, seed, device, data_dir, progress, cache),
        AgreementReport.to_arrays, AgreementReport.from_arrays, cached_only,
    )  # fmt: skip
    return report


def _compute(
    parts: runs.Parts,
    n: int,
    epochs: int,
    seed: int,
    device: str,
    data_dir: str | os.PathLike[str] | None,
    progress: StageProgress | None,
    cache: Cache | None,
) -> AgreementReport:

    def stage(name: str):
        return None if progress is None else (lambda done, total: progress(name, done, total))

    matrices: dict[str, np.ndarray] = {}
    seconds: dict[str, float] = {}
    otdd = runs.otdd_matrix(parts.names, n=n, seed=seed, device=device, data_dir=data_dir, progress=stage("OTDD"), cache=cache)
    matrices["OTDD"], seconds["OTDD"] = otdd.matrix, otdd.seconds
    for loss, method in (("mse", "SimEx-MSE"), ("issim", "SimEx-iSSIM")):
        fleet, _ = runs.simex(parts, loss, epochs, seed=seed, device=device, progress=stage(method), cache=cache)
        matrices[method], seconds[method] = fleet.delta, fleet.seconds
    aad, _ = runs.aad(parts, epochs, seed=seed, device=device, progress=stage("AAD"), cache=cache)
    matrices["AAD"], seconds["AAD"] = aad.matrix, aad.seconds
    start = time.perf_counter()
    matrices["Sample MSE"] = sample_mse_matrix(parts.evaluate, parts.train)
    seconds["Sample MSE"] = time.perf_counter() - start
    return AgreementReport(parts.names, matrices, seconds, method_agreement(matrices), parts.notes)
