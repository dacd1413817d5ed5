"""Per-sample reconstruction losses of SimEx: MSE and iSSIM = 1 - SSIM.

SimEx (Hwang et al., 2020, §3) scores how well an autoencoder reconstructs a
sample with the loss it was trained with. Two are offered:

* ``mse``: mean over the 784 pixels of ``(x - x_hat)^2``, pixels in [0, 1];
* ``issim``: ``1 - SSIM(x, x_hat)``, SSIM being the structural similarity of
  Wang et al. (IEEE TIP 2004) with the standard 11 x 11 Gaussian window
  (sigma 1.5) and constants K1 = 0.01, K2 = 0.03, data range 1.

SSIM comes from ``pytorch-msssim`` (a small, well-tested, differentiable
implementation) rather than being written here.
"""

from __future__ import annotations

from typing import Literal

import torch
from pytorch_msssim import ssim as _ssim

Loss = Literal["mse", "issim"]
LOSSES: tuple[str, ...] = ("mse", "issim")


def ssim(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """SSIM of each pair of images; ``x``, ``y`` of shape (..., H, W) in [0, 1] -> shape (...)."""
    lead = x.shape[:-2]
    flat_x = x.reshape(-1, 1, *x.shape[-2:]).contiguous()
    flat_y = y.reshape(-1, 1, *y.shape[-2:]).contiguous()
    return _ssim(flat_x, flat_y, data_range=1.0, size_average=False).reshape(lead)


def per_sample_loss(x: torch.Tensor, x_hat: torch.Tensor, loss: str) -> torch.Tensor:
    """Loss of each reconstruction; (..., H, W) -> (...). ``loss`` is ``mse`` or ``issim``."""
    if loss == "mse":
        return ((x - x_hat) ** 2).mean(dim=(-2, -1))
    if loss == "issim":
        return 1.0 - ssim(x, x_hat)
    raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
