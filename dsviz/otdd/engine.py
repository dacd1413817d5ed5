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
entropic solver.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager

import numpy as np
import torch

from ..device import resolve_device
from .costs import squared_euclidean
from .label_distance import class_indices, exact_label_distances, gaussian_label_distances
from .outer import entropic_reg, solve_coupling, strongest_entries, top_partners, transport_cost
from .result import OTDDResult

LABEL_DISTANCE_CHOICES = ("exact", "gaussian")


STAGE_LABELS = {
    "features": "features (pairwise ‖x − x′‖²)",
    "label_distances": "label distances W₂²(P_y, P_y′)",
    "outer_ot": "outer problem (OT with the label-augmented cost)",
    "plain_ot": "plain OT (features only)",
    "self_terms": "self terms for debiasing",
    "summaries": "class coupling and partners",
}
"""The stages of :func:`compute_otdd` in order, as reported to ``progress``."""

StageProgress = Callable[[int, int, str], None]
"""``progress(done, total, stage label)``: called before each stage and once at the end."""


def stages(outer: str, debiased: bool) -> list[str]:
    """The stages :func:`compute_otdd` runs for these options."""
    names = ["features", "label_distances", "outer_ot", "plain_ot"]
    return names + (["self_terms"] if debiased and outer != "exact" else []) + ["summaries"]


@contextmanager
def _timed(timings: dict[str, float], stage: str, plan: list[str] | None = None,
           progress: StageProgress | None = None):
    if progress is not None and plan is not None:
        progress(plan.index(stage), len(plan), STAGE_LABELS[stage])
    start = time.perf_counter()
    yield
    timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


def _as_features(x, name: str) -> np.ndarray:
    arr = x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n x d), got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty")
    if not np.issubdtype(arr.dtype, np.number):
        raise ValueError(f"{name} must be numeric, got dtype {arr.dtype}")
    arr = arr.astype(np.float64, copy=False)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def _encode_labels(y, n: int, names: Sequence[str] | None, side: str) -> tuple[np.ndarray, list[str]]:
    """Map arbitrary label values to 0..K-1 (sorted) and name each class.

    ``names``, when given, is indexed by the original integer label value
    (the data layer's convention: ``classes[label]``).
    """
    arr = y.detach().cpu().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)
    if arr.ndim != 1 or len(arr) != n:
        raise ValueError(f"{side} labels must be a vector of length {n}, got shape {arr.shape}")
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
        w = gaussian_label_distances(x1, rows1, x2, rows2)
        if symmetric:
            np.fill_diagonal(w, 0.0)
        return w
    raise ValueError(f"unknown label distance {method!r}; choose one of {', '.join(LABEL_DISTANCE_CHOICES)}")


