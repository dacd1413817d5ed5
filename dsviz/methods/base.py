"""What a dataset-distance method is, and how any of them is computed, cached and tabulated.

A :class:`Method` is registered once (:mod:`dsviz.methods.registry`) with

* ``name`` (the CLI's ``--method``), a one-sentence ``description`` and its ``source``
  (paper, section);
* ``settings``: a frozen dataclass of its parameters; with ``name`` and ``version``
  it is the cache key of every value the method computes;
* ``compute(src, tgt, settings, device=..., progress=...) -> Distance``: two
  labeled datasets (:class:`dsviz.data.LabeledImages`) in, a value out;
* ``detail``: the dataclass of its method-specific result, stored in the on-disk cache by
  :mod:`dsviz.runtime.codec` (None: the method keeps only its value);
* optionally ``matrix``: the method's own joint form over P datasets (SimEx trains
  one fleet of P autoencoders, AAD one autoencoder on all P); by default a matrix
  is every pair through ``compute``;
* optionally ``features``: the same computation on float feature rows (N x D) with
  labels instead of images, for methods defined on feature vectors (OTDD, s-OTDD);
  ``compute`` on images is ``features`` on ``to_features`` of the images.

Every pairwise computation records its measured cost (:mod:`dsviz.runtime.timings`, step
``distance_<name>``, units: source images x target images, only when it completes), so a
page can say beforehand how long the next one will take (:func:`estimate_seconds`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import numpy as np

from dsviz.data import LabeledImages
from dsviz.runtime import codec, timings
from dsviz.runtime.cache import Cache, fingerprint
from dsviz.runtime.progress import Progress


@dataclass
class Distance:
    """One method's distance between two datasets.

    ``value`` is the number the method reports (its own scale: compare ranks, not
    values, across methods); ``seconds`` its compute time when it was computed
    (read back from the cache with it); ``detail`` the method-specific result
    (:class:`dsviz.otdd.OTDDResult`, :class:`dsviz.otdd.sliced.SOTDDResult`, ...).
    """

    method: str
    value: float
    seconds: float
    settings: dict
    detail: Any = None


@dataclass(frozen=True)
class Method:
    r"""A registered dataset-distance method: a function of two labeled datasets and its settings.

    A method maps two labeled samples :math:`\mathcal{D}_A = \{(x_i, y_i)\}_{i=1}^{n_A}` and
    :math:`\mathcal{D}_B = \{(x'_j, y'_j)\}_{j=1}^{n_B}` and its settings :math:`s` to one number on its own
    scale, and a set of :math:`P` datasets to the matrix of those numbers:

    .. math::
        d_s : (\mathcal{D}_A, \mathcal{D}_B) \mapsto d_s(\mathcal{D}_A, \mathcal{D}_B) \in \mathbb{R},
        \qquad \mathbf{D}_{pq} = d_s(\mathcal{D}_p, \mathcal{D}_q), \quad p, q = 1, \dots, P,

    e.g. the OTDD of [1]_ (:func:`dsviz.otdd.engine.compute_otdd`), the s-OTDD of [2]_ or the SimEx
    :math:`\Delta` of [3]_. Values of different methods are on different scales (compare ranks across
    methods, not values); SimEx's :math:`\Delta` is not symmetric. The settings dataclass, with ``name`` and
    ``version``, is the cache key of every value computed (:func:`distance`, :func:`distance_matrix`).

    Parameters
    ----------
    name : str
        The method's name, the CLI's ``--method``.
    description : str
        One sentence for pages and ``--help``.
    source : str
        The paper and section the method follows.
    settings : type
        A frozen dataclass of the method's parameters; ``settings()`` gives the defaults.
    compute : callable
        ``compute(src, tgt, settings, device=..., progress=...) -> Distance`` on two
        :class:`dsviz.data.LabeledImages`.
    family : str
        The methods that share a computation and its settings (``"otdd"`` for exact and Gaussian OTDD):
        pages and studies ask the registry for a family instead of listing method names.
    coupling : bool, optional (default=False)
        Whether ``Distance.detail`` holds an OTDD coupling (:class:`dsviz.otdd.result.PlanSummary`) that
        the pair view can draw.
    value_format : str, optional (default=".3f")
        Format spec for the method's values in tables and heatmaps (its scale: OTDD values are in the
        thousands, SimEx's in thousandths).
    version : str, optional (default="1")
        Bumped when the computation changes, so cached values are recomputed.
    detail : type, optional (default=None)
        The dataclass of ``Distance.detail``, stored in the on-disk cache by :mod:`dsviz.runtime.codec`
        (None: only the value is kept).
    matrix : callable, optional (default=None)
        The method's own joint form over :math:`P` datasets (one SimEx fleet of :math:`P` autoencoders);
        when None a matrix is every pair through ``compute``.
    features : callable, optional (default=None)
        The same computation on float feature rows (``N x D``) with labels, for methods defined on feature
        vectors (OTDD, s-OTDD).

    Returns
    -------
    Calling ``compute`` returns a :class:`Distance`: ``value``, ``seconds``, the ``settings`` as a dict and
    the method's ``detail``.

    References
    ----------
    .. [1] Alvarez-Melis, D., & Fusi, N. (2020). Geometric Dataset Distances via Optimal Transport.
        NeurIPS 2020, Sec. 3.
    .. [2] Nguyen, K., Nguyen, H., Pham, T., & Ho, N. (2025). Lightspeed Geometric Dataset Distance via
        Sliced Optimal Transport. ICML 2025, Sec. 3.
    .. [3] Hwang, I., Lee, J., Liu, F., & Cho, M. (2020). SimEx: Express Prediction of Inter-dataset
        Similarity by a Fleet of Autoencoders. arXiv:2001.04893, Sec. 3.
    """

    name: str
    description: str
    source: str
    settings: type
    compute: Callable[..., Distance]
    family: str
    coupling: bool = False
    value_format: str = ".3f"
    version: str = "1"
    detail: type | None = None
    matrix: Callable[..., DistanceMatrix] | None = None
    features: Callable[..., Distance] | None = None

    def check(self, settings) -> None:
        if not isinstance(settings, self.settings):
            raise ValueError(f"{self.name} takes {self.settings.__name__}, got {type(settings).__name__}")

    def settings_dict(self, settings=None) -> dict:
        return asdict(settings if settings is not None else self.settings())

    def with_seed(self, settings, seed: int):
        """``settings`` with its ``seed`` field (projections, training) set, for stochastic methods."""
        return replace(settings, seed=seed) if "seed" in {f.name for f in fields(settings)} else settings

    def summary(self) -> dict:
        """JSON-ready ``name``, ``description``, ``source``, ``settings`` (the defaults), ``family``, ``coupling``."""
        return {
            "name": self.name,
            "description": self.description,
            "source": self.source,
            "settings": self.settings_dict(),
            "family": self.family,
            "coupling": self.coupling,
        }


@dataclass
class DistanceMatrix:
    """A method's P x P distances between datasets (zero diagonal) and what they cost."""

    method: str
    names: tuple[str, ...]
    matrix: np.ndarray
    seconds: float
    cache_hits: int = 0


