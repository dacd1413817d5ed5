"""Sample-space baseline of SimEx: mean pairwise MSE between two sets of images.

SimEx (Hwang et al., 2020, §5.1) compares its Δ with the plain sample-space
distance between the parts, the mean over all pairs of the per-pixel MSE:

    S(X, Y) = 1/(|X||Y|) Σ_x Σ_y ||x - y||² / d
            = (mean ||x||² + mean ||y||² - 2 x̄·ȳ) / d,

with pixels in [0, 1] and d = 784. The second line (expanding the square) is
exact and costs O((|X| + |Y|) d) instead of O(|X||Y| d).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _moments(images: np.ndarray) -> tuple[np.ndarray, float]:
    flat = images.reshape(len(images), -1).astype(np.float64) / 255.0
    return flat.mean(0), float((flat**2).sum(1).mean())


def mean_pairwise_mse(x: np.ndarray, y: np.ndarray) -> float:
    """S(X, Y) for uint8 image arrays X (N x H x W) and Y (M x H x W)."""
    mx, sx = _moments(x)
    my, sy = _moments(y)
    return max(sx + sy - 2.0 * float(mx @ my), 0.0) / mx.size


def sample_mse_matrix(rows: Sequence[np.ndarray], cols: Sequence[np.ndarray]) -> np.ndarray:
    """Matrix ``S[i, k] = S(rows[i], cols[k])``."""
    mr = [_moments(r) for r in rows]
    mc = [_moments(c) for c in cols]
    out = np.empty((len(rows), len(cols)))
    for i, (mx, sx) in enumerate(mr):
        for k, (my, sy) in enumerate(mc):
            out[i, k] = max(sx + sy - 2.0 * float(mx @ my), 0.0) / mx.size
    return out
