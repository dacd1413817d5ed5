"""Figures of the augmentations page (no Streamlit calls; the page renders them)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from ui.presenter import presentable
from ui.transfer_plots import transfer_scatter

OTDD_COLOR = "#d62728"


def image_grid(images: np.ndarray, labels: np.ndarray, per_class: int = 2, zoom: int = 3, gap: int = 2) -> np.ndarray:
    """Tile uint8 N x H x W images into one uint8 picture: one column per class, ``per_class`` rows.

    Column ``c`` holds the first ``per_class`` images of the ``c``-th present class
    (a class with fewer images leaves blank cells). Each pixel becomes a
    ``zoom`` x ``zoom`` block so the browser does not blur the digits; cells are
    separated by ``gap`` pixels of mid-grey.
    """
    classes = np.unique(labels)
    h, w = images.shape[1:]
    cell_h, cell_w = h * zoom + gap, w * zoom + gap
    out = np.full((per_class * cell_h + gap, len(classes) * cell_w + gap), 128, dtype=np.uint8)
    for col, c in enumerate(classes):
        picked = np.flatnonzero(labels == c)[:per_class]
        for row, i in enumerate(picked):
            big = np.kron(images[i], np.ones((zoom, zoom), dtype=np.uint8))
            top, left = gap + row * cell_h, gap + col * cell_w
            out[top : top + h * zoom, left : left + w * zoom] = big
    return out


@presentable
def otdd_curve_figure(
    magnitudes: np.ndarray,
    otdd: np.ndarray,
    current_magnitude: float,
    current_otdd: float,
    x_title: str,
    height: int = 320,
    pair_label: str = "transformed MNIST, USPS",
) -> go.Figure:
    """OTDD against magnitude, the current magnitude starred; ``pair_label`` names the two datasets."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=magnitudes,
            y=otdd,
            mode="lines+markers",
            line={"color": OTDD_COLOR, "width": 2},
            name="OTDD",
            hovertemplate="magnitude %{x:g}: OTDD %{y:.1f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[current_magnitude],
            y=[current_otdd],
            mode="markers",
            name="current",
            marker={"size": 15, "color": OTDD_COLOR, "symbol": "star", "line": {"color": "black", "width": 1}},
            hovertemplate="current: OTDD %{y:.1f}<extra></extra>",
        )
    )
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title=f"OTDD ({pair_label})", rangemode="tozero")
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 20, "b": 10}, showlegend=False)
    return fig


def transfer_scatter_figure(
    otdd: np.ndarray,
    drop_mean: np.ndarray,
    drop_std: np.ndarray,
    labels: Sequence[str],
    slope: float,
    intercept: float,
    selected: int | None = None,
) -> go.Figure:
    """Mean relative drop in USPS test error (%, ± std over seeds) against OTDD, one point per
    setting, fitted line, labels that do not overlap (:func:`ui.transfer_plots.transfer_scatter`).

    Each point's ``customdata`` is its setting index, so a click identifies it.
    """
    return transfer_scatter(
        otdd,
        drop_mean,
        drop_std,
        labels,
        slope,
        intercept,
        x_title="OTDD (transformed MNIST, USPS)",
        y_title="relative drop in USPS test error (%)",
        color=OTDD_COLOR,
        selected=selected,
    )
