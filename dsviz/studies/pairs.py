"""The dataset-pair explorer: a distance matrix over datasets and the view of one pair.

The matrix reproduces the dataset-distance heatmaps of Alvarez-Melis & Fusi
(NeurIPS 2020, Fig. 3) for the *NIST-like datasets that are available, under any
registered method (:mod:`dsviz.methods`; OTDD by default, s-OTDD for scale); the
pair view adds a joint UMAP embedding and, per point, its best match under the
OTDD coupling (the partner receiving the most mass).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from dsviz import methods
from dsviz.data import to_features
from dsviz.data.derived import choose_datasets
from dsviz.embedding import UmapSettings, joint_embedding
from dsviz.methods import Comparison
from dsviz.methods.otdd import OTDDSettings
from dsviz.otdd.sliced import SOTDDResult, projection_spread
from dsviz.runtime.cache import Cache, fingerprint
from dsviz.runtime.progress import Progress

PAIR_DATASETS = ("mnist", "emnist-letters", "kmnist", "fashion-mnist", "usps")


def within(progress: Progress | None, done: int, total: int, label: str) -> Progress | None:
    """A stage progress for job ``done`` of ``total`` that moves ``progress`` between ``done`` and ``done + 1``."""
    if progress is None:
        return None
    return lambda step, steps, what: progress(done + step / max(steps, 1), total, f"{label}: {what}")


@dataclass(frozen=True)
class PairSettings:
    """What a matrix cell or a pair view depends on."""

    n: int = 2000
    seed: int = 0
    split: str = "train"
    method: str = "otdd-exact"
    outer: str = "auto"
    debiased: bool = True
    device: str = "auto"

    @property
    def is_otdd(self) -> bool:
        """Whether the method is of the OTDD family (outer solver, debiasing, plain OT beside it)."""
        return methods.get(self.method).family == "otdd"

    def method_settings(self):
        """The registered method and its settings: ``outer``/``debiased`` for OTDD (with the plain OT the pages
        draw beside it), ``seed`` for seeded methods."""
        m = methods.get(self.method)
        if self.is_otdd:
            return m, OTDDSettings(outer=self.outer, debiased=self.debiased, seed=self.seed, plain_ot=True)
        return m, m.with_seed(m.settings(), self.seed)

    def view_settings(self) -> PairSettings:
        """The pair view draws a coupling: the chosen method if it has one, else the first registered one that has."""
        if methods.get(self.method).coupling:
            return self
        return replace(self, method=next(m.name for m in methods.METHODS.values() if m.coupling))

    def describe(self) -> str:
        extra = (
            f"outer OT {self.outer}, {'debiased' if self.debiased else 'not debiased'}"
            if self.is_otdd
            else ", ".join(
                f"{k} {v}" for k, v in methods.get(self.method).settings_dict(self.method_settings()[1]).items()
            )
        )
        return (
            f"n = {self.n} per dataset ({self.split}, class-balanced), seed {self.seed}, method {self.method} ({extra})"
        )


@dataclass
class PairMatrix:
    """The chosen method's distance (and, for OTDD, plain OT) between every pair of available datasets.

    ``distance[i, i]`` is the dataset against the same sample (0 for a correct
    engine: a sanity check); ``floor[i]`` is the dataset against an independent
    sample of itself (seed + 1), the size of differences that are sampling noise.
    ``ot`` and ``floor_ot`` (feature-only OT) are NaN for methods other than OTDD.
    ``stderr`` is each cell's Monte Carlo standard error for s-OTDD (from the spread of its
    per-projection values, :func:`dsviz.otdd.sliced.projection_spread`), NaN for exact methods.
    """

    datasets: list[str]
    missing: dict[str, str]
    partial: dict[str, str]
    settings: PairSettings
    distance: np.ndarray
    ot: np.ndarray
    floor: np.ndarray
    floor_ot: np.ndarray
    split_used: dict[str, str]
    seconds: np.ndarray
    cache_hits: int = 0
    classes: dict[str, list[str]] = field(default_factory=dict)
    stderr: np.ndarray | None = None


def available_pair_datasets(
    names: Sequence[str] = PAIR_DATASETS, data_dir: str | os.PathLike[str] | None = None
) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """Split ``names`` into (available, missing -> message, partial -> message).

    With fewer than two available, the bundled datasets (``digits``, ``mnist-5k``)
    join (see :func:`dsviz.data.derived.choose_datasets`), so a matrix can always be drawn.
    """
    return choose_datasets(list(names), 2, data_dir)


def matrix_jobs(k: int, first: tuple[int, int] | None = None) -> list[tuple[int, int]]:
    """The cells :func:`pair_matrix` computes for ``k`` datasets: ``(i, j)`` for ``i <= j``, then ``(i, -1)``
    for dataset ``i`` against an independent sample of itself (the noise floor); the cell ``first``
    (either order) comes first when given."""
    jobs = [(i, j) for i in range(k) for j in range(i, k)] + [(i, -1) for i in range(k)]
    if first is not None:
        cell = (min(first), max(first))
        jobs.sort(key=lambda job: job != cell)
    return jobs


def pair_matrix(
    names: Sequence[str] = PAIR_DATASETS,
    settings: PairSettings = PairSettings(),
    *,
    data_dir: str | os.PathLike[str] | None = None,
    cache: Cache | None = None,
    progress: Progress | None = None,
    first: tuple[str, str] | None = None,
    on_cell: Callable[[PairMatrix], None] | None = None,
) -> PairMatrix:
    """Compute (or read from the cache) ``settings.method``'s matrix over the available datasets.

    Every registered pairwise method is symmetric (OTDD with either outer solver
    ``auto`` picks: exact OT, or the debiased Sinkhorn divergence, S(a, b) = S(b, a);
    s-OTDD, ...), so each unordered pair is computed once and mirrored.
    ``progress(done, total, label)`` is called before each cell. The pair ``first``
    (two names) is computed first; ``on_cell`` gets a copy of the matrix after each
    cell, with the cells (and floors) not computed yet NaN.
    """
    datasets, missing, partial = available_pair_datasets(names, data_dir)
    k = len(datasets)
    # NaN until computed: only partial copies (on_cell) can see an unfilled cell
    dist, secs, ot = np.full((k, k), np.nan), np.zeros((k, k)), np.full((k, k), np.nan)
    floor, floor_ot = np.full(k, np.nan), np.full(k, np.nan)
    stderr = np.full((k, k), np.nan)
    split_used: dict[str, str] = {}
    classes: dict[str, list[str]] = {}
    order = (datasets.index(first[0]), datasets.index(first[1])) if first and set(first) <= set(datasets) else None
    jobs = matrix_jobs(k, order)
    hits = 0

    def snapshot() -> PairMatrix:
        return PairMatrix(
            datasets,
            missing,
            partial,
            settings,
            dist.copy(),
            ot.copy(),
            floor.copy(),
            floor_ot.copy(),
            dict(split_used),
            secs.copy(),
            hits,
            dict(classes),
            stderr.copy(),
        )

    for done, (i, j) in enumerate(jobs):
        label = f"{datasets[i]} vs an independent sample of itself" if j < 0 else f"{datasets[i]} vs {datasets[j]}"
        if progress:
            progress(done, len(jobs), label)
        start = time.perf_counter()
        cmp = compare_pair(
            datasets[i],
            datasets[j if j >= 0 else i],
            settings,
            data_dir,
            cache,
            tgt_seed=floor_seed(settings) if j < 0 else None,
            progress=within(progress, done, len(jobs), label),
        )
        hits += cmp.cache_hit
        plain = cmp.result.ot if settings.is_otdd else np.nan
        if j < 0:
            floor[i], floor_ot[i] = cmp.distance.value, plain
        else:
            _fill_cell(cmp, plain, i, j, datasets, dist, ot, stderr, split_used, classes)
            secs[i, j] = secs[j, i] = time.perf_counter() - start
        if on_cell:
            on_cell(snapshot())
    if progress:
        progress(len(jobs), len(jobs), "done")
    return snapshot()


def _fill_cell(
    cmp: Comparison,
    plain: float,
    i: int,
    j: int,
    datasets: list[str],
    dist: np.ndarray,
    ot: np.ndarray,
    stderr: np.ndarray,
    split_used: dict[str, str],
    classes: dict[str, list[str]],
) -> None:
    """Write one computed pair (its distance, plain OT ``plain``) into the matrix arrays, both triangles."""
    dist[i, j] = dist[j, i] = cmp.distance.value
    if isinstance(cmp.result, SOTDDResult):
        stderr[i, j] = stderr[j, i] = projection_spread(cmp.result.per_projection, cmp.result.p)
    ot[i, j] = ot[j, i] = plain
    split_used[datasets[i]] = cmp.split_used["src"]
    split_used[datasets[j]] = cmp.split_used["tgt"]
    classes[datasets[i]] = [cmp.src.classes[c] for c in cmp.src.present_classes]


def floor_seed(settings: PairSettings) -> int:
    """Seed of the independent second sample behind ``floor``."""
    return settings.seed + 1


def compare_pair(
    src: str,
    tgt: str,
    settings: PairSettings,
    data_dir=None,
    cache=None,
    tgt_seed=None,
    progress: Progress | None = None,
) -> Comparison:
    """One matrix cell: ``settings.method`` between ``src`` and ``tgt`` (names or ``.npz`` paths) through the
    registry (cached; ``tgt_seed`` for the floor); ``progress`` follows the method's stages."""
    method, method_settings = settings.method_settings()
    return methods.compare(
        method,
        src,
        tgt,
        method_settings,
        n=settings.n,
        seed=settings.seed,
        tgt_seed=tgt_seed,
        split=settings.split,
        device=settings.device,
        data_dir=data_dir,
        cache=cache,
        progress=progress,
    )


