"""Figures and image strips for the SimEx and method-agreement pages (no Streamlit calls)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from dsviz.figures.colors import DISTANCE_COLORS, SIMILARITY_COLORS
from ui.presenter import presentable

HEATMAP_HEIGHT = 420
MAX_ANNOTATED = 49
"""Heatmaps with more cells than this show values on hover only (10 x 10 labels would overlap)."""


def heatmap(
    matrix: np.ndarray,
    rows: Sequence[str],
    cols: Sequence[str],
    *,
    title: str,
    x_title: str,
    y_title: str,
    colorscale: str | None = None,
    similarity: bool = False,
    fmt: str = ".3f",
    zmin: float | None = None,
    zmax: float | None = None,
) -> go.Figure:
    """Heatmap with row 0 at the top; a distance (``colorscale=None``) in the one convention,
    lighter = closer (:data:`dsviz.figures.colors.DISTANCE_COLORS`; a ``similarity``, larger = closer:
    :data:`dsviz.figures.colors.SIMILARITY_COLORS`), anything else in ``colorscale``.

    Up to ``MAX_ANNOTATED`` cells each show their value (and no colour bar is
    drawn, leaving the width to the cells); larger ones show a colour bar and
    the values on hover.
    """
    m = np.asarray(matrix, dtype=np.float64)
    annotate = m.size <= MAX_ANNOTATED
    text = [[("" if not (annotate and np.isfinite(v)) else format(v, fmt)) for v in row] for row in m]
    fig = go.Figure(
        go.Heatmap(
            z=m,
            x=list(cols),
            y=list(rows),
            text=text,
            texttemplate="%{text}",
            textfont={"size": 10},
            **(
                {"colorscale": colorscale}
                if colorscale is not None
                else SIMILARITY_COLORS
                if similarity
                else DISTANCE_COLORS
            ),
            zmin=zmin,
            zmax=zmax,
            showscale=not annotate,
            hovertemplate=f"{y_title}: %{{y}}<br>{x_title}: %{{x}}<br>value: %{{z:{fmt}}}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        height=HEATMAP_HEIGHT,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        xaxis={"title": x_title, "type": "category", "side": "bottom"},
        yaxis={"title": y_title, "type": "category", "autorange": "reversed"},
    )
    return fig


DELTA_AXES = {"x_title": "autoencoder trained on", "y_title": "samples of"}
"""Axes of a SimEx Δ matrix: Δ(row | A(column))."""
SAMPLE_AXES = {"x_title": "training samples of", "y_title": "held-out samples of"}
"""Axes of the sample-space baseline: mean pairwise MSE of held-out (row) and training (column) samples."""
RETRAIN_AXES = {"x_title": "LeNet-5 base (conv frozen)", "y_title": "FC retrained on"}
"""Axes of a retraining accuracy matrix (SimEx §5.1)."""


def square_heatmap(matrix: np.ndarray, names: Sequence[str], title: str, axes: Mapping[str, str], **style) -> go.Figure:
    """:func:`heatmap` of a ``names`` x ``names`` matrix with the ``axes`` titles of its kind (:data:`DELTA_AXES`,
    :data:`SAMPLE_AXES`); ``style``: :func:`heatmap`'s other options."""
    return heatmap(matrix, names, names, title=title, **axes, **style)


def retrain_heatmap(accuracy: np.ndarray, names: Sequence[str], title: str) -> go.Figure:
    """A retraining accuracy matrix (SimEx §5.1; :data:`RETRAIN_AXES`), a similarity shown to two decimals."""
    return square_heatmap(accuracy, names, title, RETRAIN_AXES, similarity=True, fmt=".2f")


@presentable
def settling_figure(curves: Mapping[str, np.ndarray]) -> go.Figure:
    """SimEx Figure 6: Spearman ρ of each epoch's Δ ordering against the final one, one line per fleet."""
    fig = go.Figure()
    for name, rho in curves.items():
        fig.add_trace(go.Scatter(x=np.arange(1, len(rho) + 1), y=rho, mode="lines+markers", name=name))
    fig.update_layout(
        height=360,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={"title": "epoch", "dtick": 1 if max((len(r) for r in curves.values()), default=0) <= 20 else 5},
        yaxis={"title": "Spearman ρ vs. final ordering", "range": [-1.05, 1.05]},
        legend={"orientation": "h", "y": -0.25},
    )
    return fig


def pair_strip(inputs: np.ndarray, recons: np.ndarray, gap: int = 8) -> np.ndarray:
    """One uint8 image: for each sample, its input and reconstruction side by side, pairs separated by ``gap`` px.

    Gaps are white (a 1 px line inside a pair), so black or grey tiles stay apart.
    """
    if inputs.shape != recons.shape or inputs.ndim != 3:
        raise ValueError(f"need two N x H x W arrays of one shape, got {inputs.shape} and {recons.shape}")
    n, h, w = inputs.shape
    out = np.full((h, n * (2 * w + 1) + (n - 1) * gap), 255, dtype=np.uint8)
    for i in range(n):
        x = i * (2 * w + 1 + gap)
        out[:, x : x + w] = inputs[i]
        out[:, x + w + 1 : x + 2 * w + 1] = recons[i]
    return out


@presentable
def settling_band_figure(
    epochs: Sequence[int],
    mean: Sequence[float | None],
    std: Sequence[float | None],
    per_seed: Sequence[Sequence[float | None]],
    *,
    reference: str,
    paper: tuple[int, float] | None = None,
) -> go.Figure:
    """SimEx Figure 6a: Spearman ρ against a baseline after each epoch, mean ± std over seeds, each seed faint.

    ``paper`` = (epoch, ρ) marks the paper's measured point of convergence.
    """
    nan = float("nan")
    m = np.array([nan if v is None else v for v in mean], dtype=float)
    s = np.array([0.0 if v is None else v for v in std], dtype=float)
    fig = go.Figure()
    for i, curve in enumerate(per_seed):
        fig.add_trace(
            go.Scatter(
                x=list(epochs),
                y=[nan if v is None else v for v in curve],
                mode="lines",
                line={"width": 1, "color": "rgba(120,120,120,0.45)"},
                name=f"seed {i}",
                showlegend=False,
            )
        )
    fig.add_trace(
        go.Scatter(
            x=list(epochs),
            y=m,
            mode="lines+markers",
            name=f"mean over {len(per_seed)} seed(s) ± std",
            error_y={"type": "data", "array": s, "visible": len(per_seed) > 1},
        )
    )
    if paper is not None:
        fig.add_trace(
            go.Scatter(
                x=[paper[0]],
                y=[paper[1]],
                mode="markers",
                marker={"symbol": "star", "size": 14},
                name=f"paper: ρ = {paper[1]} at epoch {paper[0]}",
            )
        )
    fig.update_layout(
        height=380,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={"title": "training epochs"},
        yaxis={"title": f"Spearman ρ vs. {reference} baseline", "range": [-1.05, 1.05]},
        legend={"orientation": "h", "y": -0.25},
    )
    return fig
