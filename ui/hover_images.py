"""A Streamlit custom component (Components v2): plotly.js chart + client-side hover images.

Hovering a point (or heatmap cell) shows a panel of small images, optionally with
one pixel marked, and a few lines of text, all sent once with the view and drawn
in the browser from one PNG sprite sheet: no server round trip.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dsviz.data.thumbnails import sprite_sheet
from ui.export import chart_config
from ui.static_assets import plotly_component


@st.cache_resource
def _component():
    return plotly_component("hover_images")


@dataclass(frozen=True)
class HoverPanel:
    """What hovering one point shows.

    ``images`` holds ``(sprite index, marked row, marked col, caption)``; row/col -1: no mark.
    """

    title: str
    images: tuple[tuple[int, int, int, str], ...]
    lines: tuple[str, ...] = ()


def panel_key(curve: int, point: int | tuple[int, int]) -> str:
    """The browser's key of a point: ``"curve:index"``, or ``"curve:row,col"`` for heatmap cells."""
    index = ",".join(str(int(i)) for i in point) if isinstance(point, tuple) else str(int(point))
    return f"{curve}:{index}"


def hover_payload(
    figure: go.Figure, images: np.ndarray, panels: dict[str, HoverPanel], initial: str | None, hint: str, height: int
) -> dict:
    """The JSON the component receives; ``images`` are uint8 M x H x H (packed into one PNG)."""
    sheet = sprite_sheet(images)
    fig_json = figure.to_json()
    encoded = {
        key: {"title": p.title, "images": [list(i) for i in p.images], "lines": list(p.lines)}
        for key, p in panels.items()
    }
    view_id = hashlib.sha256((fig_json + repr(sorted(encoded.items()))).encode() + sheet.png).hexdigest()[:16]
    return {
        "view_id": view_id,
        "figure": fig_json,
        "sprite": sheet.data_url(),
        "sprite_cols": sheet.cols,
        "sprite_tile": sheet.tile,
        "panels": encoded,
        "initial": initial,
        "hint": hint,
        "height": height,
    }


def hover_images(
    figure: go.Figure,
    images: np.ndarray,
    panels: dict[str, HoverPanel],
    *,
    key: str,
    initial: str | None = None,
    hint: str = "Hover the chart.",
    height: int = 520,
) -> None:
    """Mount the component (figure left, hover panel right); the chart's camera button saves it as
    ``dsviz-<page>-<key>.png`` or ``.svg`` (:func:`ui.export.chart_config`)."""
    data = {**hover_payload(figure, images, panels, initial, hint, height), "config": chart_config(key)}
    _component()(data=data, key=key, height=height + 10)
