"""Summaries of a coupling: class-to-class mass, each point's strongest partners, strongest entries."""

from __future__ import annotations

import numpy as np
import torch

from dsviz.otdd.result import PlanSummary


def _top(plan: torch.Tensor, k: int) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the k columns with the most mass (descending); index -1 where mass is 0."""
    k = min(k, plan.shape[1])
    mass, index = torch.topk(plan, k, dim=1, sorted=True)
    mass = mass.double().cpu().numpy()
    index = index.cpu().numpy().astype(np.int64)
    index[mass <= 0] = -1
    return index, np.where(mass > 0, mass, 0.0)


def _spread(index: np.ndarray, mass: np.ndarray, keep: np.ndarray, keep_other: np.ndarray, n: int, n_other: int):
    """Rows of sampled points back to all ``n`` points; partner indices back to the other side's points."""
    if len(keep) == n and len(keep_other) == n_other:
        return index, mass
    full_index = np.full((n, index.shape[1]), -1, dtype=np.int64)
    full_mass = np.zeros((n, index.shape[1]))
    full_index[keep] = np.where(index >= 0, keep_other[np.clip(index, 0, None)], -1)
    full_mass[keep] = mass
    return full_index, full_mass


def plan_summaries(
    plan: torch.Tensor,
    codes1: torch.Tensor,
    codes2: torch.Tensor,
    k1: int,
    k2: int,
    top_k: int,
    keep1: np.ndarray,
    keep2: np.ndarray,
    n_src: int,
    n_tgt: int,
) -> PlanSummary:
    """Summaries of ``plan`` (rows: source points ``keep1``, columns: target points ``keep2``).

    The class coupling is ``sum_{i in k, j in l} plan_ij`` (two index_add sums);
    the strongest entries are the ``n1 + n2`` largest (an exact plan has at most
    n1 + n2 - 1 nonzeros), mass descending, in point indices of the full samples.
    """
    by_row = torch.zeros((k1, plan.shape[1]), dtype=plan.dtype, device=plan.device)
    by_row.index_add_(0, codes1, plan)
    coupling = torch.zeros((k1, k2), dtype=torch.float64, device=plan.device)
    coupling.index_add_(1, codes2, by_row.double())
    src_idx, src_mass = _spread(*_top(plan, top_k), keep1, keep2, n_src, n_tgt)
    tgt_idx, tgt_mass = _spread(*_top(plan.T, top_k), keep2, keep1, n_tgt, n_src)
    limit = min(plan.numel(), len(keep1) + len(keep2))
    flat = plan.reshape(-1)
    mass, pos = torch.topk(flat, limit, sorted=True)
    mass = mass.double().cpu().numpy()
    pos = pos.cpu().numpy()
    positive = mass > 0
    mass, pos = mass[positive], pos[positive]
    rows, cols = np.unravel_index(pos, tuple(plan.shape))
    return PlanSummary(
        class_coupling=coupling.cpu().numpy(),
        src_top_index=src_idx,
        src_top_mass=src_mass,
        tgt_top_index=tgt_idx,
        tgt_top_mass=tgt_mass,
        plan_rows=keep1[rows].astype(np.int64),
        plan_cols=keep2[cols].astype(np.int64),
        plan_mass=mass,
    )
