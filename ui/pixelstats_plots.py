"""Figures of the pixel-statistics page: scree/cumulative variance and the PC1-PC2 scatter."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from dsviz.studies.pixelstats import PCAResult
from ui.hover_images import HoverPanel, panel_key
from ui.presenter import presentable


def variance_figure(pca: PCAResult, share: float = 0.95, height: int = 340) -> go.Figure:
    """Scree plot (explained-variance ratio per component, log scale) and cumulative share with ``share`` marked."""
    ratio = pca.explained_variance_ratio
    k = np.arange(1, len(ratio) + 1)
    needed = pca.n_components_for(share)
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Scree plot", "Cumulative explained variance"))
    curves = (
        (np.clip(ratio, 1e-12, None), "#1f77b4", "per component", "PC%{x}: %{y:.2e}"),
        (np.cumsum(ratio), "#d62728", "cumulative", "first %{x}: %{y:.3f}"),
    )
    for col, (y, color, name, hover) in enumerate(curves, start=1):
        trace = go.Scatter(
            x=k, y=y, mode="lines", line={"color": color}, name=name, hovertemplate=f"{hover}<extra></extra>"
        )
        fig.add_trace(trace, row=1, col=col)
    fig.add_hline(y=share, line={"dash": "dot", "color": "gray"}, row=1, col=2)
    fig.add_vline(x=needed, line={"dash": "dot", "color": "gray"}, row=1, col=2)
    fig.add_annotation(
        x=needed, y=share, text=f"{needed} components reach {share:.0%}", showarrow=True, ax=60, ay=40, row=1, col=2
    )
    fig.update_yaxes(type="log", title="share of variance", exponentformat="power", row=1, col=1)
    fig.update_yaxes(range=[0, 1.02], row=1, col=2)
    fig.update_xaxes(title="component", row=1, col=1)
    fig.update_xaxes(title="number of components", row=1, col=2)
    fig.update_layout(height=height, showlegend=False, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


@presentable
def pc_scatter(
    coords: np.ndarray, labels: np.ndarray, classes: tuple[str, ...], class_coords: np.ndarray, height: int = 560
) -> tuple[go.Figure, dict[str, HoverPanel]]:
    """PC1-PC2 scatter coloured by class, class means as labels, and each point's hover panel.

    Point ``m`` of the sample has sprite index ``m``; traces are one per present class,
    then the class-mean labels.
    """
    fig, panels = go.Figure(), {}
    palette = qualitative.Plotly + qualitative.Dark24
    present = np.unique(labels)
    for curve, c in enumerate(present):
        members = np.flatnonzero(labels == c)
        color = palette[int(c) % len(palette)]
        fig.add_trace(
            go.Scatter(
                x=coords[members, 0],
                y=coords[members, 1],
                mode="markers",
                name=classes[c],
                marker={"size": 5, "color": color, "opacity": 0.7},
                hovertemplate=f"{classes[c]}<br>PC1 %{{x:.2f}}, PC2 %{{y:.2f}}<extra></extra>",
            )
        )
        for point, m in enumerate(members):
            panels[panel_key(curve, point)] = HoverPanel(
                title=f"class {classes[c]}",
                images=((int(m), -1, -1, f"sample #{m}"),),
                lines=(f"PC1 {coords[m, 0]:.2f}, PC2 {coords[m, 1]:.2f}",),
            )
    fig.add_trace(
        go.Scatter(
            x=class_coords[present, 0],
            y=class_coords[present, 1],
            mode="markers+text",
            text=[classes[c] for c in present],
            textposition="top center",
            textfont={"size": 13, "color": "black"},
            marker={"size": 12, "symbol": "x", "color": "black"},
            name="class means",
            hovertemplate="mean of %{text}<extra></extra>",
        )
    )
    fig.update_xaxes(title="PC1", zeroline=False)
    fig.update_yaxes(title="PC2", zeroline=False)
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
    )
    return fig, panels
