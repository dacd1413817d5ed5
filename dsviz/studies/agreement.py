"""Do the dataset-similarity methods agree? Every registered method between the same datasets.

For datasets D_1..D_P every method of :mod:`dsviz.methods` gives a P x P matrix
of distances (its joint form where it has one: SimEx's fleet, AAD's shared
autoencoder; else every pair), computed on the same class-balanced samples of
``n`` images per dataset (the autoencoder methods hold ``n_eval`` of them out).

Each method orders the P(P-1)/2 dataset pairs from most to least similar; the
agreement of two methods is Spearman's ρ between those orderings
(:func:`dsviz.simex.ranking.method_agreement`). Every method's cost is its own
compute time at the given settings (read back with cached values).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

import numpy as np

from dsviz import methods
from dsviz.data import DataError
from dsviz.data.derived import dataset_status
from dsviz.runtime import timings
from dsviz.runtime.cache import Cache, cached, fingerprint
from dsviz.runtime.progress import Progress, labelled
from dsviz.simex import runs
from dsviz.simex.ranking import method_agreement


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


def agreement_settings(epochs: int, n_eval: int, seed: int) -> dict[str, object]:
    """Every registered method's default settings with its ``epochs``, ``n_eval`` and ``seed`` (where it has them) set."""
    out = {}
    for name, method in methods.METHODS.items():
        settings = method.settings()
        given = {"epochs": epochs, "n_eval": n_eval, "seed": seed}
        out[name] = replace(settings, **{k: v for k, v in given.items() if k in {f.name for f in fields(settings)}})
    return out


COST_STEP = "method_agreement"


def cost_units(n_datasets: int, n: int, epochs: int) -> float:
    """Size of a comparison for :mod:`dsviz.runtime.timings`: datasets x images x epochs, as training the
    autoencoders (SimEx, AAD) dominates it; the pairwise OTDDs grow faster in ``n``, so an
    estimate scaled to many more images is a lower bound."""
    return float(n_datasets) * n * max(epochs, 1)


def estimate_seconds(n_datasets: int, n: int, epochs: int, cache: Cache | None = None) -> float | None:
    """How long :func:`compare_methods` should take here, from the last measured comparison (None: never measured)."""
    return timings.estimate(COST_STEP, cost_units(n_datasets, n, epochs), root=cache.root if cache else None)


def compare_methods(
    datasets: Sequence[str],
    n: int = runs.DEFAULT_N,
    n_eval: int = runs.DEFAULT_N_EVAL,
    epochs: int = runs.DEFAULT_EPOCHS,
    seed: int = 0,
    device: str = "auto",
    data_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    cache: Cache | None = None,
    cached_only: bool = False,
) -> AgreementReport | None:
    """Compute (or read from the cache) every registered method for the available ``datasets``.

    Each method's result is cached on its own and the report as a whole too, under
    the list of methods with their names, versions and settings (a new method or a
    changed setting is a new key); with ``cached_only`` nothing is computed and a
    missing report gives ``None``.
    """
    status = dataset_status(list(datasets), data_dir)
    notes = {name: note for name, (ok, note) in status.items() if note}
    usable = [name for name in datasets if status[name][0]]
    if len(usable) < 2:
        raise DataError("fewer than two of the datasets are available: " + "; ".join(notes.values()))
    samples = [methods.load_sample(name, n, seed, data_dir=data_dir) for name in usable]
    settings = agreement_settings(epochs, n_eval, seed)
    params = {
        "kind": "agreement",
        "datasets": usable,
        "n": n,
        "methods": [methods.cache_params(methods.get(m), s) for m, s in settings.items()],
    }
    data_fp = fingerprint(*(a for s in samples for a in (s.images, s.labels)))

    def compute() -> AgreementReport:
        matrices: dict[str, np.ndarray] = {}
        seconds: dict[str, float] = {}
        with timings.measured(COST_STEP, cost_units(len(usable), n, epochs), root=cache.root if cache else None):
            for name, s in settings.items():
                result = methods.distance_matrix(
                    methods.get(name), samples, s, device=device, cache=cache, progress=labelled(progress, name)
                )
                matrices[name], seconds[name] = result.matrix, result.seconds
        return AgreementReport(tuple(usable), matrices, seconds, method_agreement(matrices), notes)

    report, _ = cached(cache, "simex_agreement", params, data_fp, compute, AgreementReport, cached_only=cached_only)
    return report
