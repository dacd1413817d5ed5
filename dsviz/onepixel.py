"""One pixel per class pair: the best single-pixel logistic regression for every pair of classes.

The method follows "Distinguishing pairs of classes on MNIST and Fashion-MNIST with
just one pixel" (the seed of issue 5): the training split is cut into a fitting part
and a validation part with a fixed seed (60k -> 50k / 10k); for every pair of classes
``(i, j)`` and every pixel ``p`` a logistic regression

    P(class j | x) = sigma(w * x_p + b),   x_p = pixel / 255 in [0, 1],

is fitted on the fitting part; the pixel with the best in-sample accuracy is kept and
its accuracy on the validation part is reported.

The fit minimizes scikit-learn's ``LogisticRegression`` objective (its user guide,
"Logistic regression", L2 penalty on the slope only, intercept unpenalized):

    C * sum_n [ -y_n log p_n - (1 - y_n) log(1 - p_n) ] + w^2 / 2,

so the result agrees with that class fitted pixel by pixel (``C = inf``: no penalty).

Speed: the images are uint8, so a pixel takes only 256 values and the loss of one
model is exactly a weighted sum over those values, with the per-class histograms
``n_c[p, v]`` (number of class-``c`` images whose pixel ``p`` equals ``v``) as weights.
All ``pairs x 784`` two-parameter models are then fitted together by damped Newton
(closed-form 2 x 2 solves, Armijo backtracking; Boyd & Vandenberghe, *Convex
Optimization*, sec. 9.5) on ``(models, 256)`` tensors instead of ``(models, samples)``
ones. scikit-learn would need one fit per model (35,280 for MNIST), which is why this
is hand-written in torch rather than delegated.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass

import numpy as np
import torch

from .cache import Cache, fingerprint
from .data import load
from .device import resolve_device
from .progress import Progress

LEVELS = 256
"""Number of distinct uint8 pixel values."""

VAL_FRACTION = 1 / 6
"""Share of the training split held out for validation (10k of MNIST's 60k)."""

PAIRS_PER_CHUNK = 8
"""Class pairs fitted per batch: bounds memory to ~8 x 784 x 256 doubles per temporary."""

Z_FLOOR = 50.0
"""Logits are floored at -50 where only ~e^-50 terms are affected (avoids subnormal slowdowns)."""


@dataclass
class OnePixelResult:
    """Best single pixel per class pair; K x K matrices, symmetric except ``weight``/``bias``.

    Entry ``[i, j]`` (``i != j``, both classes present) describes the classifier of class
    ``j`` against class ``i``: ``P(j | x) = sigmoid(weight[i, j] * x + bias[i, j])`` with
    ``x`` the pixel value over 255, so ``weight``/``bias`` flip sign under transposition.
    Entries are NaN (``pixel`` -1) on the diagonal and for classes absent from the data.

    Attributes:
        classes: all class names of the dataset.
        pixel: K x K x 2 int (row, col) of the chosen pixel.
        weight: slope on the [0, 1] intensity scale.
        bias: intercept.
        threshold: gray level (0..255) where the predicted class changes, ``-255 b / w``
            (infinite when ``w = 0``: the classifier always predicts one class).
        train_accuracy: in-sample accuracy on the fitting part.
        val_accuracy: accuracy on the validation part (out of sample).
        pixel_accuracy: K x K x 28 x 28 in-sample accuracy of every pixel's classifier.
        class_means: K x 28 x 28 mean image of each class on the fitting part, gray levels
            0..255 (NaN for absent classes).
        n_fit: number of images in the fitting part.
        n_val: number of images in the validation part.
        C: inverse L2 strength used (``inf`` for none).
        seconds: wall time of the fits.
    """

    classes: tuple[str, ...]
    pixel: np.ndarray
    weight: np.ndarray
    bias: np.ndarray
    threshold: np.ndarray
    train_accuracy: np.ndarray
    val_accuracy: np.ndarray
    pixel_accuracy: np.ndarray
    class_means: np.ndarray
    n_fit: int
    n_val: int
    C: float
    seconds: float

    def pairs(self) -> list[tuple[int, int]]:
        """Pairs ``(i, j)``, ``i < j``, that were fitted (both classes present)."""
        k = len(self.classes)
        return [(i, j) for i in range(k) for j in range(i + 1, k) if not np.isnan(self.val_accuracy[i, j])]

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Encode for :class:`dsviz.cache.Cache`."""
        return {
            "classes": np.asarray(self.classes),
            "pixel": self.pixel,
            "weight": self.weight,
            "bias": self.bias,
            "threshold": self.threshold,
            "train_accuracy": self.train_accuracy,
            "val_accuracy": self.val_accuracy,
            "pixel_accuracy": self.pixel_accuracy,
            "class_means": self.class_means,
            "scalars": np.array([self.n_fit, self.n_val, self.C, self.seconds], dtype=np.float64),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> OnePixelResult:
        """Decode :meth:`to_arrays`; raises KeyError/ValueError when malformed."""
        classes = tuple(str(c) for c in arrays["classes"])
        k = len(classes)
        matrices = {name: arrays[name] for name in ("weight", "bias", "threshold", "train_accuracy", "val_accuracy")}
        if any(m.shape != (k, k) for m in matrices.values()) or arrays["pixel"].shape != (k, k, 2):
            raise ValueError("one-pixel cache entry has inconsistent shapes")
        n_fit, n_val, c, seconds = arrays["scalars"].tolist()
        return cls(
            classes=classes,
            pixel=arrays["pixel"],
            pixel_accuracy=arrays["pixel_accuracy"],
            class_means=arrays["class_means"],
            n_fit=int(n_fit),
            n_val=int(n_val),
            C=float(c),
            seconds=float(seconds),
            **matrices,
        )


def fit_validation_split(n: int, seed: int = 0, val_fraction: float = VAL_FRACTION) -> tuple[np.ndarray, np.ndarray]:
    """Sorted indices of the fitting and validation parts of ``n`` images.

    A ``np.random.default_rng(seed)`` permutation; the first ``round(n * val_fraction)``
    indices are the validation part (10,000 of 60,000 for the default fraction).
    """
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must lie strictly between 0 and 1, got {val_fraction}")
    n_val = int(round(n * val_fraction))
    if n_val < 1 or n_val >= n:
        raise ValueError(f"cannot split {n} images into non-empty fitting and validation parts")
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def pixel_histograms(images: np.ndarray, labels: np.ndarray, n_classes: int, chunk: int = 4096) -> np.ndarray:
    """``counts[c, p, v]``: images of class ``c`` whose flattened pixel ``p`` equals ``v`` (int64).

    One ``np.bincount`` per chunk of images over the joint index ``(c, p, v)``: counting
    is done once per dataset, and numpy's bincount measured ~3x faster than torch's on CPU.
    """
    flat = images.reshape(len(images), -1)
    n_pixels = flat.shape[1]
    size = n_classes * n_pixels * LEVELS
    index_type = np.int32 if size < 2**31 else np.int64
    offsets = np.arange(n_pixels, dtype=index_type) * LEVELS
    counts = np.zeros(size, dtype=np.int64)
    for start in range(0, len(flat), chunk):
        rows = flat[start : start + chunk].astype(index_type)
        base = labels[start : start + chunk].astype(index_type) * (n_pixels * LEVELS)
        counts += np.bincount((rows + offsets + base[:, None]).ravel(), minlength=size)
    return counts.reshape(n_classes, n_pixels, LEVELS)


def _loss(
    w: torch.Tensor, b: torch.Tensor, n0: torch.Tensor, n1: torch.Tensor, x: torch.Tensor, ridge: float
) -> torch.Tensor:
    """Objective per model divided by ``C``: ``logloss + ridge w^2 / 2`` (softplus for stability)."""
    z = w[:, None] * x + b[:, None]
    # softplus(t) = log(1 + e^t) < 2e-22 for t < -Z_FLOOR, far below float64 rounding of the
    # sums; flooring the argument keeps e^t out of the (very slow) subnormal range.
    loss0 = torch.nn.functional.softplus(z.clamp_min(-Z_FLOOR))
    loss1 = torch.nn.functional.softplus((-z).clamp_min(-Z_FLOOR))
    data = (n0 * loss0 + n1 * loss1).sum(-1)
    return data + 0.5 * ridge * w**2


def _newton_step(
    w: torch.Tensor, b: torch.Tensor, n0: torch.Tensor, n1: torch.Tensor, x: torch.Tensor, ridge: float
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Newton direction ``H^-1 g`` of the objective divided by ``C``, and the decrement ``g . H^-1 g``."""
    n = n0 + n1
    # Clamping changes p by < 2e-22 and avoids subnormal arithmetic (see _loss).
    p = torch.sigmoid((w[:, None] * x + b[:, None]).clamp(-Z_FLOOR, Z_FLOOR))
    r = n * p - n1
    s = n * p * (1 - p)
    g_w = (r * x).sum(-1) + ridge * w
    g_b = r.sum(-1)
    sx = s * x
    h_ww = (sx * x).sum(-1) + ridge
    h_wb = sx.sum(-1)
    h_bb = s.sum(-1).clamp_min(1e-12)
    det = (h_ww * h_bb - h_wb**2).clamp_min(1e-300)
    d_w = (h_bb * g_w - h_wb * g_b) / det
    d_b = (h_ww * g_b - h_wb * g_w) / det
    return d_w, d_b, g_w * d_w + g_b * d_b


def fit_logistic_histograms(
    n0: torch.Tensor, n1: torch.Tensor, x: torch.Tensor, C: float = 1.0, max_iter: int = 100, tol: float = 1e-10
) -> tuple[torch.Tensor, torch.Tensor]:
    """Fit ``M`` one-feature logistic regressions given as value histograms.

    Model ``m`` sees ``n0[m, v]`` samples of class 0 and ``n1[m, v]`` of class 1 at feature
    value ``x[v]``. Damped Newton on ``(w, b)``: gradient ``g = (sum r x + w / C, sum r)``
    with ``r = n p - n1``, Hessian ``sum s [x^2, x; x, 1] + diag(1 / C, 0)`` with
    ``s = n p (1 - p)`` (the objective above divided by ``C``), the 2 x 2 system solved
    in closed form, the step halved until the Armijo condition holds.
    Stops when every model's Newton decrement ``g . step`` is below ``tol`` times its
    sample count (or after ``max_iter``; unpenalized separable models never converge,
    their slope grows while the decision stays put).

    Returns:
        ``(w, b)``, float64 tensors of length ``M``.
    """
    total = (n0 + n1).sum(-1)
    ridge = 1.0 / C if math.isfinite(C) else 1e-12
    # Start from the best constant model: w = 0, b = log(n1 / n0).
    w = torch.zeros(n0.shape[0], dtype=torch.float64, device=n0.device)
    b = torch.log(n1.sum(-1).clamp_min(0.5) / n0.sum(-1).clamp_min(0.5))
    loss = _loss(w, b, n0, n1, x, ridge)
    active = torch.arange(len(w), device=w.device)  # models not yet converged
    for _ in range(max_iter):
        a0, a1, wa, ba = n0[active], n1[active], w[active], b[active]
        d_w, d_b, decrement = _newton_step(wa, ba, a0, a1, x, ridge)
        going = decrement > tol * total[active]
        if not bool(going.any()):
            break
        active, a0, a1, wa, ba = active[going], a0[going], a1[going], wa[going], ba[going]
        d_w, d_b, decrement, la = d_w[going], d_b[going], decrement[going], loss[active]
        t = torch.ones_like(wa)
        accepted = torch.zeros_like(going[going])
        for _halving in range(40):
            new_w, new_b = wa - t * d_w, ba - t * d_b
            new_loss = _loss(new_w, new_b, a0, a1, x, ridge)
            ok = ~accepted & (new_loss <= la - 1e-4 * t * decrement)
            wa, ba, la = torch.where(ok, new_w, wa), torch.where(ok, new_b, ba), torch.where(ok, new_loss, la)
            accepted |= ok
            if bool(accepted.all()):
                break
            t = torch.where(accepted, t, t / 2)
        w[active], b[active], loss[active] = wa, ba, la
    return w, b


def _accuracy(w: torch.Tensor, b: torch.Tensor, n0: torch.Tensor, n1: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Share of samples classified right by ``predict class 1 iff w x + b > 0`` (scikit-learn's rule)."""
    positive = (w[..., None] * x + b[..., None]) > 0
    right = torch.where(positive, n1, n0).sum(-1)
    return right / (n0 + n1).sum(-1)


def fit_one_pixel(
    fit_images: np.ndarray,
    fit_labels: np.ndarray,
    val_images: np.ndarray,
    val_labels: np.ndarray,
    classes: tuple[str, ...],
    *,
    C: float = 1.0,
    device: str | torch.device = "auto",
    progress: Progress | None = None,
) -> OnePixelResult:
    """Best single-pixel logistic regression for every pair of classes present in both parts.

    Args:
        fit_images, val_images: uint8 N x H x W; pixels are scaled to [0, 1].
        fit_labels, val_labels: int64 indices into ``classes``.
        classes: all class names (K); matrices are K x K.
        C: inverse L2 strength on the slope, as scikit-learn's ``LogisticRegression``
            (default 1.0, its default); ``inf`` for an unpenalized fit.
        device: ``auto|cpu|cuda``.
        progress: called with ``(pairs done, pairs total)`` after each batch.
    """
    if fit_images.dtype != np.uint8 or val_images.dtype != np.uint8 or fit_images.ndim != 3:
        raise ValueError("one-pixel fits need uint8 N x H x W images")
    if not C > 0:
        raise ValueError(f"C must be positive, got {C}")
    start = time.perf_counter()
    dev = resolve_device(device)
    k = len(classes)
    height, width = fit_images.shape[1:]
    fit_counts = torch.as_tensor(pixel_histograms(fit_images, fit_labels, k), dtype=torch.float64, device=dev)
    val_counts = torch.as_tensor(pixel_histograms(val_images, val_labels, k), dtype=torch.float64, device=dev)
    present = [c for c in range(k) if fit_counts[c, 0].sum() > 0 and val_counts[c, 0].sum() > 0]
    pairs = [(i, j) for a, i in enumerate(present) for j in present[a + 1 :]]
    x = torch.arange(LEVELS, dtype=torch.float64, device=dev) / (LEVELS - 1)

    shape = (k, k)
    weight, bias = np.full(shape, np.nan), np.full(shape, np.nan)
    train_acc, val_acc = np.full(shape, np.nan), np.full(shape, np.nan)
    pixel = np.full((k, k, 2), -1, dtype=np.int64)
    pixel_acc = np.full((k, k, height * width), np.nan, dtype=np.float32)
    for first in range(0, len(pairs), PAIRS_PER_CHUNK):
        chunk = pairs[first : first + PAIRS_PER_CHUNK]
        lo = torch.tensor([i for i, _ in chunk], device=dev)
        hi = torch.tensor([j for _, j in chunk], device=dev)
        n0, n1 = fit_counts[lo].reshape(-1, LEVELS), fit_counts[hi].reshape(-1, LEVELS)
        w, b = fit_logistic_histograms(n0, n1, x, C=C)
        acc = _accuracy(w, b, n0, n1, x).reshape(len(chunk), -1)
        best = acc.argmax(-1)  # first pixel among ties, as a left-to-right scan would pick
        rows = torch.arange(len(chunk), device=dev)
        w_best, b_best = w.reshape(len(chunk), -1)[rows, best], b.reshape(len(chunk), -1)[rows, best]
        v0, v1 = val_counts[lo, best], val_counts[hi, best]
        v_acc = _accuracy(w_best, b_best, v0, v1, x)
        for m, (i, j) in enumerate(chunk):
            p = int(best[m])
            pixel[i, j] = pixel[j, i] = divmod(p, width)
            weight[i, j], bias[i, j] = float(w_best[m]), float(b_best[m])
            weight[j, i], bias[j, i] = -weight[i, j], -bias[i, j]
            train_acc[i, j] = train_acc[j, i] = float(acc[m, p])
            val_acc[i, j] = val_acc[j, i] = float(v_acc[m])
            pixel_acc[i, j] = pixel_acc[j, i] = acc[m].float().cpu().numpy()
        if progress is not None:
            progress(min(first + PAIRS_PER_CHUNK, len(pairs)), len(pairs), "class pairs fitted")
    with np.errstate(divide="ignore", invalid="ignore"):
        threshold = np.where(weight == 0, np.inf, -bias / weight * (LEVELS - 1))
    counts = fit_counts.sum(-1)[:, 0]  # images per class
    sums = (fit_counts * torch.arange(LEVELS, dtype=torch.float64, device=dev)).sum(-1)
    means = (sums / counts[:, None]).reshape(k, height, width).float().cpu().numpy()
    return OnePixelResult(
        classes=tuple(classes),
        pixel=pixel,
        weight=weight,
        bias=bias,
        threshold=threshold,
        train_accuracy=train_acc,
        val_accuracy=val_acc,
        pixel_accuracy=pixel_acc.reshape(k, k, height, width),
        class_means=means,
        n_fit=len(fit_labels),
        n_val=len(val_labels),
        C=float(C),
        seconds=time.perf_counter() - start,
    )


@dataclass
class OnePixelRun:
    """:func:`one_pixel_dataset`'s answer: the result and where its data came from."""

    name: str
    result: OnePixelResult
    split_used: str
    cache_hit: bool


def one_pixel_dataset(
    name: str,
    *,
    seed: int = 0,
    val_fraction: float = VAL_FRACTION,
    C: float = 1.0,
    device: str = "auto",
    data_dir: str | os.PathLike[str] | None = None,
    cache: Cache | None = None,
    progress: Progress | None = None,
) -> OnePixelRun:
    """One-pixel fits on a dataset's training split (falling back to test when absent), cached.

    The split is cut by :func:`fit_validation_split` with ``seed``; the cache key holds
    the data fingerprint and every option except ``device``.
    """
    data = load(name, split="train", data_dir=data_dir)
    fit_idx, val_idx = fit_validation_split(len(data.labels), seed=seed, val_fraction=val_fraction)
    params = {"seed": seed, "val_fraction": val_fraction, "C": C, "classes": list(data.classes)}

    def compute() -> OnePixelResult:
        return fit_one_pixel(
            data.images[fit_idx],
            data.labels[fit_idx],
            data.images[val_idx],
            data.labels[val_idx],
            data.classes,
            C=C,
            device=device,
            progress=progress,
        )

    store = cache if cache is not None else Cache()
    result, hit = store.get_or_compute(
        "onepixel",
        params,
        fingerprint(data.images, data.labels),
        compute,
        OnePixelResult.to_arrays,
        OnePixelResult.from_arrays,
    )
    return OnePixelRun(name=name, result=result, split_used=data.split_used, cache_hit=hit)


@dataclass
class OnePixelSummary:
    """How separable a dataset's class pairs are with one pixel (validation accuracy).

    Attributes:
        ranked: fitted pairs ``(i, j, accuracy)`` from best to worst.
        n_pairs: number of fitted pairs.
        at_least: ``{threshold: number of pairs with accuracy >= threshold}``.
        partners: K, per class the number of other classes it is separated from at
            ``partner_level`` or better.
        partner_level: the accuracy level of ``partners``.
    """

    ranked: list[tuple[int, int, float]]
    n_pairs: int
    at_least: dict[float, int]
    partners: np.ndarray
    partner_level: float


def summarize(
    result: OnePixelResult, levels: tuple[float, ...] = (0.9, 0.95), partner_level: float = 0.95
) -> OnePixelSummary:
    """Rank the pairs by validation accuracy and count pairs and partners above ``levels``."""
    acc = result.val_accuracy
    ranked = sorted(((i, j, float(acc[i, j])) for i, j in result.pairs()), key=lambda t: -t[2])
    with np.errstate(invalid="ignore"):
        partners = (np.nan_to_num(acc, nan=0.0) >= partner_level).sum(1)
    return OnePixelSummary(
        ranked=ranked,
        n_pairs=len(ranked),
        at_least={level: sum(a >= level for _, _, a in ranked) for level in levels},
        partners=partners,
        partner_level=partner_level,
    )
