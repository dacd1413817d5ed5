"""Which reference dataset is closest to an uploaded one: OTDD to each, ranked, and SimEx Δ under the reference fleet.

OTDD (Alvarez-Melis & Fusi, NeurIPS 2020, §3) between the upload and each
available reference dataset, smallest first: the dataset to pretrain on, in the
paper's transfer experiments (§6.1), is the one at the smallest distance.
Each comparison runs under a per-key lock (:mod:`dsviz.runtime.inflight`) and goes
through the shared cache, so concurrent sessions asking for the same upload and
settings compute it once.

SimEx (Hwang et al., 2020, §3): Δ(X | Y_k) is the mean reconstruction loss of
the images X through an autoencoder trained on reference dataset Y_k; divided by
the mean L2 norm of Y_k (§5.3) it is comparable across references. The fleet is
the between-dataset fleet of :mod:`dsviz.simex.runs`, read from the cache only
(training it takes minutes; ``python -m dsviz simex ... --per dataset`` does it).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dsviz.data import load
from dsviz.runtime.cache import Cache
from dsviz.runtime.inflight import exclusive
from dsviz.runtime.progress import Progress
from dsviz.simex import evaluate_delta
from dsviz.simex import runs as simex_runs
from dsviz.simex.fleet import FleetRun, to_tensor
from dsviz.studies.pairs import (
    PAIR_DATASETS,
    PairSettings,
    PairView,
    available_pair_datasets,
    compare_pair,
    pair_view,
    within,
)

DEFAULT_SETTINGS = PairSettings(n=500)
"""A modest sample per dataset, so a page answers in seconds on two CPU cores."""


@dataclass(frozen=True)
class ReferenceDistance:
    """The settings' method (OTDD by default) and plain OT (NaN for other methods) from the upload to one reference."""

    name: str
    otdd: float
    ot: float
    split_used: str
    seconds: float
    cache_hit: bool


@dataclass
class Ranking:
    """References ordered by OTDD to the upload (closest first), and those that could not be used."""

    rows: list[ReferenceDistance]
    missing: dict[str, str]
    partial: dict[str, str]
    settings: PairSettings

    @property
    def closest(self) -> str:
        return self.rows[0].name


def _lock_params(upload: str | os.PathLike[str], reference: str, settings: PairSettings) -> dict:
    return {"upload": Path(upload).name, "reference": reference, "settings": settings.__dict__}


def rank_references(
    upload: str | os.PathLike[str],
    settings: PairSettings = DEFAULT_SETTINGS,
    references: Sequence[str] = PAIR_DATASETS,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    cache: Cache | None = None,
    progress: Progress | None = None,
) -> Ranking:
    """``settings.method`` (a registered method, OTDD by default) from the upload's ``.npz`` (see
    :func:`dsviz.data.upload.save_upload`) to each available reference, sorted.

    ``progress(done, total, label)`` is called before each reference and once at the end.
    """
    store = cache if cache is not None else Cache()
    available, missing, partial = available_pair_datasets(references, data_dir)
    rows = []
    for done, name in enumerate(available):
        if progress:
            progress(done, len(available), f"OTDD to {name}")
        start = time.perf_counter()
        with exclusive("otdd-upload", _lock_params(upload, name, settings), store.root):
            cmp = compare_pair(
                str(upload),
                name,
                settings,
                data_dir,
                store,
                progress=within(progress, done, len(available), f"OTDD to {name}"),
            )
        plain = float(cmp.result.ot) if settings.is_otdd else float("nan")
        rows.append(
            ReferenceDistance(
                name, cmp.distance.value, plain, cmp.tgt.split_used, time.perf_counter() - start, cmp.cache_hit
            )
        )
    if progress:
        progress(len(available), len(available), "done")
    rows.sort(key=lambda r: r.otdd)
    return Ranking(rows, missing, partial, settings)


def upload_pair_view(
    upload: str | os.PathLike[str],
    reference: str,
    settings: PairSettings = DEFAULT_SETTINGS,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    cache: Cache | None = None,
    progress: Progress | None = None,
) -> PairView:
    """:func:`dsviz.studies.pairs.pair_view` of (upload, reference), computed once across concurrent callers."""
    store = cache if cache is not None else Cache()
    with exclusive("pair-view-upload", _lock_params(upload, reference, settings), store.root):
        return pair_view(str(upload), reference, settings, data_dir=data_dir, cache=store, progress=progress)


@dataclass
class FleetDelta:
    """SimEx Δ of the upload under each member of the reference fleet.

    ``delta[k] = Δ(upload | Y_k)``; ``normalized = delta / ref_norm``; ``reference_delta``
    is the fleet's own P x K matrix (rows: held-out reference images) for scale.
    """

    references: tuple[str, ...]
    loss: str
    delta: np.ndarray
    normalized: np.ndarray
    reference_delta: np.ndarray
    reference_normalized: np.ndarray
    n_images: int

    @property
    def closest(self) -> str:
        return self.references[int(np.argmin(self.normalized))]


def reference_fleet(
    loss: str = "mse",
    *,
    n: int = simex_runs.DEFAULT_N,
    n_eval: int = simex_runs.DEFAULT_N_EVAL,
    epochs: int = simex_runs.DEFAULT_EPOCHS,
    data_dir: str | os.PathLike[str] | None = None,
    cache: Cache | None = None,
) -> tuple[FleetRun | None, dict[str, str]]:
    """The cached between-dataset SimEx fleet (one autoencoder per reference) and notes on missing references.

    ``n``, ``n_eval``, ``epochs`` pick the fleet (defaults of :mod:`dsviz.simex.runs`).
    The fleet is ``None`` when it is not in the cache: nothing is trained here.
    """
    parts = simex_runs.dataset_parts(simex_runs.between_datasets(data_dir), n=n, n_eval=n_eval, data_dir=data_dir)
    fleet, _ = simex_runs.simex(parts, loss, epochs, cache=cache, cached_only=True)
    return fleet, parts.notes


def simex_under_fleet(
    upload: str | os.PathLike[str], fleet: FleetRun, n: int = 500, device: str = "auto"
) -> FleetDelta:
    """Δ of a class-balanced sample of ``n`` upload images under each member of ``fleet``."""
    model = fleet.model(device)
    sample = load(str(upload), n=n, seed=0)
    x = to_tensor(sample.images, next(model.parameters()).device)
    delta = evaluate_delta(model, [x], fleet.loss)[0]
    return FleetDelta(
        fleet.parts,
        fleet.loss,
        delta,
        delta / fleet.ref_norm,
        fleet.delta,
        fleet.normalized_delta(),
        len(sample.images),
    )
