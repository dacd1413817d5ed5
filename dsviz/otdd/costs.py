"""Pairwise ground costs on a torch device."""

from __future__ import annotations

import torch


def squared_euclidean(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``C_ij = ||x_i - y_j||^2`` for x (n x d), y (m x d), via the Gram expansion.

    ``||x||^2 + ||y||^2 - 2 <x, y>`` turns the n*m*d work into one matrix product
    (BLAS / cuBLAS); tiny negative values from cancellation are clamped to 0.
    """
    sq = (x * x).sum(1)[:, None] + (y * y).sum(1)[None, :] - 2.0 * (x @ y.T)
    return sq.clamp_min_(0.0)
