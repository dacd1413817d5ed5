"""Figures of the dataset-pair explorer (plotly)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative

from dsviz.studies.pairs import PairView
from ui.heatmaps import DISTANCE_COLORS
from ui.presenter import presentable

SYMBOLS = ("circle", "diamond")
MATRIX_SIZE_PX = 460
PENDING = "not computed yet"


def class_colors(k: int) -> list[str]:
    """k distinguishable colours (Plotly's D3 palette, then Alphabet for more than 10 classes)."""
    palette = qualitative.D3 if k <= 10 else qualitative.Alphabet
    return [palette[i % len(palette)] for i in range(k)]


def _cell_text(x: float) -> str:
    """Thousands without decimals (OTDD), small values to 3 significant digits (s-OTDD), round-off as 0."""
    if abs(x) < 1e-9:
        return "0"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def matrix_figure(values: np.ndarray, names: list[str], title: str, selected: tuple[int, int] | None) -> go.Figure:
    """A clickable heatmap: one square scatter marker per cell (heatmap traces send no selection events).

    Lighter = smaller value = more similar. Each marker's customdata is [row, col].
    NaN cells (not computed yet) are grey "…" squares in a second trace named ``PENDING``.
    """
    k = len(names)
    rows, cols = (a.ravel() for a in np.meshgrid(np.arange(k), np.arange(k), indexing="ij"))
    v = values[rows, cols]
    done = np.isfinite(v)
    mid = (v[done].min() + v[done].max()) / 2 if done.any() else 0.0
    plot_px = MATRIX_SIZE_PX - 150
    size = plot_px / max(k, 1) * 0.92
    fig = go.Figure(
        go.Scatter(
            x=[names[c] for c in cols[done]],
            y=[names[r] for r in rows[done]],
            mode="markers+text",
            marker=dict(
                symbol="square",
                size=size,
                color=v[done],
                **DISTANCE_COLORS,
                showscale=True,
                colorbar=dict(thickness=12, len=0.8),
                line=dict(width=0),
            ),
            text=[_cell_text(x) for x in v[done]],
            textfont=dict(color=["white" if x > mid else "black" for x in v[done]], size=12),
            customdata=np.stack([rows[done], cols[done]], 1),
            hovertemplate="%{y} → %{x}<br>%{text}<extra></extra>",
        )
    )
    if not done.all():
        fig.add_trace(
            go.Scatter(
                x=[names[c] for c in cols[~done]],
                y=[names[r] for r in rows[~done]],
                mode="markers+text",
                name=PENDING,
                marker=dict(symbol="square", size=size, color="#e6e6e6", line=dict(width=0)),
                text=["…"] * int((~done).sum()),
                textfont=dict(color="#666666", size=12),
                customdata=np.stack([rows[~done], cols[~done]], 1),
                hovertemplate="%{y} → %{x}<br>being computed<extra></extra>",
            )
        )
    if selected is not None:
        r, c = selected
        fig.add_trace(
            go.Scatter(
                x=[names[c]],
                y=[names[r]],
                mode="markers",
                hoverinfo="skip",
                marker=dict(symbol="square-open", size=plot_px / max(k, 1) * 0.98, color="#ff4b4b", line=dict(width=3)),
            )
        )
    fig.update_layout(
        title=title,
        height=MATRIX_SIZE_PX,
        width=MATRIX_SIZE_PX + 60,
        showlegend=False,
        margin=dict(l=110, r=10, t=40, b=100),
        plot_bgcolor="rgba(0,0,0,0)",
        xaxis=dict(categoryorder="array", categoryarray=names, tickangle=-35, showgrid=False),
        yaxis=dict(categoryorder="array", categoryarray=names[::-1], showgrid=False),
        clickmode="event+select",
        dragmode=False,
    )
    return fig


@presentable
def embedding_figure(view: PairView, n_lines: int) -> tuple[go.Figure, int]:
    """Joint UMAP scatter (colour = class, symbol = dataset) with the strongest coupling lines.

    Returns the figure and the index of the (initially empty) highlight trace
    that the hover component moves to the hovered point and its match.
    """
    res = view.comparison.result
    n1 = res.n_src
    xy = view.embedding
    names = (view.comparison.src.name, view.comparison.tgt.name)
    fig = go.Figure()
    k = min(n_lines, len(res.plan.plan_mass))
    if k:
        rows, cols = res.plan.plan_rows[:k], res.plan.plan_cols[:k] + n1
        seg = np.full((k * 3, 2), np.nan)
        seg[0::3], seg[1::3] = xy[rows], xy[cols]
        fig.add_trace(
            go.Scatter(
                x=seg[:, 0],
                y=seg[:, 1],
                mode="lines",
                hoverinfo="skip",
                line=dict(color="rgba(120,120,120,0.35)", width=1),
                name=f"coupling ({k} strongest)",
            )
        )
    for side, (labels, class_names, offset) in enumerate(
        [(view.comparison.src.labels, res.src_classes, 0), (view.comparison.tgt.labels, res.tgt_classes, n1)]
    ):
        codes = np.unique(labels, return_inverse=True)[1]
        colors = class_colors(len(class_names))
        for c, cname in enumerate(class_names):
            idx = np.flatnonzero(codes == c)
            fig.add_trace(
                go.Scatter(
                    x=xy[offset + idx, 0],
                    y=xy[offset + idx, 1],
                    mode="markers",
                    marker=dict(
                        symbol=SYMBOLS[side],
                        size=6 if side == 0 else 7,
                        color=colors[c],
                        opacity=0.8,
                        line=dict(width=0.5, color="white"),
                    ),
                    customdata=offset + idx,
                    name=f"{names[side]}: {cname}",
                    legendgroup=names[side],
                    legendgrouptitle_text=names[side],
                    hovertemplate=f"{names[side]}: {cname}<extra></extra>",
                )
            )
    fig.add_trace(
        go.Scatter(
            x=[],
            y=[],
            mode="lines+markers",
            hoverinfo="skip",
            showlegend=False,
            line=dict(color="#ff4b4b", width=3),
            marker=dict(size=14, color="rgba(0,0,0,0)", line=dict(color="#ff4b4b", width=3)),
        )
    )
    fig.update_layout(
        height=620,
        margin=dict(l=10, r=10, t=30, b=10),
        hovermode="closest",
        xaxis=dict(visible=False),
        yaxis=dict(visible=False, scaleanchor="x"),
        legend=dict(font=dict(size=10), itemsizing="constant", groupclick="toggleitem"),
        title=f"Joint UMAP of {names[0]} (●) and {names[1]} (◆)",
    )
    return fig, len(fig.data) - 1
