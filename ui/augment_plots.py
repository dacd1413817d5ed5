"""Figures of the augmentations page (no Streamlit calls; the page renders them)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from ui.presenter import presentable
from ui.transfer_plots import transfer_scatter

OTDD_COLOR = "#d62728"


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
