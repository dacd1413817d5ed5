"""The outer optimal transport problem between two uniform empirical measures."""

from __future__ import annotations

import numpy as np
import torch

from dsviz.otdd.label_distance import EMD_MAX_ITER

# "scaling" and "auto" are solved in engine.py (see .sinkhorn); solve_coupling serves the first two.
OUTER_CHOICES = ("exact", "sinkhorn", "scaling", "auto")
SINKHORN_MAX_ITER = 10_000
# L1 marginal violation at which Sinkhorn stops; tighter changes values by < 1e-5 relative
# in our tests but costs 10-40x more iterations.
SINKHORN_TOL = 1e-6


def entropic_reg(cost: torch.Tensor, eps: float) -> float:
    """Absolute entropic regularisation ``eps * mean(cost)``.

    Making ``eps`` relative to the cost scale lets one value serve 2-D toy
    points and 784-pixel images alike. The debiasing self terms reuse the
    regularisation of the cross term, as a Sinkhorn divergence requires.
    """
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps}")
    mean = float(cost.mean())
    return eps * mean if mean > 0 else eps


def solve_coupling(cost: torch.Tensor, outer: str = "exact", reg: float | None = None) -> np.ndarray:
    """Optimal coupling between uniform weights on the rows and columns of ``cost``.

    * ``exact``: POT's network simplex (``ot.emd``), on the CPU (POT has no GPU
      simplex); the plan has at most n + m - 1 nonzeros.
    * ``sinkhorn``: entropic OT (Cuturi 2013) in the log domain (stable for small
      regularisation), run by POT's torch backend on ``cost``'s device, with absolute
      regularisation ``reg`` (see :func:`entropic_reg`).

    Returns the dense n x m plan as float64 numpy (entries sum to 1).
    """
    import ot  # here, not at the top: POT imports scikit-learn and SciPy (1 s); a page reading cached results never solves

    n, m = cost.shape
    if outer == "exact":
        c = cost.detach().cpu().numpy().astype(np.float64, copy=False)
        a = np.full(n, 1.0 / n)
        b = np.full(m, 1.0 / m)
        return ot.emd(a, b, np.ascontiguousarray(c), numItermax=EMD_MAX_ITER)
    if outer == "sinkhorn":
        if reg is None or not reg > 0:
            raise ValueError(f"sinkhorn needs a positive regularisation, got {reg}")
        a = torch.full((n,), 1.0 / n, dtype=cost.dtype, device=cost.device)
        b = torch.full((m,), 1.0 / m, dtype=cost.dtype, device=cost.device)
        plan = ot.sinkhorn(a, b, cost, reg, method="sinkhorn_log", numItermax=SINKHORN_MAX_ITER, stopThr=SINKHORN_TOL)
        return plan.detach().cpu().numpy()
    raise ValueError(f"unknown outer solver {outer!r}; choose one of exact, sinkhorn")


def transport_cost(plan: np.ndarray, cost: torch.Tensor) -> float:
    """``<plan, cost>``: the transport (linear) part of the objective."""
    return float((torch.as_tensor(plan, device=cost.device, dtype=cost.dtype) * cost).sum())
