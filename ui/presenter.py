"""Presenter mode (sidebar switch, kept in the URL as ``?presenter=true``): for a projector.

Larger text everywhere (Streamlit sizes its elements in rem, so the root font size
scales them), larger chart text and marker outlines, and no explanatory captions:
applied by CSS from ``app.py`` on every page, so pages need no change. Point markers
are drawn ``MARKER_SCALE`` times larger by the plot builders marked :func:`presentable`
(in the figure itself, so a saved PNG/SVG has them too). Builders whose marker size is
a layout quantity (matrix cells, the label-placed transfer scatter) are left alone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import numpy as np
import plotly.graph_objects as go
import streamlit as st

MARKER_SCALE = 1.6
PLOTLY_DEFAULT_MARKER_SIZE = 6.0  # plotly.js draws a marker with no size at 6 px

P = ParamSpec("P")
R = TypeVar("R")

PRESENTER_CSS = """
<style>
html { font-size: 20px; }
[data-testid="stCaptionContainer"] { display: none; }
.js-plotly-plot .main-svg text { font-size: 17px !important; }
/* heatmap cell values stay at the figure's size: at 17 px they overlap their neighbours in a 10 x 10 grid */
.js-plotly-plot .main-svg .heatmaplayer text { font-size: 12px !important; }
.js-plotly-plot .scatterlayer .point { stroke-width: 2px !important; }
</style>
"""


def presenter_switch() -> bool:
    """Draw the sidebar switch; when on, apply the presenter styles. Returns whether it is on."""
    on = st.sidebar.toggle(
        "Presenter mode",
        key="presenter",
        bind="query-params",
        help="Larger text and charts, no explanatory captions: for a projector.",
    )
    if on:
        st.html(PRESENTER_CSS)
    return bool(on)


def presenting() -> bool:
    """Whether presenter mode is on in this session (False outside a session)."""
    try:
        return bool(st.session_state.get("presenter", False))
    except Exception:  # noqa: BLE001 - no session (bare mode): not presenting
        return False


def enlarge_markers(fig: go.Figure | dict, factor: float = MARKER_SCALE) -> go.Figure | dict:
    """``fig`` (a ``go.Figure`` or a plotly.js figure dict) with every trace's markers ``factor`` times
    larger (in place).

    A size array is scaled element-wise; a trace with no size gets ``factor`` x plotly's default.
    Traces without markers (lines, heatmaps, bars) are unchanged.
    """
    traces = fig.data if isinstance(fig, go.Figure) else fig.get("data", [])
    for trace in traces:
        plain = isinstance(trace, dict)
        if "markers" not in ((trace.get("mode") if plain else getattr(trace, "mode", None)) or ""):
            continue
        marker = trace.setdefault("marker", {}) if plain else trace.marker
        size = marker.get("size") if plain else marker.size
        if size is None:
            size = PLOTLY_DEFAULT_MARKER_SIZE * factor
        elif np.ndim(size):
            size = (
                (np.asarray(size, dtype=float) * factor).tolist() if plain else np.asarray(size, dtype=float) * factor
            )
        else:
            size = float(size) * factor
        if plain:
            marker["size"] = size
        else:
            marker.size = size
    return fig


def presentable(builder: Callable[P, R]) -> Callable[P, R]:
    """Mark a plot builder (returning a figure, or a tuple starting with one) whose markers grow in presenter mode."""

    @functools.wraps(builder)
    def build(*args: P.args, **kwargs: P.kwargs) -> R:
        result = builder(*args, **kwargs)
        if presenting():
            enlarge_markers(result[0] if isinstance(result, tuple) else result)
        return result

    return build
