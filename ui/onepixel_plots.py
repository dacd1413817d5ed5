"""Figures of the one-pixel page drawn by plotly in Python: mean-difference grids (the accuracy heatmaps and
their hover panel are the client-side component ``one_pixel``, :mod:`dsviz.figures.one_pixel`)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dsviz.studies.onepixel import OnePixelResult


def mosaic(tiles: np.ndarray, gap: int = 2) -> np.ndarray:
    """R x C x H x W tiles into one (R H + (R-1) gap) x (C W + (C-1) gap) array, NaN in the gaps."""
    rows, cols, h, w = tiles.shape
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), np.nan)
    for r in range(rows):
        for c in range(cols):
            out[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = tiles[r, c]
    return out


def mosaic_figure(
    tiles: np.ndarray,
    row_labels: list[str],
    col_labels: list[str],
    *,
    colorscale: str,
    zmin: float,
    zmax: float,
    zmid: float | None = None,
    colorbar_title: str = "",
    height: int = 560,
    gap: int = 2,
) -> go.Figure:
    """R x C grid of small images as one heatmap (image rows top-down), labelled by row and column."""
    rows, cols, h, w = tiles.shape
    z = mosaic(tiles, gap)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            colorscale=colorscale,
            zmin=zmin,
            zmax=zmax,
            zmid=zmid,
            colorbar={"title": {"text": colorbar_title}, "len": 0.9},
            hovertemplate="%{z:.3f}<extra></extra>",
            hoverongaps=False,
        )
    )
    x_ticks = [c * (w + gap) + w / 2 for c in range(cols)]
    y_ticks = [r * (h + gap) + h / 2 for r in range(rows)]
    plain = {"showgrid": False, "zeroline": False}
    fig.update_xaxes(tickvals=x_ticks, ticktext=col_labels, side="top", tickangle=-45, **plain)
    fig.update_yaxes(
        tickvals=y_ticks, ticktext=row_labels, autorange="reversed", scaleanchor="x", scaleratio=1, **plain
    )
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10}, plot_bgcolor="rgba(0,0,0,0)")
    return fig


def mean_difference_figure(res: OnePixelResult, height: int = 560) -> go.Figure:
    """Small multiples of mean(row class) - mean(column class) on the [0, 1] scale (diverging), present classes."""
    present = [c for c in range(len(res.classes)) if np.isfinite(res.class_means[c]).all()]
    means = res.class_means[present] / 255.0
    tiles = means[:, None] - means[None, :]
    tiles[np.arange(len(present)), np.arange(len(present))] = np.nan
    limit = float(np.nanmax(np.abs(tiles))) if np.isfinite(tiles).any() else 1.0
    names = [res.classes[c] for c in present]
    return mosaic_figure(
        tiles,
        names,
        names,
        colorscale="RdBu_r",
        zmin=-limit,
        zmax=limit,
        zmid=0.0,
        colorbar_title="row − col",
        height=height,
    )
