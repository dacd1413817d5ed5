"""Plotly figure builders for the pages (no Streamlit calls; pages render them; presenter mode enlarges markers)."""

from __future__ import annotations

import numpy as np

from ui.presenter import presentable

CLASS_COLORS = ("#1f77b4", "#2ca02c")
"""Marker colour of class 0 (blue) and class 1 (green)."""
DATASET_SYMBOLS = {"A": "circle", "B": "diamond"}
COUPLING_COLOR = "rgb(90, 90, 90)"
MAX_LINE_OPACITY = 0.6
CLOUD_DECIMALS = 3
"""Decimals kept in the clouds chart's coordinates: 0.001 plane units, well under a pixel at 520 px
for a view about 10 units across; the figure sent to the browser shrinks by about half."""


def coupling_segments(
    x_src: np.ndarray,
    x_tgt: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    mass: np.ndarray,
    n_bins: int = 4,
    decimals: int | None = None,
) -> list[tuple[float, list, list]]:
    """Group coupling entries into opacity bins of line segments.

    Entry ``(rows[k], cols[k])`` with mass ``m_k`` becomes the segment from
    ``x_src[rows[k]]`` to ``x_tgt[cols[k]]``. With ``r_k = m_k / max_j m_j`` the
    entry goes to bin ``b = ceil(r_k * n_bins) - 1`` (so ``r = 1`` lands in the top
    bin), drawn with opacity ``MAX_LINE_OPACITY * (b + 1) / n_bins``. One Plotly
    trace per bin with ``None`` between segments keeps the figure at ``n_bins``
    traces however many entries there are. ``decimals`` rounds the coordinates (none: as given).

    Returns:
        ``[(opacity, xs, ys), ...]`` for the non-empty bins, faintest first.
    """
    mass = np.asarray(mass, dtype=np.float64)
    if mass.size == 0 or mass.max() <= 0:
        return []
    bins = np.clip(np.ceil(mass / mass.max() * n_bins).astype(int) - 1, 0, n_bins - 1)
    start = np.asarray(x_src)[np.asarray(rows)]
    end = np.asarray(x_tgt)[np.asarray(cols)]
    if decimals is not None:
        start, end = np.round(start, decimals), np.round(end, decimals)
    segments = []
    for b in range(n_bins):
        picked = bins == b
        if not picked.any():
            continue
        xs = np.full((picked.sum(), 3), None, dtype=object)
        ys = np.full((picked.sum(), 3), None, dtype=object)
        xs[:, 0], xs[:, 1] = start[picked, 0], end[picked, 0]
        ys[:, 0], ys[:, 1] = start[picked, 1], end[picked, 1]
        segments.append((MAX_LINE_OPACITY * (b + 1) / n_bins, xs.ravel().tolist(), ys.ravel().tolist()))
    return segments


def _view_range(clouds: list[np.ndarray], margin: float = 0.05) -> tuple[list[float], list[float]]:
    """Axis ranges holding every cloud under any rotation about its centroid.

    A cloud rotated about its centroid ``c`` stays inside the disc of radius
    ``r = max_i ||x_i - c||``, so the ranges do not jump while a rotation slider moves.
    """
    lows, highs = [], []
    for cloud in clouds:
        centre = cloud.mean(axis=0)
        radius = np.linalg.norm(cloud - centre, axis=1).max()
        lows.append(centre - radius)
        highs.append(centre + radius)
    low, high = np.min(lows, axis=0), np.max(highs, axis=0)
    pad = margin * (high - low).max()
    return [float(low[0] - pad), float(high[0] + pad)], [float(low[1] - pad), float(high[1] + pad)]