def _encode(method: Method, d: Distance) -> dict[str, np.ndarray]:
    detail = codec.encode(d.detail) if method.detail is not None else {}
    arrays = {f"detail__{k}": v for k, v in detail.items()}
    arrays["__value__"] = np.asarray([d.value, d.seconds])
    return arrays


def _decoder(method: Method, settings_dict: dict) -> Callable[[dict], Distance]:
    def decode(arrays) -> Distance:
        value, seconds = (float(v) for v in np.asarray(arrays["__value__"]))
        stored = {k[len("detail__") :]: arrays[k] for k in arrays if k.startswith("detail__")}
        detail = codec.decode(method.detail, stored) if method.detail is not None else None
        return Distance(method.name, value, seconds, settings_dict, detail)

    return decode


def cache_params(method: Method, settings) -> dict:
    """The cache key's parameters: method name, version and every setting."""
    return {"method": method.name, "version": method.version, "settings": asdict(settings)}


def cost_step(method: Method) -> str:
    """The :mod:`dsviz.runtime.timings` step under which ``method``'s pairwise computations are measured."""
    return f"distance_{method.name}"


def cost_units(n_src: int, n_tgt: int) -> float:
    """Size of one pairwise computation: the number of (source, target) image pairs the cost matrix holds."""
    return float(n_src) * float(n_tgt)


