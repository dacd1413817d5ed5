"""Optimal Transport Dataset Distance (OTDD) between two labeled samples.

Alvarez-Melis & Fusi, "Geometric Dataset Distances via Optimal Transport",
NeurIPS 2020, Sec. 3-4. Each point is a pair z = (x, y); with p = 2 the ground
cost is

    c((x, y), (x', y')) = ||x - x'||^2 + W_2^2(P_y, P_y'),

where P_y is the class-conditional distribution of label y, and

    OTDD(D1, D2) = min_{pi in Pi(a, b)} <pi, C>,   a, b uniform.

Debiasing (as for Sinkhorn divergences, Feydy et al. 2019):
OTDD(A, B) - 1/2 OTDD(A, A) - 1/2 OTDD(B, B). With the exact outer solver
the self terms are exactly 0 (the identity coupling is feasible, costs nothing
since c(z, z) = 0, and every cost is >= 0), so they are only computed for the
entropic solvers.

Outer solvers: ``exact`` (network simplex), ``sinkhorn`` (POT, eps relative to the
mean cost), ``scaling`` (the authors' debiased Sinkhorn divergence with
epsilon-scaling, :mod:`.sinkhorn`) and ``auto``: exact while the problem has at
most ``EXACT_MAX_ENTRIES`` cost entries (the simplex grows superlinearly), scaling
beyond. ``options['outer_used']`` and ``options['label_route']`` record what ran.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import contextmanager

import numpy as np
import torch

from dsviz.data.validation import check_array, check_choice, check_labels, check_same_width
from dsviz.otdd.costs import squared_euclidean
from dsviz.otdd.label_distance import bures_distances, class_gaussians, class_indices, exact_label_distances
from dsviz.otdd.outer import OUTER_CHOICES, entropic_reg, solve_coupling, transport_cost
from dsviz.otdd.result import OTDDResult
from dsviz.otdd.sinkhorn import AUTHORS_ENTREG, DEFAULT_CACHE_BYTES, BlockedCost, point_diameter, sinkhorn_divergence
from dsviz.otdd.summaries import plan_summaries
from dsviz.runtime.device import resolve_device
from dsviz.runtime.progress import Progress

LABEL_DISTANCE_CHOICES = ("exact", "gaussian")
# ``auto`` uses the network simplex up to this many cost entries (2000 x 2000 per side). Measured
# (bench.otdd_reference, MNIST-USPS, 1 thread, load 2-3, 2026-12-02): simplex 1.7-2.5 s at 2000 x 2000; the
# eps-scaling Sinkhorn about as long there once its self terms (2 x 45 more class pairs) are counted, and
# 12 s at 5000 x 5000, where the simplex grows superlinearly. Beyond, the Sinkhorn's bounded memory (blocked
# rows) and the authors' protocol decide.
EXACT_MAX_ENTRIES = 4_000_000


STAGE_LABELS = {
    "features": "features (pairwise ‖x − x′‖²)",
    "label_distances": "label distances W₂²(P_y, P_y′)",
    "outer_ot": "outer problem (OT with the label-augmented cost)",
    "plain_ot": "plain OT (features only)",
    "self_terms": "self terms for debiasing",
    "summaries": "class coupling and partners",
}
"""The stages of :func:`compute_otdd` in order, as reported to ``progress``."""


def stages(outer: str, debiased: bool, plain_ot: bool = False) -> list[str]:
    """The stages :func:`compute_otdd` runs for these options.

    Only the entropic ``sinkhorn`` outer solver has a separate self-term stage: the
    ``scaling`` solver debiases inside its label-distance and outer stages, and
    ``exact`` (like ``auto``, which picks ``exact`` or ``scaling``) has none.
    """
    names = ["features", "label_distances", "outer_ot"] + (["plain_ot"] if plain_ot else [])
    return names + (["self_terms"] if debiased and outer == "sinkhorn" else []) + ["summaries"]


@contextmanager
def _timed(timings: dict[str, float], stage: str, plan: list[str] | None = None, progress: Progress | None = None):
    if progress is not None and plan is not None:
        progress(plan.index(stage), len(plan), STAGE_LABELS[stage])
    start = time.perf_counter()
    yield
    timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


def _encode_labels(y, n: int, names: Sequence[str] | None, side: str, rows: str) -> tuple[np.ndarray, list[str]]:
    """Map arbitrary label values to 0..K-1 (sorted) and name each class.

    ``names``, when given, is indexed by the original integer label value
    (the data layer's convention: ``classes[label]``).
    """
    arr = check_labels(y, n, f"{side} labels", rows)
    values, codes = np.unique(arr, return_inverse=True)
    if names is None:
        class_names = [str(v) for v in values]
    else:
        try:
            class_names = [str(names[int(v)]) for v in values]
        except (IndexError, ValueError, TypeError) as exc:
            raise ValueError(f"{side} class names do not cover label values {values.tolist()}") from exc
    return codes.astype(np.int64), class_names


def _label_distances(method, x1, rows1, x2, rows2, cost, symmetric=False) -> np.ndarray:
    if method == "exact":
        return exact_label_distances(cost, rows1, rows2, symmetric=symmetric)
    if method == "gaussian":
        g1 = class_gaussians(x1, rows1)
        return bures_distances(g1) if symmetric else bures_distances(g1, class_gaussians(x2, rows2))
    raise ValueError(f"unknown label distance {method!r}; choose one of {', '.join(LABEL_DISTANCE_CHOICES)}")


def _label_route(method: str, rows1, rows2, d: int) -> str:
    """Which label-distance route ran: ``exact``, or the Gaussian factor routes used."""
    if method == "exact":
        return "exact"
    routes = {"lowrank" if len(r) <= d else "eigen" for r in list(rows1) + list(rows2)}
    return "gaussian-" + "+".join(sorted(routes))


def _self_otdd(x, codes, rows, method, outer, regs, dev, plain_ot: bool) -> tuple[float, float]:
    """(OTDD(A, A), OT(A, A)) for the debiasing terms of the entropic solver (OT: NaN unless ``plain_ot``)."""
    cost = squared_euclidean(x, x)
    w = _label_distances(method, x, rows, x, rows, cost, symmetric=True)
    full = cost + torch.as_tensor(w, device=dev)[codes][:, codes]
    plain = transport_cost(solve_coupling(cost, outer, regs[1]), cost) if plain_ot else float("nan")
    return transport_cost(solve_coupling(full, outer, regs[0]), full), plain


def _subsample(n: int, limit: int | None, rng: np.random.Generator) -> np.ndarray:
    """Rows kept for the outer problem: all, or ``limit`` drawn uniformly (the authors' ``maxsamples``)."""
    if limit is None or n <= limit:
        return np.arange(n)
    return np.sort(rng.choice(n, size=limit, replace=False))


def _scaling_solve(t1, c1, t2, c2, w12, w11, w22, debiased: bool, label_span: float):
    """Authors' Sinkhorn divergence on the float32 cost ``||x - x'||^2 + W``; returns (solution, cross cost)."""
    x, y = t1.float(), t2.float()
    w = [None if m is None else torch.as_tensor(m, device=x.device, dtype=x.dtype) for m in (w12, w11, w22)]
    n, m = len(x), len(y)
    # The cross cost is held twice while solving (C and its transpose, see BlockedCost.transposed).
    total = (2 * n * m + (n * n + m * m if debiased else 0)) * x.element_size()
    cache = total <= DEFAULT_CACHE_BYTES
    c_xy = BlockedCost(x, y, c1, c2, w[0], cache=cache)
    c_xx = BlockedCost(x, x, c1, c1, w[1], cache=cache) if debiased else None
    c_yy = BlockedCost(y, y, c2, c2, w[2], cache=cache) if debiased else None
    # Our cost is twice the authors' (they halve it): every temperature doubles.
    sol = sinkhorn_divergence(
        c_xy, c_xx, c_yy, point_diameter(x, y, label_span), AUTHORS_ENTREG**0.5, temperature_scale=2.0
    )
    return sol, c_xy


def compute_otdd(
    x1,
    y1,
    x2,
    y2,
    *,
    classes1: Sequence[str] | None = None,
    classes2: Sequence[str] | None = None,
    label_distance: str = "exact",
    outer: str = "exact",
    eps: float = 0.05,
    debiased: bool = True,
    device: str | torch.device = "auto",
    top_k: int = 5,
    plain_ot: bool = False,
    max_outer: int | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> OTDDResult:
    r"""Optimal Transport Dataset Distance between two labeled samples, and, when asked, plain OT beside it.

    Each point is a pair :math:`z = (x, y)` of features and label. With :math:`p = 2` the ground cost
    adds to the feature distance the 2-Wasserstein distance between the class-conditional distributions
    :math:`P_y = \mathcal{L}(x \mid y)` ([1]_, Sec. 3, Eq. 3),

    .. math::
        c\big((x, y), (x', y')\big) = \lVert x - x' \rVert_2^2 + W_2^2(P_y, P'_{y'})

    and the distance is the optimal transport cost between the uniform empirical measures
    ([1]_, Sec. 3, Eq. 4):

    .. math::
        \mathrm{OTDD}(\mathcal{D}_1, \mathcal{D}_2) = \min_{\pi \in \Pi(\mathbf{a}, \mathbf{b})}
            \langle \pi, \mathbf{C} \rangle_F
        \quad \text{s.t.} \ \pi \mathbf{1} = \mathbf{a} = \tfrac{1}{n_1}\mathbf{1},
        \ \pi^T \mathbf{1} = \mathbf{b} = \tfrac{1}{n_2}\mathbf{1}, \ \pi \geq 0

    where :math:`\mathbf{C}_{ij} = c(z_i, z'_j)`. The value is a *squared* distance (no square root).
    With ``label_distance="gaussian"`` each :math:`P_y` is replaced by the Gaussian with its mean and
    covariance, whose :math:`W_2^2` has the closed (Bures-Wasserstein) form ([1]_, Sec. 4)

    .. math::
        W_2^2\big(\mathcal{N}(\mu, \Sigma), \mathcal{N}(\mu', \Sigma')\big) = \lVert \mu - \mu' \rVert_2^2
            + \operatorname{tr}\big(\Sigma + \Sigma' - 2 (\Sigma^{1/2} \Sigma' \Sigma^{1/2})^{1/2}\big).

    Debiasing (as for Sinkhorn divergences, [2]_) reports
    :math:`\mathrm{OTDD}(A, B) - \tfrac12 \mathrm{OTDD}(A, A) - \tfrac12 \mathrm{OTDD}(B, B)`; with the exact
    solver the self terms are 0 (the identity coupling is feasible and free), so they are only computed
    for the entropic solvers. Plain OT is the same problem with the feature cost alone.

    Parameters
    ----------
    x1 : (n1, d) array-like or torch.Tensor, float
        Source features (numpy or torch; finite, numeric).
    y1 : (n1,) array-like or torch.Tensor
        Source labels, of any values; they are mapped to classes ``0..K1-1`` in sorted order.
    x2 : (n2, d) array-like or torch.Tensor, float
        Target features, same dimension ``d`` as ``x1``.
    y2 : (n2,) array-like or torch.Tensor
        Target labels; the target may have its own number of classes ``K2``.
    classes1, classes2 : sequence of str, optional (default=None)
        Class names indexed by label value (``classes[label]``); the label values as text when None.
    label_distance : {"exact", "gaussian"}, optional (default="exact")
        ``exact``: inner OT between the class samples; ``gaussian``: Bures-Wasserstein between the class
        Gaussians ([1]_, Sec. 4).
    outer : {"exact", "sinkhorn", "scaling", "auto"}, optional (default="exact")
        Solver of the outer problem: ``exact`` (network simplex, ``ot.emd``), ``sinkhorn`` (POT's entropic
        solver, regularisation ``eps`` times the mean cost), ``scaling`` (the authors' debiased Sinkhorn
        divergence with epsilon-scaling, :mod:`dsviz.otdd.sinkhorn`), or ``auto`` (exact up to
        :data:`EXACT_MAX_ENTRIES` cost entries, scaling beyond).
    eps : float, optional (default=0.05)
        Entropic regularisation relative to the mean cost; used by ``outer="sinkhorn"`` only.
    debiased : bool, optional (default=True)
        Subtract half of each self-distance, for OTDD and plain OT alike ([2]_).
    device : str or torch.device, optional (default="auto")
        Where the dense linear algebra runs; see :func:`dsviz.runtime.device.resolve_device`.
    top_k : int, optional (default=5)
        Partners kept per point in the result (at least 1).
    plain_ot : bool, optional (default=False)
        Also solve the feature-only OT problem between the same points (``result.ot``; NaN when False):
        a comparison the caller asks for, not part of OTDD.
    max_outer : int, optional (default=None)
        At most this many points per side in the outer problem, drawn uniformly with ``seed`` (the authors'
        ``maxsamples``); the label distances always use every point, and points left out have no partners
        (index -1).
    seed : int, optional (default=0)
        Seed of the ``max_outer`` subsample.
    progress : callable, optional (default=None)
        Called as ``progress(done, total, stage)`` before each stage of :func:`stages` and with
        ``done == total`` at the end.

    Returns
    -------
    result : :class:`~dsviz.otdd.result.OTDDResult`
        ``otdd`` and ``ot`` (squared distances), the ``feature_component`` and ``label_component`` of the
        optimal coupling's cost, the ``K1 x K2`` ``label_distances`` :math:`W_2^2(P_y, P'_{y'})` and
        ``class_coupling``, each point's ``top_k`` partners, the strongest coupling entries, seconds per
        stage (``timings``) and the ``options`` that ran (``outer_used``, ``label_route``, ...).

    Raises
    ------
    ValueError
        On an unknown ``label_distance`` or ``outer``, ``top_k < 1``, features that are not 2-D, empty,
        non-numeric or non-finite, differing dimensions, labels of the wrong length, or class names that
        do not cover the label values.

    References
    ----------
    .. [1] Alvarez-Melis, D., & Fusi, N. (2020). Geometric Dataset Distances via Optimal Transport.
        In Advances in Neural Information Processing Systems 33 (NeurIPS 2020).
    .. [2] Feydy, J., Séjourné, T., Vialard, F.-X., Amari, S., Trouvé, A., & Peyré, G. (2019).
        Interpolating between Optimal Transport and MMD using Sinkhorn Divergences. In AISTATS 2019.

    See Also
    --------
    dsviz.otdd.sliced.compute_sotdd : the sliced approximation (s-OTDD).
    ot.emd : the network simplex solving the exact outer problem.
    """
    check_choice(label_distance, LABEL_DISTANCE_CHOICES, "label distance")
    check_choice(outer, OUTER_CHOICES, "outer solver")
    if top_k < 1:
        raise ValueError("top_k must be >= 1")
    a, b = check_array(x1, "x1"), check_array(x2, "x2")
    check_same_width(a, b, "x1", "x2")
    codes1, names1 = _encode_labels(y1, len(a), classes1, "source", "x1")
    codes2, names2 = _encode_labels(y2, len(b), classes2, "target", "x2")
    dev = resolve_device(device)
    timings: dict[str, float] = {}
    rng = np.random.default_rng(seed)
    keep1, keep2 = _subsample(len(a), max_outer, rng), _subsample(len(b), max_outer, rng)
    n1, n2 = len(keep1), len(keep2)
    used = outer if outer != "auto" else ("exact" if n1 * n2 <= EXACT_MAX_ENTRIES else "scaling")
    self_terms = debiased and used != "exact"
    k1, k2 = len(names1), len(names2)
    plan_stages = stages(used, debiased, plain_ot)

    def timed(stage: str):
        return _timed(timings, stage, plan_stages, progress)

    with timed("features"):
        t1 = torch.as_tensor(a, device=dev)
        t2 = torch.as_tensor(b, device=dev)
        # The exact label distances read class blocks of the full feature cost.
        feature_cost = squared_euclidean(t1, t2) if label_distance == "exact" or used != "scaling" else None
    rows1 = class_indices(codes1, k1)
    rows2 = class_indices(codes2, k2)
    w11 = w22 = None
    with timed("label_distances"):
        if label_distance == "gaussian":
            g1, g2 = class_gaussians(t1, rows1), class_gaussians(t2, rows2)
            w = bures_distances(g1, g2)
            if self_terms and used == "scaling":
                w11, w22 = bures_distances(g1), bures_distances(g2)
        else:
            w = exact_label_distances(feature_cost, rows1, rows2)
            if self_terms and used == "scaling":
                w11 = exact_label_distances(squared_euclidean(t1, t1), rows1, rows1, symmetric=True)
                w22 = exact_label_distances(squared_euclidean(t2, t2), rows2, rows2, symmetric=True)
    o1 = torch.as_tensor(keep1, device=dev)
    o2 = torch.as_tensor(keep2, device=dev)
    oc1 = torch.as_tensor(codes1[keep1], device=dev)
    oc2 = torch.as_tensor(codes2[keep2], device=dev)
    plain = float("nan")
    with timed("outer_ot"):
        if used == "scaling":
            sol, c_xy = _scaling_solve(t1[o1], oc1, t2[o2], oc2, w, w11, w22, debiased, float(k1 + k2 - 1))
            plan = sol.plan(c_xy)
            full_part = float(sum((plan[s:e].double() * c_xy.rows(s, e).double()).sum() for s, e in c_xy.blocks()))
            otdd_value = sol.value
        else:
            fc = feature_cost[o1][:, o2] if len(keep1) < len(a) or len(keep2) < len(b) else feature_cost
            label_cost = torch.as_tensor(w, device=dev)[oc1][:, oc2]
            full_cost = fc + label_cost
            regs = (entropic_reg(full_cost, eps), entropic_reg(fc, eps)) if used == "sinkhorn" else (None, None)
            plan = torch.as_tensor(solve_coupling(full_cost, used, regs[0]), device=dev)
            full_part = transport_cost(plan, full_cost)
            otdd_value = full_part
    if plain_ot:
        with timed("plain_ot"):
            if used == "scaling":
                plain = _scaling_solve(t1[o1], None, t2[o2], None, None, None, None, debiased, 0.0)[0].value
            else:
                plain = transport_cost(solve_coupling(fc, used, regs[1]), fc)

    if self_terms and used == "sinkhorn":
        with timed("self_terms"):
            c1 = torch.as_tensor(codes1, device=dev)
            c2 = torch.as_tensor(codes2, device=dev)
            s1 = _self_otdd(t1, c1, rows1, label_distance, used, regs, dev, plain_ot)
            s2 = _self_otdd(t2, c2, rows2, label_distance, used, regs, dev, plain_ot)
        otdd_value -= 0.5 * (s1[0] + s2[0])
        plain -= 0.5 * (s1[1] + s2[1])

    with timed("summaries"):
        summary = plan_summaries(plan, oc1, oc2, k1, k2, top_k, keep1, keep2, len(a), len(b))
        label_part = float((summary.class_coupling * w).sum())
        feature_part = full_part - label_part

    if progress is not None:
        progress(len(plan_stages), len(plan_stages), "done")
    return OTDDResult(
        otdd=float(otdd_value),
        ot=float(plain),
        feature_component=feature_part,
        label_component=label_part,
        label_distances=w,
        src_classes=names1,
        tgt_classes=names2,
        plan=summary,
        n_src=len(a),
        n_tgt=len(b),
        timings=timings,
        options={
            "label_distance": label_distance,
            "outer": outer,
            "eps": eps if used == "sinkhorn" else None,
            "debiased": bool(debiased),
            "device": str(dev),
            "p": 2,
            "outer_used": used,
            "label_route": _label_route(label_distance, rows1, rows2, a.shape[1]),
            "outer_samples": [n1, n2],
            "entreg": 2 * AUTHORS_ENTREG if used == "scaling" else None,
        },
    )