@presentable
def clouds_figure(
    x_a: np.ndarray,
    y_a: np.ndarray,
    x_b: np.ndarray,
    y_b: np.ndarray,
    plan_rows: np.ndarray,
    plan_cols: np.ndarray,
    plan_mass: np.ndarray,
    height: int = 520,
) -> dict:
    """Two labeled 2-D point clouds and the coupling between them, as a plotly.js figure dict.

    Points are coloured by label (``CLASS_COLORS``) with one marker symbol per
    dataset; the coupling entries (A row index, B column index, mass) are grey
    segments whose opacity follows the transported mass (:func:`coupling_segments`).
    Coordinates are rounded to ``CLOUD_DECIMALS``. A plain dict (valid input to
    ``go.Figure``) rather than a ``go.Figure``: building and validating the graph
    objects took longer than the rest of a slider move's rerun.
    """
    data: list[dict] = []
    segments = coupling_segments(x_a, x_b, plan_rows, plan_cols, plan_mass, decimals=CLOUD_DECIMALS)
    for k, (opacity, xs, ys) in enumerate(segments):
        data.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "mode": "lines",
                "line": {"color": COUPLING_COLOR, "width": 1},
                "opacity": opacity,
                "hoverinfo": "skip",
                "name": "coupling",
                "legendgroup": "coupling",
                "showlegend": k == 0,
            }
        )
    for name, points, labels in (("A", x_a, y_a), ("B", x_b, y_b)):
        for label, color in enumerate(CLASS_COLORS):
            picked = np.asarray(labels) == label
            data.append(
                {
                    "type": "scatter",
                    "x": np.round(points[picked, 0], CLOUD_DECIMALS).tolist(),
                    "y": np.round(points[picked, 1], CLOUD_DECIMALS).tolist(),
                    "mode": "markers",
                    "marker": {
                        "color": color,
                        "symbol": DATASET_SYMBOLS[name],
                        "size": 7,
                        "line": {"color": "white", "width": 0.5},
                    },
                    "name": f"{name} · class {label}",
                    "hovertemplate": f"{name}, class {label}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
                }
            )
    x_range, y_range = _view_range([np.asarray(x_a), np.asarray(x_b)])
    layout = {
        "xaxis": {"range": x_range, "zeroline": False},
        "yaxis": {"range": y_range, "zeroline": False, "scaleanchor": "x", "scaleratio": 1},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0.0},
        "uirevision": "clouds",
    }
    return {"data": data, "layout": layout}


@presentable
def shuffle_curve_figure(
    fractions: np.ndarray,
    ot: np.ndarray,
    otdd: np.ndarray,
    current_fraction: float,
    current_ot: float,
    current_otdd: float,
    height: int = 340,
) -> dict:
    """OT and OTDD against a label-shuffle fraction, with the current setting marked (plotly.js figure dict).

    The y axis starts at 0 so the relative growth of each curve reads off directly.
    """
    data: list[dict] = []
    curves = (("OT", ot, current_ot, "rgb(120, 120, 120)", "dash"), ("OTDD", otdd, current_otdd, "#d62728", "solid"))
    for name, values, current, color, dash in curves:
        data.append(
            {
                "type": "scatter",
                "x": np.asarray(fractions, dtype=float).tolist(),
                "y": np.asarray(values, dtype=float).tolist(),
                "mode": "lines+markers",
                "line": {"color": color, "dash": dash, "width": 2},
                "marker": {"size": 6},
                "name": name,
                "hovertemplate": f"{name} = %{{y:.3f}} at shuffle %{{x:.2f}}<extra></extra>",
            }
        )
        data.append(
            {
                "type": "scatter",
                "x": [float(current_fraction)],
                "y": [float(current)],
                "mode": "markers",
                "marker": {"size": 14, "color": color, "symbol": "star", "line": {"color": "black", "width": 1}},
                "name": f"{name} now",
                "showlegend": False,
                "hovertemplate": f"current {name} = %{{y:.3f}}<extra></extra>",
            }
        )
    top = float(max(np.max(otdd), np.max(ot), current_otdd, current_ot))
    layout = {
        "xaxis": {"title": {"text": "fraction of dataset B's labels shuffled"}, "range": [-0.03, 1.03]},
        "yaxis": {"title": {"text": "distance (squared units)"}, "range": [0.0, 1.1 * top]},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0.0},
    }
    return {"data": data, "layout": layout}
