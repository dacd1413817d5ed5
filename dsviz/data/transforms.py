"""Image transformations with one magnitude each, batched on torch tensors.

Every transformation maps a batch of grayscale images (N x H x W, 0 = background)
to a batch of the same shape; magnitude 0 is the identity for all of them. Random
ones (translation direction, noise, elastic field) draw from a
``torch.Generator`` seeded with ``seed`` on the CPU and then move to the device,
so a (transform, magnitude, seed) triple gives the same images on CPU and GPU.

Geometric transforms resample with ``torch.nn.functional.affine_grid`` /
``grid_sample`` (bilinear, zero padding, ``align_corners=False`` so pixel
centres sit at ((2i + 1) / W - 1) in normalised coordinates); blur is a separable
``conv2d``. torchvision is not used because it does not import in this
environment; the few operations needed are short on plain torch.

Transformations (the blog "Geometric dataset distances via optimal transport",
Microsoft Research 2020, Figs. 3-4, transforms MNIST against USPS this way):

* ``rotation``: rotate every image counter-clockwise by ``m`` degrees about its centre.
* ``crop``: keep the central ``(1 - m)`` of each side, resize back (bilinear).
* ``translation``: shift by ``m`` pixels in a uniformly random direction per image.
* ``zoom``: shrink the content about the centre to ``(1 - m)`` of its size.
* ``blur``: Gaussian blur with standard deviation ``m`` pixels.
* ``noise``: add N(0, m^2) noise on the [0, 1] pixel scale, then clip to [0, 1].
* ``elastic``: Simard, Steinkraus & Platt, "Best practices for convolutional neural
  networks applied to visual document analysis" (ICDAR 2003), Sec. 2: a uniform
  random displacement field in [-1, 1] per pixel, smoothed by a Gaussian of
  ``ELASTIC_SIGMA`` pixels; here each image's field is rescaled to an RMS
  displacement of ``m`` pixels (instead of Simard's fixed factor alpha) so the
  magnitude reads in pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from dsviz.runtime.device import resolve_device

ELASTIC_SIGMA = 4.0
"""Smoothing (pixels) of the elastic displacement field (Simard et al. 2003 use 4)."""


@dataclass(frozen=True)
class TransformSpec:
    """A transformation's name, meaning of its magnitude, and the magnitude grid.

    ``grid`` holds the magnitudes that are precomputed and offered in the app; it
    starts at 0 (the identity) and ends at ``max_magnitude``.
    """

    name: str
    label: str
    unit: str
    grid: tuple[float, ...]

    @property
    def max_magnitude(self) -> float:
        return self.grid[-1]


TRANSFORMS: dict[str, TransformSpec] = {
    spec.name: spec
    for spec in (
        TransformSpec("rotation", "Rotation", "degrees counter-clockwise", (0, 15, 30, 45, 60, 90, 135, 180)),
        TransformSpec("crop", "Center crop", "fraction of the side cut away", (0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)),
        TransformSpec("translation", "Translation", "pixels, random direction", (0, 1, 2, 3, 4, 6, 8, 10)),
        TransformSpec("zoom", "Zoom out", "fraction the digit shrinks", (0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)),
        TransformSpec("blur", "Gaussian blur", "standard deviation, pixels", (0, 0.5, 1, 1.5, 2, 2.5, 3, 4)),
        TransformSpec(
            "noise", "Gaussian noise", "standard deviation, pixel scale 0-1", (0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1)
        ),
        TransformSpec("elastic", "Elastic distortion", "RMS displacement, pixels", (0, 0.5, 1, 1.5, 2, 2.5, 3, 4)),
    )
}


def check_transform(name: str, magnitude: float) -> TransformSpec:
    """The spec of ``name``; ``ValueError`` for an unknown name or a magnitude outside its range."""
    spec = TRANSFORMS.get(name)
    if spec is None:
        raise ValueError(f"unknown transformation {name!r}; choose one of {', '.join(TRANSFORMS)}")
    if not math.isfinite(magnitude) or magnitude < 0 or magnitude > spec.max_magnitude:
        raise ValueError(f"{name} magnitude must lie in [0, {spec.max_magnitude:g}] ({spec.unit}), got {magnitude}")
    return spec


def _resample(x: torch.Tensor, theta: torch.Tensor, offset: torch.Tensor | None = None) -> torch.Tensor:
    """Bilinear ``grid_sample`` of N x 1 x H x W at ``theta @ (u, v, 1)`` (+ ``offset``, N x H x W x 2)."""
    grid = F.affine_grid(theta.to(x.dtype), list(x.shape), align_corners=False)
    if offset is not None:
        grid = grid + offset
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def _affine(n: int, matrix: torch.Tensor, shift: torch.Tensor | None = None) -> torch.Tensor:
    """N x 2 x 3 affine matrices from one 2 x 2 linear part and optional N x 2 shifts."""
    theta = torch.zeros(n, 2, 3, dtype=matrix.dtype, device=matrix.device)
    theta[:, :, :2] = matrix
    if shift is not None:
        theta[:, :, 2] = shift
    return theta


def _gaussian_kernel(sigma: float, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """Normalised 1-D Gaussian taps on [-ceil(3 sigma), ceil(3 sigma)]."""
    radius = max(1, math.ceil(3 * sigma))
    t = torch.arange(-radius, radius + 1, dtype=dtype, device=device)
    k = torch.exp(-0.5 * (t / sigma) ** 2)
    return k / k.sum()


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur of N x C x H x W with zero padding (the background value)."""
    if sigma <= 0:
        return x
    k = _gaussian_kernel(sigma, x.dtype, x.device)
    c, r = x.shape[1], (len(k) - 1) // 2
    kx = k.view(1, 1, 1, -1).repeat(c, 1, 1, 1)
    ky = k.view(1, 1, -1, 1).repeat(c, 1, 1, 1)
    x = F.conv2d(F.pad(x, (r, r, 0, 0)), kx, groups=c)
    return F.conv2d(F.pad(x, (0, 0, r, r)), ky, groups=c)


