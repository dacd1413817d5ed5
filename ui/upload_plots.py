"""Figures of the compare-your-dataset page: the per-class sample grid and the reference ranking."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dsviz.studies.closest import Ranking


def class_grid(images: np.ndarray, labels: np.ndarray, n_classes: int, per_class: int = 10, gap: int = 2) -> np.ndarray:
    """uint8 mosaic: one row per class with its first ``per_class`` images, separated by gray gaps."""
    tile = images.shape[1] + gap
    grid = np.full((n_classes * tile + gap, per_class * tile + gap), 64, np.uint8)
    for c in range(n_classes):
        for j, i in enumerate(np.flatnonzero(labels == c)[:per_class]):
            grid[gap + c * tile : (c + 1) * tile, gap + j * tile : (j + 1) * tile] = images[i]
    return grid


def ranking_figure(ranking: Ranking) -> go.Figure:
    """Horizontal bars of OTDD to each reference, closest on top."""
    rows = ranking.rows
    fig = go.Figure(
        go.Bar(
            x=[r.otdd for r in rows],
            y=[r.name for r in rows],
            orientation="h",
            marker_color=["#ff4b4b" if i == 0 else "#8aa0b8" for i in range(len(rows))],
            text=[f"{r.otdd:,.0f}" for r in rows],
            textposition="auto",
            hovertemplate="%{y}: OTDD %{x:,.1f}<extra></extra>",
        )
    )
    fig.update_layout(
        height=80 + 45 * len(rows),
        margin={"l": 10, "r": 10, "t": 30, "b": 30},
        title="OTDD from your dataset (smaller = closer)",
        xaxis_title="OTDD",
        yaxis={"autorange": "reversed", "type": "category"},
    )
    return fig
