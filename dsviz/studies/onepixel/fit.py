"""The one-pixel fit: the best single-pixel logistic regression for every pair of classes.

After "Distinguishing pairs of classes on MNIST and Fashion-MNIST with just one pixel"
(L. France, 2021; code: GitHub lucafrance/mnist-pixel, ``evaluate_models.py``). For every
pair of classes ``(i, j)`` and every pixel ``p`` a logistic regression

    P(class j | x) = sigma(w * x_p + b)

is fitted; the pixel with the best in-sample accuracy is kept (the first one among ties,
as the article's left-to-right scan with a strict ``>``) and its accuracy on held-out
images is reported. Two protocols (:data:`dsviz.studies.onepixel.dataset.PROTOCOLS`):

* ``published``: the article's code. Every image is L2-normalized as a 784-vector
  (``sklearn.preprocessing.normalize``), so ``x_p = pixel / ||image||_2``; the models are
  fitted on the whole training split (60k for MNIST) and scored on the test split (10k).
  Its ``LogisticRegression(solver="sag")`` uses the defaults (L2, C = 1, intercept,
  ``max_iter=100``, ``tol=1e-4``); we minimize the same objective exactly.
* ``heldout``: a clean held-out split of the training split only, cut with a fixed seed
  (60k -> 50k / 10k, as the article's prose describes it), raw intensities
  ``x_p = pixel / 255`` in [0, 1].

The fit minimizes scikit-learn's ``LogisticRegression`` objective (its user guide,
"Logistic regression", L2 penalty on the slope only, intercept unpenalized):

    C * sum_n [ -y_n log p_n - (1 - y_n) log(1 - p_n) ] + w^2 / 2,

so the result agrees with that class fitted pixel by pixel (``C = inf``: no penalty). ``sag``
minimizes ``(1/n) sum loss + alpha/(2n) w^2`` with ``alpha = 1/C`` and an unpenalized
intercept (``sklearn/linear_model/_sag.py``, ``alpha_scaled = alpha / n_samples``): the same
minimizer. ``sag`` is stochastic and stops at ``tol``, so its boundary can differ from the
exact optimum by a hair; only a sample lying in that gap changes an accuracy.

Speed: a one-feature model's loss is a weighted sum over the distinct feature values.
Raw uint8 images take only 256 values, so the weights are the per-class histograms
``n_c[p, v]`` (number of class-``c`` images whose pixel ``p`` equals ``v``). After L2
normalization the values are continuous; but most pixels are 0 (background), so each
pixel's samples become one weighted entry at 0 plus one entry per non-zero image, packed
into padded ``(pixels, entries)`` tensors grouped by their number of non-zeros.
All two-parameter models of a batch are fitted together by damped Newton (closed-form
2 x 2 solves, Armijo backtracking; Boyd & Vandenberghe, *Convex Optimization*, sec. 9.5).
scikit-learn would need one fit per model (35,280 for MNIST), which is why this is
hand-written in torch rather than delegated.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.preprocessing import normalize

from dsviz.data.validation import check_shapes
from dsviz.runtime.device import resolve_device
from dsviz.runtime.progress import Progress

LEVELS = 256
"""Number of distinct uint8 pixel values."""

VAL_FRACTION = 1 / 6
"""Share of the training split held out for validation (10k of MNIST's 60k)."""

PAIRS_PER_CHUNK = 8
"""Class pairs fitted per batch: bounds memory to ~8 x 784 x 256 doubles per temporary."""

ENTRIES_PER_BATCH = 1 << 21
"""Padded (pixel, sample) cells per batch of the published protocol: ~17 MB per float64 temporary."""

Z_FLOOR = 50.0
"""Logits are floored at -50 where only ~e^-50 terms are affected (avoids subnormal slowdowns)."""


@dataclass
class OnePixelResult:
    """Best single pixel per class pair; K x K matrices, symmetric except ``weight``/``bias``.

    Entry ``[i, j]`` (``i != j``, both classes present) describes the classifier of class
    ``j`` against class ``i``: ``P(j | x) = sigmoid(weight[i, j] * x + bias[i, j])`` with
    ``x`` the pixel's feature (see ``feature``), so ``weight``/``bias`` flip sign under
    transposition. Entries are NaN (``pixel`` -1) on the diagonal and for absent classes.

    Attributes:
        classes: all class names of the dataset.
        feature: ``"gray"`` (``x = pixel / 255``) or ``"l2"`` (``x = pixel / ||image||_2``).
        pixel: K x K x 2 int (row, col) of the chosen pixel.
        weight: slope on the feature scale.
        bias: intercept.
        threshold: feature value where the predicted class changes, ``-b / w``, given as a
            gray level 0..255 (``-255 b / w``) for ``"gray"``, as ``pixel / ||image||`` for
            ``"l2"`` (infinite when ``w = 0``: the classifier always predicts one class).
        train_accuracy: in-sample accuracy on the fitting images.
        val_accuracy: accuracy on the held-out images (out of sample): the validation part
            of train (``heldout``) or the test split (``published``).
        pixel_accuracy: K x K x 28 x 28 in-sample accuracy of every pixel's classifier.
        class_means: K x 28 x 28 mean image of each class over the fitting images, gray levels
            0..255 (NaN for absent classes).
        n_fit: number of fitting images.
        n_val: number of held-out images.
        C: inverse L2 strength used (``inf`` for none).
        seconds: wall time of the fits.
    """

    classes: tuple[str, ...]
    feature: str
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

    def __post_init__(self) -> None:
        k = len(self.classes)
        square = ("weight", "bias", "threshold", "train_accuracy", "val_accuracy")
        check_shapes(
            "one-pixel result", pixel=(self.pixel, (k, k, 2)), **{m: (getattr(self, m), (k, k)) for m in square}
        )
        if self.feature not in FEATURE_SCALE:
            raise ValueError(
                f"one-pixel result has an unknown feature {self.feature!r}; expected one of {sorted(FEATURE_SCALE)}"
            )

    def pairs(self) -> list[tuple[int, int]]:
        """Pairs ``(i, j)``, ``i < j``, that were fitted (both classes present)."""
        k = len(self.classes)
        return [(i, j) for i in range(k) for j in range(i + 1, k) if not np.isnan(self.val_accuracy[i, j])]


FEATURE_SCALE = {"gray": float(LEVELS - 1), "l2": 1.0}
"""Factor from ``-b / w`` to :attr:`OnePixelResult.threshold` for each feature."""


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


def _rows(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """The models ``index`` of a per-model ``(M, V)`` feature table; a shared ``(V,)`` one as is."""
    return x[index] if x.ndim == 2 else x


def fit_logistic_histograms(
    n0: torch.Tensor, n1: torch.Tensor, x: torch.Tensor, C: float = 1.0, max_iter: int = 100, tol: float = 1e-10
) -> tuple[torch.Tensor, torch.Tensor]:
    """Fit ``M`` one-feature logistic regressions given as weighted feature values.

    Model ``m`` sees ``n0[m, v]`` samples of class 0 and ``n1[m, v]`` of class 1 at feature
    value ``x[v]`` (``x`` of shape ``(V,)``, shared) or ``x[m, v]`` (shape ``(M, V)``).
    Damped Newton on ``(w, b)``: gradient ``g = (sum r x + w / C, sum r)``
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
        a0, a1, xa, wa, ba = n0[active], n1[active], _rows(x, active), w[active], b[active]
        d_w, d_b, decrement = _newton_step(wa, ba, a0, a1, xa, ridge)
        going = decrement > tol * total[active]
        if not bool(going.any()):
            break
        active, a0, a1, xa, wa, ba = active[going], a0[going], a1[going], _rows(xa, going), wa[going], ba[going]
        d_w, d_b, decrement, la = d_w[going], d_b[going], decrement[going], loss[active]
        t = torch.ones_like(wa)
        accepted = torch.zeros_like(going[going])
        for _halving in range(40):
            new_w, new_b = wa - t * d_w, ba - t * d_b
            new_loss = _loss(new_w, new_b, a0, a1, xa, ridge)
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


def class_means(images: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """K x H x W float32 mean image per class (gray levels), NaN for classes without images."""
    means = np.full((n_classes, *images.shape[1:]), np.nan, dtype=np.float32)
    for c in range(n_classes):
        chosen = labels == c
        if chosen.any():
            means[c] = images[chosen].mean(0, dtype=np.float64)
    return means


class _PairTable:
    """The K x K matrices of a :class:`OnePixelResult`, filled pair by pair."""

    def __init__(self, k: int, height: int, width: int) -> None:
        self.k, self.height, self.width = k, height, width
        self.weight, self.bias = np.full((k, k), np.nan), np.full((k, k), np.nan)
        self.train, self.val = np.full((k, k), np.nan), np.full((k, k), np.nan)
        self.pixel = np.full((k, k, 2), -1, dtype=np.int64)
        self.pixel_acc = np.full((k, k, height * width), np.nan, dtype=np.float32)

    def put(self, i: int, j: int, p: int, w: float, b: float, train: float, val: float, pixel_acc: np.ndarray) -> None:
        """Pair ``(i, j)``: chosen flat pixel ``p``, its model of class ``j`` against ``i`` and accuracies."""
        self.pixel[i, j] = self.pixel[j, i] = divmod(p, self.width)
        self.weight[i, j], self.bias[i, j] = w, b
        self.weight[j, i], self.bias[j, i] = -w, -b
        self.train[i, j] = self.train[j, i] = train
        self.val[i, j] = self.val[j, i] = val
        self.pixel_acc[i, j] = self.pixel_acc[j, i] = pixel_acc

    def result(
        self, classes: tuple[str, ...], feature: str, means: np.ndarray, n_fit: int, n_val: int, C: float, start: float
    ) -> OnePixelResult:
        with np.errstate(divide="ignore", invalid="ignore"):
            threshold = np.where(self.weight == 0, np.inf, -self.bias / self.weight * FEATURE_SCALE[feature])
        return OnePixelResult(
            classes=tuple(classes),
            feature=feature,
            pixel=self.pixel,
            weight=self.weight,
            bias=self.bias,
            threshold=threshold,
            train_accuracy=self.train,
            val_accuracy=self.val,
            pixel_accuracy=self.pixel_acc.reshape(self.k, self.k, self.height, self.width),
            class_means=means,
            n_fit=n_fit,
            n_val=n_val,
            C=float(C),
            seconds=time.perf_counter() - start,
        )


def _check_inputs(fit_images: np.ndarray, val_images: np.ndarray, C: float) -> None:
    if fit_images.dtype != np.uint8 or val_images.dtype != np.uint8 or fit_images.ndim != 3:
        raise ValueError("one-pixel fits need uint8 N x H x W images")
    if not C > 0:
        raise ValueError(f"C must be positive, got {C}")


def _present_pairs(fit_labels: np.ndarray, val_labels: np.ndarray) -> list[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, of classes with images in both parts."""
    present = np.intersect1d(np.unique(fit_labels), np.unique(val_labels)).tolist()
    return [(i, j) for a, i in enumerate(present) for j in present[a + 1 :]]


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
    r"""Best single-pixel logistic regression per class pair, features ``pixel / 255`` (``heldout`` protocol).

    For every pair of classes :math:`(i, j)` present on both sides and every pixel :math:`p`, the images of
    the two classes are fitted with a one-feature logistic regression that minimizes scikit-learn's
    ``LogisticRegression`` objective (L2 penalty on the slope only, [2]_):

    .. math::
        (w_p, b_p) = \mathop{\arg \min}_{w, b} \quad C \sum_{n} \big[ -t_n \log \sigma(w x_{n,p} + b)
            - (1 - t_n) \log\big(1 - \sigma(w x_{n,p} + b)\big) \big] + \tfrac12 w^2

    with :math:`t_n = 1` for class :math:`j`. The pixel kept is the first with the best in-sample accuracy
    ([1]_: the article's left-to-right scan with a strict ``>``), and its accuracy on the held-out images is
    reported. Fits are exact (damped Newton on the per-class pixel histograms; Boyd & Vandenberghe,
    *Convex Optimization*, Sec. 9.5), all pixels of a batch of pairs at once.

    Parameters
    ----------
    fit_images : (N, H, W) ndarray, uint8
        Fitting images; the feature is the gray level scaled to [0, 1].
    fit_labels : (N,) ndarray, int
        Indices into ``classes``.
    val_images : (M, H, W) ndarray, uint8
        Held-out images (the validation part of the training split).
    val_labels : (M,) ndarray, int
        Indices into ``classes``.
    classes : tuple of str
        All ``K`` class names; the result's matrices are ``K x K``.
    C : float, optional (default=1.0)
        Inverse L2 strength on the slope, as scikit-learn's (whose default is 1.0); ``inf`` for no penalty.
    device : str or torch.device, optional (default="auto")
        See :func:`dsviz.runtime.device.resolve_device`.
    progress : callable, optional (default=None)
        Called as ``progress(pairs done, pairs total, label)`` after each batch of pairs.

    Returns
    -------
    result : :class:`OnePixelResult`
        Per pair: the chosen ``pixel``, ``weight``, ``bias``, ``threshold``, ``train_accuracy``,
        ``val_accuracy`` and every pixel's in-sample accuracy (``pixel_accuracy``); NaN where a class is absent.

    Raises
    ------
    ValueError
        On images that are not uint8 ``N x H x W`` arrays, or ``C <= 0``.

    References
    ----------
    .. [1] France, L. (2021). Distinguishing pairs of classes on MNIST and Fashion-MNIST with just one pixel.
        Code: GitHub lucafrance/mnist-pixel, ``evaluate_models.py``.
    .. [2] scikit-learn user guide, "Logistic regression" (``sklearn.linear_model.LogisticRegression``).

    See Also
    --------
    fit_one_pixel_published : the article's own protocol (L2-normalized images, train / test).
    """
    _check_inputs(fit_images, val_images, C)
    start = time.perf_counter()
    dev = resolve_device(device)
    k = len(classes)
    height, width = fit_images.shape[1:]
    fit_counts = torch.as_tensor(pixel_histograms(fit_images, fit_labels, k), dtype=torch.float64, device=dev)
    val_counts = torch.as_tensor(pixel_histograms(val_images, val_labels, k), dtype=torch.float64, device=dev)
    pairs = _present_pairs(fit_labels, val_labels)
    x = torch.arange(LEVELS, dtype=torch.float64, device=dev) / (LEVELS - 1)
    table = _PairTable(k, height, width)
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
        v_acc = _accuracy(w_best, b_best, val_counts[lo, best], val_counts[hi, best], x)
        for m, (i, j) in enumerate(chunk):
            p = int(best[m])
            table.put(
                i,
                j,
                p,
                float(w_best[m]),
                float(b_best[m]),
                float(acc[m, p]),
                float(v_acc[m]),
                acc[m].float().cpu().numpy(),
            )
        if progress is not None:
            progress(min(first + PAIRS_PER_CHUNK, len(pairs)), len(pairs), "class pairs fitted")
    return table.result(
        classes, "gray", class_means(fit_images, fit_labels, k), len(fit_labels), len(val_labels), C, start
    )


def l2_normalized(images: np.ndarray) -> np.ndarray:
    """N x (H W) float64 images divided by their Euclidean norm, by ``sklearn.preprocessing.normalize``.

    Exactly the article's preprocessing (``preprocessing.normalize(X, norm="l2")`` on the
    uint8 784-vectors); an all-black image stays zero.
    """
    return normalize(images.reshape(len(images), -1), norm="l2")


def _fit_columns(x: np.ndarray, y: np.ndarray, C: float, dev: torch.device) -> tuple[np.ndarray, ...]:
    """One logistic regression per column of ``x`` (n x P, values >= 0) for the 0/1 labels ``y``.

    Each column's samples are packed as one weighted entry at 0 (its zeros, counted per
    class) plus one entry per non-zero sample; columns are sorted by their number of
    non-zeros and batched so that each padded ``(columns, entries)`` table holds at most
    :data:`ENTRIES_PER_BATCH` cells. Padding entries carry zero weight.

    Returns:
        ``(w, b, accuracy)``, float64 arrays of length P (in-sample accuracy).
    """
    n_pixels = x.shape[1]
    nonzero = x > 0
    nnz = nonzero.sum(0)
    zeros1 = (~nonzero & y[:, None]).sum(0)
    zeros0 = len(y) - nnz - zeros1
    w_all, b_all, acc_all = np.empty(n_pixels), np.empty(n_pixels), np.empty(n_pixels)
    order = np.argsort(nnz, kind="stable")
    start = 0
    while start < n_pixels:
        end = start + 1
        while end < n_pixels and (end + 1 - start) * (nnz[order[end]] + 1) <= ENTRIES_PER_BATCH:
            end += 1
        group = order[start:end]
        m = int(nnz[group].max())
        mask = nonzero[:, group].T
        # stable sort puts each column's non-zero samples first, in sample order
        idx = np.argsort(~mask, axis=1, kind="stable")[:, :m]
        valid = np.take_along_axis(mask, idx, 1)
        values = np.zeros((len(group), m + 1))
        values[:, 1:] = np.where(valid, np.take_along_axis(x[:, group].T, idx, 1), 0.0)
        ones = valid & y[idx]
        n1 = np.concatenate([zeros1[group, None], ones], axis=1).astype(np.float64)
        n0 = np.concatenate([zeros0[group, None], valid & ~ones], axis=1).astype(np.float64)
        t0, t1, tx = (torch.as_tensor(a, device=dev) for a in (n0, n1, values))
        w, b = fit_logistic_histograms(t0, t1, tx, C=C)
        w_all[group], b_all[group] = w.cpu().numpy(), b.cpu().numpy()
        acc_all[group] = _accuracy(w, b, t0, t1, tx).cpu().numpy()
        start = end
    return w_all, b_all, acc_all


def fit_one_pixel_published(
    train_images: np.ndarray,
    train_labels: np.ndarray,
    test_images: np.ndarray,
    test_labels: np.ndarray,
    classes: tuple[str, ...],
    *,
    C: float = 1.0,
    device: str | torch.device = "auto",
    progress: Progress | None = None,
) -> OnePixelResult:
    r"""Best single-pixel logistic regression per class pair under the article's protocol (``published``).

    Follows ``evaluate_models.py`` of [1]_: every image is L2-normalized as a vector,
    :math:`x_{n,p} = \mathrm{pixel}_{n,p} / \lVert \mathrm{image}_n \rVert_2` (``sklearn.preprocessing.normalize``),
    and for each pair :math:`(i, j)` one ``LogisticRegression(solver="sag")`` (C = 1, L2 on the slope, free
    intercept) is fitted per pixel on the pair's training images,

    .. math::
        (w_p, b_p) = \mathop{\arg \min}_{w, b} \quad C \sum_{n} \big[ -t_n \log \sigma(w x_{n,p} + b)
            - (1 - t_n) \log\big(1 - \sigma(w x_{n,p} + b)\big) \big] + \tfrac12 w^2 ;

    the first pixel with the highest in-sample accuracy (strict ``>`` scan) is kept and scored on the pair's
    test images. The objective is minimized exactly here (damped Newton) where ``sag`` stops at
    ``tol = 1e-4``, so a boundary can differ from the article's by a hair.

    Parameters
    ----------
    train_images : (N, H, W) ndarray, uint8
        The training split (60,000 images for MNIST in the article).
    train_labels : (N,) ndarray, int
        Indices into ``classes``.
    test_images : (M, H, W) ndarray, uint8
        The test split.
    test_labels : (M,) ndarray, int
        Indices into ``classes``.
    classes : tuple of str
        All ``K`` class names.
    C : float, optional (default=1.0)
        Inverse L2 strength on the slope (scikit-learn's default); ``inf`` for no penalty.
    device : str or torch.device, optional (default="auto")
        See :func:`dsviz.runtime.device.resolve_device`.
    progress : callable, optional (default=None)
        Called as ``progress(pairs done, pairs total, label)`` after each pair.

    Returns
    -------
    result : :class:`OnePixelResult`
        As :func:`fit_one_pixel`, with ``feature == "l2"`` and ``val_accuracy`` measured on the test split.

    Raises
    ------
    ValueError
        As :func:`fit_one_pixel`.

    References
    ----------
    .. [1] France, L. (2021). Distinguishing pairs of classes on MNIST and Fashion-MNIST with just one pixel.
        Code: GitHub lucafrance/mnist-pixel, ``evaluate_models.py``.
    """
    _check_inputs(train_images, test_images, C)
    start = time.perf_counter()
    dev = resolve_device(device)
    k = len(classes)
    height, width = train_images.shape[1:]
    x_train, x_test = l2_normalized(train_images), l2_normalized(test_images)
    pairs = _present_pairs(train_labels, test_labels)
    table = _PairTable(k, height, width)
    for done, (i, j) in enumerate(pairs, start=1):
        fit = (train_labels == i) | (train_labels == j)
        w, b, acc = _fit_columns(x_train[fit], train_labels[fit] == j, C, dev)
        p = int(np.argmax(acc))  # first pixel among ties, as the article's strict ">" scan
        held = (test_labels == i) | (test_labels == j)
        predicted = w[p] * x_test[held, p] + b[p] > 0
        val = float(np.mean(predicted == (test_labels[held] == j)))
        table.put(i, j, p, float(w[p]), float(b[p]), float(acc[p]), val, acc.astype(np.float32))
        if progress is not None:
            progress(done, len(pairs), "class pairs fitted")
    return table.result(
        classes, "l2", class_means(train_images, train_labels, k), len(train_labels), len(test_labels), C, start
    )
