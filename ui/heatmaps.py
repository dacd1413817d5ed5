"""The one colour convention for distances, and the one class-by-class heatmap.

Every page draws a distance with :data:`DISTANCE_COLORS`: Viridis reversed, so a
smaller value (closer, more similar) is lighter, a larger one darker. Masses and
counts (coupling mass) use :data:`MASS_COLORS`: more mass is darker. Similarities
(accuracy after retraining, confusion) use :data:`dsviz.figures.colors.SIMILARITY_COLORS`: Viridis, so a
larger value (more similar) is lighter, as for distances.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dsviz.figures.colors import DISTANCE_COLORS, MASS_COLORS

MAX_ANNOTATED = 144
"""Heatmaps with more cells than this show values on hover only."""


def class_heatmap(
    values: np.ndarray,
    rows: Sequence[str],
    cols: Sequence[str],
    title: str,
    row_label: str,
    col_label: str,
    *,
    kind: str = "distance",
    fmt: str = ".4g",
    zmax: float | None = None,
    height: int = 420,
) -> go.Figure:
    """K1 x K2 heatmap, row classes down (row 0 at the top), column classes across, class names on both axes.

    ``kind`` is ``distance`` (:data:`DISTANCE_COLORS`) or ``mass`` (:data:`MASS_COLORS`, from 0).
    """
    if kind not in ("distance", "mass"):
        raise ValueError(f"kind must be 'distance' or 'mass', got {kind!r}")
    colors = DISTANCE_COLORS if kind == "distance" else MASS_COLORS
    m = np.asarray(values, dtype=np.float64)
    annotate = m.size <= MAX_ANNOTATED
    fig = go.Figure(
        go.Heatmap(
            z=m,
            x=list(cols),
            y=list(rows),
            **colors,
            zmin=0 if kind == "mass" else None,
            zmax=zmax,
            texttemplate=f"%{{z:{fmt}}}" if annotate else None,
            textfont={"size": 9},
            colorbar={"thickness": 12},
            hovertemplate=f"{row_label} %{{y}} → {col_label} %{{x}}: %{{z:{fmt}}}<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": title, "font": {"size": 14}},
        height=height,
        margin=dict(l=60, r=10, t=40, b=50),
        xaxis=dict(title=col_label, type="category", side="bottom"),
        yaxis=dict(title=row_label, type="category", autorange="reversed"),
    )
    return fig


def label_distance_heatmap(
    label_distances: np.ndarray, rows: Sequence[str], cols: Sequence[str], row_label: str, col_label: str
) -> go.Figure:
    """OTDD's W₂² between every pair of classes, as whole numbers: the values run in the hundreds to thousands,
    and one decimal ("998.6") crowded a 10 x 10 heatmap's cells."""
    return class_heatmap(
        label_distances, rows, cols, "Label-to-label distance W₂²(P_y, P_y′)", row_label, col_label, fmt=".0f"
    )


def class_coupling_heatmap(
    class_coupling: np.ndarray, rows: Sequence[str], cols: Sequence[str], row_label: str, col_label: str
) -> go.Figure:
    """The coupling's mass moved between every pair of classes, in % of all mass with one decimal: raw masses
    (0.0006861, 4.5e-17) printed at four significant digits overlapped their neighbours."""
    return class_heatmap(
        100 * np.asarray(class_coupling, dtype=np.float64),
        rows,
        cols,
        "Class-level coupling mass (% of all mass)",
        row_label,
        col_label,
        kind="mass",
        fmt=".1f",
    )