def transform_batch(x: torch.Tensor, name: str, magnitude: float, seed: int = 0) -> torch.Tensor:
    """Apply transformation ``name`` at ``magnitude`` to float images N x 1 x H x W in [0, 1].

    Runs on ``x``'s device; random draws use a CPU generator seeded with ``seed``.
    """
    check_transform(name, magnitude)
    n, _, h, w = x.shape
    dev, dtype = x.device, x.dtype
    gen = torch.Generator().manual_seed(int(seed))
    if name == "rotation":
        # Output pixel (u, v) reads the input at R(angle)(u, v) in image coordinates,
        # where the row index v grows downward: a counter-clockwise turn on screen. Normalised coordinates
        # span [-1, 1] on both axes, so square images rotate without distortion.
        a = math.radians(magnitude)
        c, s = math.cos(a), math.sin(a)
        return _resample(x, _affine(n, torch.tensor([[c, -s], [s, c]], dtype=torch.float64, device=dev)))
    if name == "crop":
        kh, kw = round(h * (1 - magnitude)), round(w * (1 - magnitude))
        top, left = (h - kh) // 2, (w - kw) // 2
        return F.interpolate(
            x[:, :, top : top + kh, left : left + kw], size=(h, w), mode="bilinear", align_corners=False
        )
    if name == "translation":
        angle = torch.rand(n, generator=gen, dtype=torch.float64) * (2 * math.pi)
        # m pixels are 2m / W in normalised units; the grid reads at (u - shift).
        shift = -torch.stack((torch.cos(angle) * 2 * magnitude / w, torch.sin(angle) * 2 * magnitude / h), dim=1)
        return _resample(x, _affine(n, torch.eye(2, dtype=torch.float64, device=dev), shift.to(dev)))
    if name == "zoom":
        scale = 1.0 / (1.0 - magnitude)
        return _resample(x, _affine(n, torch.eye(2, dtype=torch.float64, device=dev) * scale))
    if name == "blur":
        return gaussian_blur(x, float(magnitude))
    if name == "noise":
        noise = torch.randn(x.shape, generator=gen, dtype=torch.float32).to(device=dev, dtype=dtype)
        return (x + magnitude * noise).clamp(0.0, 1.0)
    # elastic
    field = (torch.rand((n, 2, h, w), generator=gen, dtype=torch.float32) * 2 - 1).to(device=dev, dtype=dtype)
    field = gaussian_blur(field, ELASTIC_SIGMA)
    rms = field.pow(2).sum(dim=1).mean(dim=(1, 2)).sqrt().clamp_min(1e-12)
    field = field * (magnitude / rms).view(n, 1, 1, 1)
    # Pixels to normalised units: dx * 2 / W (x) and dy * 2 / H (y); grid_sample wants N x H x W x 2.
    scale = torch.tensor([2.0 / w, 2.0 / h], dtype=dtype, device=dev).view(1, 2, 1, 1)
    offset = (field * scale).permute(0, 2, 3, 1)
    return _resample(x, _affine(n, torch.eye(2, dtype=torch.float64, device=dev)), offset)


def transform_images(
    images: np.ndarray,
    name: str,
    magnitude: float,
    seed: int = 0,
    device: str | torch.device = "auto",
    batch_size: int = 8192,
) -> np.ndarray:
    """Transform uint8 images N x H x W and return uint8 images of the same shape.

    Pixels go to [0, 1] floats, through :func:`transform_batch` on ``device`` in
    batches of ``batch_size`` (batch ``b`` draws with seed ``seed + b``), and back
    to uint8 by rounding.
    """
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(f"expected uint8 N x H x W images, got {images.dtype} {images.shape}")
    check_transform(name, magnitude)
    dev = resolve_device(device)
    out = np.empty_like(images)
    for b, start in enumerate(range(0, len(images), batch_size)):
        chunk = torch.as_tensor(images[start : start + batch_size], device=dev).unsqueeze(1).float() / 255.0
        done = transform_batch(chunk, name, magnitude, seed=seed + b)
        out[start : start + batch_size] = (done.squeeze(1) * 255.0).round().clamp(0, 255).to(torch.uint8).cpu().numpy()
    return out


__all__ = [
    "ELASTIC_SIGMA",
    "TRANSFORMS",
    "TransformSpec",
    "check_transform",
    "gaussian_blur",
    "transform_batch",
    "transform_images",
]
