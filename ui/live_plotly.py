"""A Streamlit custom component (Components v2): a plotly.js chart redrawn in place.

``st.plotly_chart`` derives its element identity from the figure, so a figure
that changes on every rerun (a slider moving the data) mounts a new chart each
time: plotly.js builds the whole SVG from scratch. This component is keyed by
name only; the browser keeps the chart and hands each new figure to
``Plotly.react``, which updates only what changed (assets/live_plotly.js).
"""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go
import streamlit as st
from plotly.utils import PlotlyJSONEncoder

from ui.static_assets import plotly_component

TEMPLATE = go.layout.Template(
    layout={
        "font": {"family": "Source Sans Pro, sans-serif", "size": 13, "color": "rgb(49, 51, 63)"},
        "paper_bgcolor": "rgba(0, 0, 0, 0)",
        "plot_bgcolor": "rgba(0, 0, 0, 0)",
        "xaxis": {"gridcolor": "rgb(230, 234, 241)", "linecolor": "rgb(230, 234, 241)", "automargin": True},
        "yaxis": {"gridcolor": "rgb(230, 234, 241)", "linecolor": "rgb(230, 234, 241)", "automargin": True},
        "hoverlabel": {"font": {"family": "Source Sans Pro, sans-serif"}},
    }
)
"""A light template close to Streamlit's chart theme, small enough to send with every figure."""
TEMPLATE_JSON = TEMPLATE.to_plotly_json()


@st.cache_resource
def _component():
    return plotly_component("live_plotly", with_css=False)


def figure_json(figure: go.Figure | dict) -> str:
    """``figure`` (a ``go.Figure`` or a plotly.js figure dict) as JSON, with :data:`TEMPLATE` as its template."""
    spec = figure.to_plotly_json() if isinstance(figure, go.Figure) else dict(figure)
    spec["layout"] = {**spec.get("layout", {}), "template": TEMPLATE_JSON}
    return json.dumps(spec, cls=PlotlyJSONEncoder, separators=(",", ":"))


def live_plotly_chart(figure: go.Figure | dict, key: str, config: dict[str, Any] | None = None) -> None:
    """Draw ``figure`` (with :data:`TEMPLATE`) in the chart named ``key``, updating it in place on reruns."""
    _component()(data={"figure": figure_json(figure), "config": config or {}}, key=key)
