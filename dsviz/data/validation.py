"""Input checks shared by every engine and the Python API, modelled on scikit-learn's ``check_array``.

Each check takes what a caller passed (numpy array, torch tensor, list), returns it as a numpy array
and raises ``ValueError`` with one sentence that names the argument, says what was expected and what
came instead. scikit-learn's own ``check_array`` is not used: it rejects 3-D image stacks, and its
messages name neither the argument nor the engine's vocabulary (samples x features, labels).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np


def as_numpy(x: Any) -> np.ndarray:
    """``x`` as a numpy array; a torch tensor is detached and copied to the host first."""
    if hasattr(x, "detach") and hasattr(x, "cpu"):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def check_array(
    x: Any,
    name: str,
    *,
    ndim: Collection[int] = (2,),
    expected: str = "a 2-D array (n samples x d features)",
    dtype: type | None = np.float64,
) -> np.ndarray:
    """``x`` as a non-empty, finite, numeric array of ``ndim`` dimensions, converted to ``dtype``
    (None keeps its dtype).

    Raises
    ------
    ValueError
        When ``x`` has another number of dimensions or no samples or an empty axis (the message says
        ``expected``), is not numeric, or holds NaN or infinite values.
    """
    arr = as_numpy(x)
    if arr.ndim not in ndim or 0 in arr.shape:
        raise ValueError(f"{name} must be {expected}, non-empty; got shape {arr.shape}")
    if arr.dtype.kind not in "uif":
        raise ValueError(f"{name} must be numeric, got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite numbers: it contains NaN or infinite values")
    return arr.astype(dtype, copy=False) if dtype is not None else arr


def check_labels(y: Any, n: int, name: str, rows: str) -> np.ndarray:
    """``y`` as a vector of ``n`` labels, one per row of the array named ``rows``.

    Raises
    ------
    ValueError
        When ``y`` is not a vector of length ``n`` or holds NaN or infinite values.
    """
    arr = as_numpy(y)
    if arr.ndim != 1 or len(arr) != n:
        raise ValueError(f"{name} must hold one label per row of {rows}: a vector of length {n}, got shape {arr.shape}")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite labels")
    return arr


def check_same_width(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise ``ValueError`` unless rows of ``a`` and ``b`` have the same shape (features, or image size)."""
    if a.shape[1:] != b.shape[1:]:
        raise ValueError(
            f"feature dimensions differ: {name_a} rows are {a.shape[1:]} but {name_b} rows are {b.shape[1:]}; "
            "they must match"
        )


def check_shapes(owner: str, **arrays: tuple[Any, tuple[int, ...]]) -> None:
    """Raise ``ValueError`` naming the first of ``arrays`` (``name=(array, expected shape)``) whose shape differs:
    the invariant a result dataclass checks in ``__post_init__``, on computing and on reading the cache."""
    for name, (arr, shape) in arrays.items():
        if np.shape(arr) != tuple(shape):
            raise ValueError(f"{owner}: {name} has shape {np.shape(arr)}, expected {tuple(shape)}")


def check_choice(value: str, choices: Collection[str], what: str) -> str:
    """``value`` if it is one of ``choices``; else ``ValueError`` listing them."""
    if value not in choices:
        raise ValueError(f"unknown {what} {value!r}; choose one of {', '.join(choices)}")
    return value


__all__ = ["as_numpy", "check_array", "check_choice", "check_labels", "check_same_width", "check_shapes"]