def estimate_seconds(method: Method, pairs: Sequence[tuple[int, int]], cache: Cache | None = None) -> float | None:
    """How long computing ``method`` on ``pairs`` of sample sizes (n_src, n_tgt) should take here, scaled
    linearly in :func:`cost_units` from the last measured computation; None if it was never measured."""
    root = cache.root if cache is not None else None
    per = [timings.estimate(cost_step(method), cost_units(a, b), root=root) for a, b in pairs]
    return None if not per or any(p is None for p in per) else float(sum(per))


def distance(
    method: Method,
    src: LabeledImages,
    tgt: LabeledImages,
    settings=None,
    *,
    device: str = "auto",
    cache: Cache | None = None,
    progress: Progress | None = None,
    cached_only: bool = False,
) -> tuple[Distance | None, bool]:
    """``method`` between two loaded datasets, cached; ``(distance, cache_hit)``.

    The key is :func:`cache_params` plus the fingerprint of both samples (images,
    labels) and their class names; ``device`` is left out (it does not change the
    value). With ``cached_only`` nothing is computed: ``(None, False)`` on a miss.
    """
    settings = settings if settings is not None else method.settings()
    method.check(settings)
    store = cache if cache is not None else Cache()
    params = {**cache_params(method, settings), "classes": [list(src.classes), list(tgt.classes)]}
    data_fp = fingerprint(src.images, src.labels, tgt.images, tgt.labels)
    decode = _decoder(method, asdict(settings))
    if cached_only:
        found = store.get("distance", params, data_fp, decode)
        return found, found is not None

    def compute() -> Distance:
        start = time.perf_counter()
        with timings.measured(cost_step(method), cost_units(len(src.labels), len(tgt.labels)), root=store.root):
            d = method.compute(src, tgt, settings, device=device, progress=progress)
        d.seconds = d.seconds or time.perf_counter() - start
        return d

    return store.get_or_compute("distance", params, data_fp, compute, lambda d: _encode(method, d), decode)


def distance_matrix(
    method: Method,
    samples: Sequence[LabeledImages],
    settings=None,
    *,
    device: str = "auto",
    cache: Cache | None = None,
    progress: Progress | None = None,
) -> DistanceMatrix:
    """``method``'s matrix over ``samples``: its joint ``matrix`` if it has one, else every unordered
    pair through :func:`distance` (cached per pair), mirrored: every registered pairwise method is
    symmetric; the joint methods with an asymmetric raw form (SimEx) provide their own ``matrix``."""
    settings = settings if settings is not None else method.settings()
    method.check(settings)
    if method.matrix is not None:
        return method.matrix(samples, settings, device=device, cache=cache, progress=progress)
    k = len(samples)
    out = np.zeros((k, k))
    pairs = [(i, j) for i in range(k) for j in range(i + 1, k)]
    seconds, hits = 0.0, 0
    for done, (i, j) in enumerate(pairs):
        if progress is not None:
            progress(done, len(pairs), f"{samples[i].name} vs {samples[j].name}")
        d, hit = distance(method, samples[i], samples[j], settings, device=device, cache=cache)
        out[i, j] = out[j, i] = d.value
        seconds += d.seconds
        hits += hit
    if progress is not None:
        progress(len(pairs), len(pairs), "done")
    return DistanceMatrix(method.name, tuple(s.name for s in samples), out, seconds, hits)
