"""OTDD between two datasets by name: load, featurize, compute, cache.

This is the one entry point the CLI, the pages and the benchmarks share, so a
value computed by ``python -m dsviz`` is the value a page shows.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .cache import Cache, fingerprint
from .data import LabeledImages, load, to_features
from .otdd import OTDDResult, compute_otdd
from .otdd.engine import StageProgress, stages


@dataclass
class DatasetComparison:
    """OTDD between two datasets with the data that produced it.

    ``result.options['split_used']`` records the split each side was read from
    (a requested split that is missing falls back to the other one).
    """

    src: LabeledImages
    tgt: LabeledImages
    result: OTDDResult
    cache_hit: bool

    @property
    def split_used(self) -> dict[str, str]:
        return {"src": self.src.split_used, "tgt": self.tgt.split_used}


def compare_datasets(
    src: str,
    tgt: str,
    *,
    n: int | None = 2000,
    seed: int = 0,
    tgt_seed: int | None = None,
    split: str = "train",
    normalize: str = "mnist",
    label_distance: str = "exact",
    outer: str = "auto",
    eps: float = 0.05,
    debiased: bool = True,
    device: str = "auto",
    top_k: int = 5,
    max_outer: int | None = 10_000,
    data_dir: str | os.PathLike[str] | None = None,
    cache: Cache | None = None,
    progress: StageProgress | None = None,
) -> DatasetComparison:
    """Load ``n`` class-balanced samples of each dataset and compute their OTDD.

    ``n=None`` uses every image. The class statistics (label distances) always use
    every loaded image; the outer OT uses at most ``max_outer`` per side, drawn with
    ``seed`` (the authors' ``DatasetDistance.distance(maxsamples=10000)``), which
    keeps the full-dataset cost matrices at 10 000 x 10 000 entries.

    ``tgt_seed`` (default: ``seed``) draws the target sample with another seed,
    e.g. to compare two independent samples of one dataset.

    ``src``/``tgt`` are registered names or ``.npz`` paths. Results are cached
    (``cache=None`` uses the default cache folder) under the data fingerprint
    and every option except ``device``, which does not change the value.

    ``progress(done, total, what)`` reports loading, then each stage of the OTDD
    engine (:func:`dsviz.otdd.engine.stages`), then the end (also on a cache hit).
    """
    total = 1 + len(stages(outer, debiased))
    if progress is not None:
        progress(0, total, "loading and sampling both datasets")
    a = load(src, split=split, n=n, seed=seed, data_dir=data_dir)
    b = load(tgt, split=split, n=n, seed=seed if tgt_seed is None else tgt_seed, data_dir=data_dir)
    params = {
        "normalize": normalize,
        "label_distance": label_distance,
        "outer": outer,
        "eps": eps if outer == "sinkhorn" else None,
        "debiased": debiased,
        "top_k": top_k,
        "max_outer": max_outer,
        "classes": [list(a.classes), list(b.classes)],
    }
    data_fp = fingerprint(a.images, a.labels, b.images, b.labels)
    split_used = {"src": a.split_used, "tgt": b.split_used}

    def compute() -> OTDDResult:
        res = compute_otdd(
            to_features(a.images, normalize),
            a.labels,
            to_features(b.images, normalize),
            b.labels,
            classes1=a.classes,
            classes2=b.classes,
            label_distance=label_distance,
            outer=outer,
            eps=eps,
            debiased=debiased,
            device=device,
            top_k=top_k,
            max_outer=max_outer,
            seed=seed,
            progress=None if progress is None else lambda done, _, what: progress(1 + done, total, what),
        )
        res.options.update(split_used=split_used, normalize=normalize, n=n, seed=seed,
                           tgt_seed=seed if tgt_seed is None else tgt_seed)
        return res

    store = cache if cache is not None else Cache()
    result, hit = store.get_or_compute(
        "otdd", params, data_fp, compute, OTDDResult.to_arrays, OTDDResult.from_arrays
    )
    if progress is not None:
        progress(total, total, "read from the cache" if hit else "done")
    return DatasetComparison(src=a, tgt=b, result=result, cache_hit=hit)