@dataclass
class PairView:
    """Everything the pair page draws for one (src, tgt) pair.

    ``embedding`` stacks src rows first, then tgt rows; :meth:`global_matches` gives each point's
    best partner in the other dataset in the same order.
    """

    comparison: Comparison
    embedding: np.ndarray
    umap: UmapSettings
    embed_seconds: float
    embed_cache_hit: bool

    def images(self) -> np.ndarray:
        """All images in global order: source, then target."""
        return np.concatenate([self.comparison.src.images, self.comparison.tgt.images])

    def global_matches(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per point in global order (source points, then target points): class code
        (index into its side's class list), best partner's global index (-1: none), and that mass."""
        cmp, n1, plan = self.comparison, self.comparison.result.n_src, self.comparison.result.plan
        cls = np.concatenate(
            [np.unique(cmp.src.labels, return_inverse=True)[1], np.unique(cmp.tgt.labels, return_inverse=True)[1]]
        )
        src_best, tgt_best = plan.src_top_index[:, 0], plan.tgt_top_index[:, 0]  # -1: the point sends no mass
        best = np.concatenate([np.where(src_best >= 0, src_best + n1, -1), tgt_best])
        return cls, best, np.concatenate([plan.src_top_mass[:, 0], plan.tgt_top_mass[:, 0]])

    def partners(self, point: int) -> tuple[int, int, list[tuple[int, str, float]]]:
        """For global point index ``point``: (side, index within its dataset, [(partner index in
        the other dataset, partner's class name, mass)]) over its top partners, mass descending."""
        res = self.comparison.result
        side, local = (0, point) if point < res.n_src else (1, point - res.n_src)
        index = (res.plan.src_top_index if side == 0 else res.plan.tgt_top_index)[local]
        mass = (res.plan.src_top_mass if side == 0 else res.plan.tgt_top_mass)[local]
        other = self.comparison.tgt if side == 0 else self.comparison.src
        names = res.tgt_classes if side == 0 else res.src_classes
        codes = np.unique(other.labels, return_inverse=True)[1]
        return side, local, [(int(j), names[codes[j]], float(m)) for j, m in zip(index, mass) if j >= 0]


def pair_view(
    src: str,
    tgt: str,
    settings: PairSettings = PairSettings(),
    umap_settings: UmapSettings | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    cache: Cache | None = None,
    progress: Progress | None = None,
) -> PairView:
    """OTDD (cached; :meth:`PairSettings.view_settings`) and joint UMAP embedding (cached) of one dataset pair."""
    store = cache if cache is not None else Cache()
    umap_settings = umap_settings or UmapSettings(seed=settings.seed)
    if progress:
        progress(0, 2, f"OTDD {src} vs {tgt}")
    cmp = compare_pair(
        src, tgt, settings.view_settings(), data_dir, store, progress=within(progress, 0, 2, f"OTDD {src} vs {tgt}")
    )
    if progress:
        progress(1, 2, f"UMAP of {cmp.result.n_src + cmp.result.n_tgt} points")
    x1, x2 = to_features(cmp.src.images), to_features(cmp.tgt.images)
    start = time.perf_counter()
    params = {
        "n_neighbors": umap_settings.n_neighbors,
        "min_dist": umap_settings.min_dist,
        "n_epochs": umap_settings.n_epochs,
        "seed": umap_settings.seed,
    }
    embedding, hit = store.get_or_compute(
        "umap",
        params,
        fingerprint(x1, x2),
        lambda: joint_embedding(x1, x2, umap_settings),
        lambda e: {"embedding": e},
        lambda a: np.asarray(a["embedding"], np.float32),
    )
    if progress:
        progress(2, 2, "done")
    return PairView(cmp, embedding, umap_settings, time.perf_counter() - start, hit)
