"""OTDD-vs-transferability scatter (both studies): points with error bars, fitted line, and
labels placed without overlap (:mod:`ui.label_layout`), each joined to its point by an arrow."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from ui.label_layout import Frame, padded_range, place_labels

FIT_COLOR = "rgb(90, 90, 90)"
WIDTH, HEIGHT = 780, 480
MARGIN = {"l": 70, "r": 20, "t": 30, "b": 60}
FONT_SIZE = 11


def transfer_scatter(
    x: np.ndarray,
    y: np.ndarray,
    y_err: np.ndarray,
    labels: Sequence[str],
    slope: float,
    intercept: float,
    *,
    x_title: str,
    y_title: str,
    color: str,
    selected: int | None = None,
    hover_names: Sequence[str] | None = None,
) -> go.Figure:
    """Scatter of ``y`` (± ``y_err``) against ``x`` with the least-squares line and arrow labels.

    The figure has a fixed pixel size and fixed axis ranges so the label layout,
    computed in pixels, holds in the browser (render it with ``width="content"``).
    Each marker's ``customdata`` is its index, so a click identifies it.
    """
    x, y, y_err = (np.asarray(v, dtype=float) for v in (x, y, y_err))
    frame = Frame(
        WIDTH - MARGIN["l"] - MARGIN["r"],
        HEIGHT - MARGIN["t"] - MARGIN["b"],
        padded_range(x, 0.15),
        padded_range(np.concatenate([y - y_err, y + y_err]), 0.15),
    )
    fig = go.Figure()
    if np.isfinite(slope) and np.isfinite(intercept):
        xs = np.array(frame.x_range)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=slope * xs + intercept,
                mode="lines",
                name="least-squares fit",
                line={"color": FIT_COLOR, "dash": "dash"},
                hoverinfo="skip",
            )
        )
    sizes = np.full(len(x), 11)
    if selected is not None and 0 <= selected < len(x):
        sizes[selected] = 18
    names = list(hover_names) if hover_names is not None else list(labels)
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="markers",
            name="measured",
            error_y={"type": "data", "array": y_err, "visible": True, "thickness": 1.2, "color": "rgba(0,0,0,0.35)"},
            customdata=np.arange(len(x)),
            text=names,
            marker={"size": sizes, "color": color, "line": {"color": "black", "width": 1}},
            hovertemplate="%{text}<br>OTDD %{x:.1f}<br>%{y:+.2f}<extra></extra>",
        )
    )
    lx, ly = place_labels(x, y, labels, frame, font_size=FONT_SIZE)
    for i, label in enumerate(labels):
        fig.add_annotation(
            x=x[i],
            y=y[i],
            ax=lx[i],
            ay=ly[i],
            axref="x",
            ayref="y",
            text=label,
            showarrow=True,
            arrowhead=0,
            arrowwidth=0.8,
            arrowcolor="rgba(90,90,90,0.7)",
            standoff=6,
            font={"size": FONT_SIZE},
            bgcolor="rgba(255,255,255,0.8)",
        )
    fig.update_xaxes(title=x_title, range=list(frame.x_range), autorange=False)
    fig.update_yaxes(title=y_title, range=list(frame.y_range), autorange=False, zeroline=True)
    fig.update_layout(width=WIDTH, height=HEIGHT, margin=MARGIN, showlegend=False, clickmode="event+select")
    return fig


__all__ = ["transfer_scatter"]
