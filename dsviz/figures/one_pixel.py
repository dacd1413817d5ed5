"""Payload of the one-pixel heatmaps with their hover panel (component ``one_pixel``, ``js/one_pixel.js``).

Every number is precomputed by :func:`dsviz.studies.onepixel.one_pixel_dataset` (the page's and the CLI's
cached fits) and sent as is: per dataset the held-out and in-sample accuracy, the chosen pixel, the threshold
and the sign of the slope of every class pair, and the class means as one PNG sprite sheet. The browser draws
one lower-triangular heatmap per dataset and, on hover, the pair's two class means with the pixel boxed and the
pair's rule and accuracies; nothing is fitted in the browser.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from dsviz.data.thumbnails import sprite_sheet
from dsviz.figures.colors import SIMILARITY_COLORS, explicit
from dsviz.studies.onepixel import OnePixelResult

CHANCE = 0.5


def held_out_name(res: OnePixelResult) -> str:
    """What ``val_accuracy`` measures: test-split accuracy (published protocol) or validation accuracy (heldout)."""
    return "test accuracy" if res.feature == "l2" else "validation accuracy"


def _matrix(values: np.ndarray) -> list:
    """K x K floats as nested lists, non-finite entries as ``None`` (JSON ``null``)."""
    return [[float(v) if np.isfinite(v) else None for v in row] for row in np.asarray(values, dtype=float)]


def _gray(image: np.ndarray) -> np.ndarray:
    """Gray levels 0..255 (float, NaN allowed) to uint8."""
    return np.rint(np.nan_to_num(image)).clip(0, 255).astype(np.uint8)


def dataset_entry(title: str, res: OnePixelResult, split_used: str = "") -> dict:
    """One dataset's heatmap and hover data; entry ``[i][j]`` as in :class:`OnePixelResult` (symmetric except
    ``weight``)."""
    sheet = sprite_sheet(_gray(res.class_means))
    return {
        "title": title,
        "classes": list(res.classes),
        "feature": res.feature,
        "held_out_name": held_out_name(res),
        "val_accuracy": _matrix(res.val_accuracy),
        "train_accuracy": _matrix(res.train_accuracy),
        "threshold": _matrix(res.threshold),
        "weight": _matrix(res.weight),
        "pixel": np.asarray(res.pixel, dtype=int).tolist(),
        "means": {"url": sheet.data_url(), "cols": sheet.cols, "tile": sheet.tile, "count": sheet.count},
        "n_fit": int(res.n_fit),
        "n_val": int(res.n_val),
        "split_used": split_used,
    }


def one_pixel_payload(
    results: Mapping[str, OnePixelResult],
    *,
    split_used: Mapping[str, str] | None = None,
    initial: tuple[int, int, int] | None = None,
) -> dict:
    """The component's data for ``results`` (dataset title -> result), drawn side by side in this order.

    ``initial`` is the cell ``(dataset index, row, column)`` whose panel shows before any hover (row > column:
    the lower triangle); by default the first dataset's worst pair.
    """
    if not results:
        raise ValueError("the one-pixel figure needs at least one dataset")
    entries = [dataset_entry(title, res, (split_used or {}).get(title, "")) for title, res in results.items()]
    if initial is None:
        first = next(iter(results.values()))
        acc = np.where(np.tril(np.ones_like(first.val_accuracy, dtype=bool), -1), first.val_accuracy, np.nan)
        if np.isfinite(acc).any():
            row, col = np.unravel_index(np.nanargmin(acc), acc.shape)
            initial = (0, int(row), int(col))
    return {
        "datasets": entries,
        "chance": CHANCE,
        "colors": explicit(SIMILARITY_COLORS),
        "initial": None if initial is None else [int(v) for v in initial],
    }