def _self_otdd(x, codes, rows, method, outer, regs, dev) -> tuple[float, float]:
    """(OTDD(A, A), OT(A, A)) for the debiasing terms of the entropic solver."""
    cost = squared_euclidean(x, x)
    w = _label_distances(method, x, rows, x, rows, cost, symmetric=True)
    full = cost + torch.as_tensor(w, device=dev)[codes][:, codes]
    return (
        transport_cost(solve_coupling(full, outer, regs[0]), full),
        transport_cost(solve_coupling(cost, outer, regs[1]), cost),
    )


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
    progress: StageProgress | None = None,
) -> OTDDResult:
    """OTDD and plain OT between labeled samples (x1, y1) and (x2, y2).

    Args:
        x1, x2: features, n1 x d and n2 x d (numpy or torch).
        y1, y2: labels of any values; each side may have its own number of classes.
        classes1, classes2: optional class names indexed by label value.
        label_distance: ``exact`` (inner OT between class samples) or ``gaussian``
            (Bures-Wasserstein between class Gaussians).
        outer: ``exact`` (network simplex) or ``sinkhorn`` (entropic; ``eps`` is
            relative to the mean cost).
        debiased: subtract half of each self-distance (OTDD and OT alike).
        device: ``auto``, ``cpu`` or ``cuda``; all dense linear algebra runs there.
        top_k: partners kept per point in the result.
        progress: called as ``progress(done, total, stage)`` before each stage of
            :func:`stages` and with ``done == total`` at the end.
    """
    if label_distance not in LABEL_DISTANCE_CHOICES:
        raise ValueError(f"unknown label distance {label_distance!r}; choose one of {', '.join(LABEL_DISTANCE_CHOICES)}")
    if top_k < 1:
        raise ValueError("top_k must be >= 1")
    a = _as_features(x1, "x1")
    b = _as_features(x2, "x2")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"feature dimensions differ: {a.shape[1]} vs {b.shape[1]}")
    codes1, names1 = _encode_labels(y1, len(a), classes1, "source")
    codes2, names2 = _encode_labels(y2, len(b), classes2, "target")
    dev = resolve_device(device)
    timings: dict[str, float] = {}
    plan_stages = stages(outer, debiased)

    def timed(stage: str):
        return _timed(timings, stage, plan_stages, progress)

    with timed("features"):
        t1 = torch.as_tensor(a, device=dev)
        t2 = torch.as_tensor(b, device=dev)
        feature_cost = squared_euclidean(t1, t2)
    rows1 = class_indices(codes1, len(names1))
    rows2 = class_indices(codes2, len(names2))
    with timed("label_distances"):
        w = _label_distances(label_distance, t1, rows1, t2, rows2, feature_cost)
    with timed("outer_ot"):
        label_cost = torch.as_tensor(w, device=dev)[torch.as_tensor(codes1, device=dev)][
            :, torch.as_tensor(codes2, device=dev)
        ]
        full_cost = feature_cost + label_cost
        regs = (entropic_reg(full_cost, eps), entropic_reg(feature_cost, eps)) if outer == "sinkhorn" else (None, None)
        plan = solve_coupling(full_cost, outer, regs[0])
        feature_part = transport_cost(plan, feature_cost)
        label_part = transport_cost(plan, label_cost)
    with timed("plain_ot"):
        plain = transport_cost(solve_coupling(feature_cost, outer, regs[1]), feature_cost)

    otdd_value = feature_part + label_part
    plain_value = plain
    if debiased and outer != "exact":
        with timed("self_terms"):
            c1 = torch.as_tensor(codes1, device=dev)
            c2 = torch.as_tensor(codes2, device=dev)
            s1 = _self_otdd(t1, c1, rows1, label_distance, outer, regs, dev)
            s2 = _self_otdd(t2, c2, rows2, label_distance, outer, regs, dev)
        otdd_value -= 0.5 * (s1[0] + s2[0])
        plain_value -= 0.5 * (s1[1] + s2[1])

    with timed("summaries"):
        onehot1 = np.eye(len(names1))[codes1]
        onehot2 = np.eye(len(names2))[codes2]
        class_coupling = onehot1.T @ plan @ onehot2
        src_idx, src_mass = top_partners(plan, top_k)
        tgt_idx, tgt_mass = top_partners(plan.T, top_k)
        rows, cols, mass = strongest_entries(plan, len(a) + len(b))

    if progress is not None:
        progress(len(plan_stages), len(plan_stages), "done")
    return OTDDResult(
        otdd=float(otdd_value),
        ot=float(plain_value),
        feature_component=feature_part,
        label_component=label_part,
        label_distances=w,
        src_classes=names1,
        tgt_classes=names2,
        class_coupling=class_coupling,
        src_top_index=src_idx,
        src_top_mass=src_mass,
        tgt_top_index=tgt_idx,
        tgt_top_mass=tgt_mass,
        plan_rows=rows,
        plan_cols=cols,
        plan_mass=mass,
        n_src=len(a),
        n_tgt=len(b),
        timings=timings,
        options={
            "label_distance": label_distance,
            "outer": outer,
            "eps": eps if outer == "sinkhorn" else None,
            "debiased": bool(debiased),
            "device": str(dev),
            "p": 2,
        },
    )
