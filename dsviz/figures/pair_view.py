"""Payload of the dataset-pairs pair view (component ``pair_view``, ``js/pair_view.js``).

The browser receives everything a hover, a pin, the coupling-lines slider or a
matrix click can reach, precomputed: the joint UMAP embedding, each point's best
partners under the OTDD coupling (with their masses), the strongest coupling
entries, and every image as one PNG sprite sheet per dataset sample. Nothing is
solved in the browser (the coupling of 2 x 2000 points is an exact OT problem that
the page computes once and caches), so every number shown equals the app's and
the CLI's.

The distance matrix comes along when given; its cells are clickable (they switch
the pair view) for the pairs whose views are in the payload. :func:`export_pairs_payload`
adds every pair's view when the whole file stays within :data:`BUDGET_BYTES`,
else only the requested pair (the matrix then shows its values, not clickable).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import plotly
from plotly.colors import qualitative

from dsviz.data.thumbnails import sprite_sheet
from dsviz.figures.colors import DISTANCE_COLORS, explicit
from dsviz.runtime.cache import Cache
from dsviz.runtime.progress import Progress
from dsviz.studies.pairs import PairMatrix, PairSettings, PairView, pair_matrix, pair_view, within

BUDGET_BYTES = 10_000_000
"""Largest exported pair-view file (plotly.js, data and images inlined) that includes every pair's view."""
TOP_PARTNERS = 3
"""Partners per point shown when a point is pinned (the result keeps more; three keep the file small)."""
DEFAULT_LINES = 400
MASS_DIGITS = 7
"""Significant digits of masses and distances in the payload: 1e-6 relative, the figure contract's tolerance."""


def class_colors(k: int) -> list[str]:
    """``k`` distinguishable colours (Plotly's D3 palette, then Alphabet for more than 10 classes)."""
    palette = qualitative.D3 if k <= 10 else qualitative.Alphabet
    return [palette[i % len(palette)] for i in range(k)]


def _sig(values: np.ndarray, digits: int = MASS_DIGITS) -> list[float]:
    """Floats rounded to ``digits`` significant digits (short JSON, ``digits - 1`` decimals of relative precision)."""
    return [float(f"{v:.{digits}g}") for v in np.asarray(values, dtype=float).ravel()]


def _finite_or_none(values: np.ndarray) -> list:
    """A matrix as nested lists, NaN (not computed) as ``None`` (JSON ``null``)."""
    return [[float(v) if np.isfinite(v) else None for v in row] for row in np.asarray(values, dtype=float)]


@dataclass
class _Sprites:
    """Sprite sheets by content: a dataset sample shared by several pairs is sent once."""

    sheets: dict[str, dict]

    def add(self, images: np.ndarray) -> str:
        key = hashlib.sha256(np.ascontiguousarray(images).tobytes()).hexdigest()[:12]
        if key not in self.sheets:
            sheet = sprite_sheet(images)
            self.sheets[key] = {"url": sheet.data_url(), "cols": sheet.cols, "tile": sheet.tile, "count": sheet.count}
        return key


def _view_entry(view: PairView, sprites: _Sprites) -> dict:
    """One pair's data: points in global order (source, then target), as :meth:`PairView.global_matches`."""
    cmp, res = view.comparison, view.comparison.result
    plan = res.plan
    codes, best, mass = view.global_matches()
    top_index = np.concatenate(
        [
            np.where(plan.src_top_index >= 0, plan.src_top_index + res.n_src, -1)[:, :TOP_PARTNERS],
            plan.tgt_top_index[:, :TOP_PARTNERS],
        ]
    )
    top_mass = np.concatenate([plan.src_top_mass[:, :TOP_PARTNERS], plan.tgt_top_mass[:, :TOP_PARTNERS]])
    return {
        "src": cmp.src.name,
        "tgt": cmp.tgt.name,
        "n_src": int(res.n_src),
        "n_tgt": int(res.n_tgt),
        "images": [sprites.add(cmp.src.images), sprites.add(cmp.tgt.images)],
        "classes": [list(res.src_classes), list(res.tgt_classes)],
        "colors": [class_colors(len(res.src_classes)), class_colors(len(res.tgt_classes))],
        "cls": codes.astype(int).tolist(),
        "x": np.round(view.embedding[:, 0].astype(float), 3).tolist(),
        "y": np.round(view.embedding[:, 1].astype(float), 3).tolist(),
        "best": best.astype(int).tolist(),
        "mass": _sig(mass),
        "top_k": int(top_index.shape[1]),
        "top_index": top_index.astype(int).ravel().tolist(),
        "top_mass": _sig(top_mass),
        "line_src": plan.plan_rows.astype(int).tolist(),
        "line_tgt": (plan.plan_cols + res.n_src).astype(int).tolist(),
        "metrics": {
            "otdd": float(res.otdd),
            "feature_component": float(res.feature_component),
            "label_component": float(res.label_component),
            "ot": float(res.ot),
        },
        "split_used": cmp.split_used,
    }


