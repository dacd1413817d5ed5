"""Figures of the dataset-pair explorer (plotly)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ui.heatmaps import DISTANCE_COLORS

MATRIX_SIZE_PX = 460
PENDING = "not computed yet"


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