def matrix_entry(matrix: PairMatrix, cells: dict[str, int] | None = None) -> dict:
    """The distance matrix; ``cells`` maps ``"i,j"`` (``i < j``, matrix order) to the index of that pair's view."""
    return {
        "names": list(matrix.datasets),
        "values": _finite_or_none(matrix.distance),
        "method": matrix.settings.method,
        "cells": dict(cells or {}),
        "colors": explicit(DISTANCE_COLORS),
    }


def pair_view_payload(
    views: Sequence[PairView],
    *,
    matrix: PairMatrix | None = None,
    lines: int = DEFAULT_LINES,
) -> dict:
    """The component's data: ``views[0]`` is shown first; a matrix cell whose pair is among ``views`` is clickable.

    Parameters
    ----------
    views : sequence of PairView
        Pair views (:func:`dsviz.studies.pairs.pair_view`), at least one.
    matrix : PairMatrix, optional
        The distance matrix drawn above the pair view.
    lines : int
        Coupling lines shown at first (the strongest entries of the coupling; ``initial["lines"]``, the URL
        parameter ``lines`` of the page); the slider goes up to all of them.
    """
    if not views:
        raise ValueError("a pair view payload needs at least one view")
    sprites = _Sprites({})
    entries = [_view_entry(v, sprites) for v in views]
    payload: dict = {
        "views": entries,
        "images": sprites.sheets,
        "initial": {"lines": int(max(0, lines))},
        "lines_max": max(len(e["line_src"]) for e in entries),
        "matrix": None,
    }
    return payload if matrix is None else with_matrix(payload, matrix)


def with_matrix(payload: dict, matrix: PairMatrix) -> dict:
    """A shallow copy of ``payload`` with ``matrix`` drawn above the pair view; the cells of the pairs whose views
    the payload holds are clickable (the first view of a pair wins)."""
    names = list(matrix.datasets)
    cells: dict[str, int] = {}
    for k, e in enumerate(payload["views"]):
        if e["src"] in names and e["tgt"] in names:
            i, j = sorted((names.index(e["src"]), names.index(e["tgt"])))
            cells.setdefault(f"{i},{j}", k)
    return {**payload, "matrix": matrix_entry(matrix, cells)}


def payload_bytes(payload: dict) -> int:
    """Size of ``payload`` as inlined JSON (UTF-8 bytes)."""
    return len(json.dumps(payload, separators=(",", ":")).encode())


def plotly_js_bytes() -> int:
    """Size of the plotly.js bundle that every exported file inlines."""
    return (Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js").stat().st_size


def export_pairs_payload(
    src: str,
    tgt: str,
    settings: PairSettings = PairSettings(),
    *,
    names: Sequence[str] | None = None,
    budget: int = BUDGET_BYTES,
    data_dir: str | os.PathLike[str] | None = None,
    cache: Cache | None = None,
    progress: Progress | None = None,
) -> dict:
    """The exported pair view of ``(src, tgt)`` with the matrix over ``names`` (the available pair datasets).

    Every other pair's view joins (so every matrix cell is clickable) when the estimate, from the first view's size
    and one sprite per dataset, keeps the file (plotly.js included) within ``budget`` bytes; the finished payload is
    measured again and falls back to the one pair if the estimate was short. ``progress(done, total, label)``
    follows matrix, views.
    """
    store = cache if cache is not None else Cache()
    kwargs = {"data_dir": data_dir, "cache": store}
    if names is None:
        matrix = pair_matrix(settings=settings, progress=within(progress, 0, 3, "matrix"), first=(src, tgt), **kwargs)
    else:
        matrix = pair_matrix(names, settings, progress=within(progress, 0, 3, "matrix"), first=(src, tgt), **kwargs)
    if src not in matrix.datasets or tgt not in matrix.datasets:
        raise ValueError(f"{src!r} and {tgt!r} must both be available; available: {', '.join(matrix.datasets)}")
    if src == tgt:
        raise ValueError("the pair view needs two different datasets")
    first = pair_view(src, tgt, settings, progress=within(progress, 1, 3, f"{src} vs {tgt}"), **kwargs)
    single = pair_view_payload([first], matrix=matrix)
    k = len(matrix.datasets)
    per_view = payload_bytes(single["views"][0]) + 2  # the view and its separator
    per_sprite = sum(len(s["url"]) for s in single["images"].values()) / max(len(single["images"]), 1)
    estimate = plotly_js_bytes() + payload_bytes(single) + per_view * (k * (k - 1) // 2 - 1) + per_sprite * (k - 2)
    if estimate > budget:
        return single
    others = [
        (matrix.datasets[i], matrix.datasets[j])
        for i in range(k)
        for j in range(i + 1, k)
        if {matrix.datasets[i], matrix.datasets[j]} != {src, tgt}
    ]
    views = [first]
    for done, (a, b) in enumerate(others):
        views.append(
            pair_view(
                a,
                b,
                settings,
                progress=within(within(progress, 2, 3, "views"), done, len(others), f"{a} vs {b}"),
                **kwargs,
            )
        )
    full = pair_view_payload(views, matrix=matrix)
    return full if plotly_js_bytes() + payload_bytes(full) <= budget else single
