"""A Streamlit custom component (Components v2): plotly.js scatter with client-side hover images.

Hovering a point shows its image and the image of its best match under the
coupling, drawn from one sprite sheet sent once per view; no server round trip.
Clicking a point pins it and reports its index back to Python.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dsviz.data.thumbnails import SpriteSheet
from dsviz.studies.pairs import PairView
from ui.export import chart_config
from ui.static_assets import plotly_component


@st.cache_resource
def _component():
    return plotly_component("hover_scatter")


@dataclass
class HoverPayload:
    """What the browser needs for hover: positions, classes, best matches, thumbnails.

    Points are indexed globally: source points 0..n_src-1, then target points.
    ``best[g]`` is the global index of g's best match (-1: none), ``mass[g]`` its mass.
    """

    datasets: tuple[str, str]
    class_names: tuple[list[str], list[str]]
    cls: np.ndarray
    best: np.ndarray
    mass: np.ndarray
    xy: np.ndarray
    sprite: SpriteSheet
    n_src: int

    @classmethod
    def from_view(cls, view: PairView, sprite: SpriteSheet) -> HoverPayload:
        """The payload of a pair view; ``sprite`` holds the source images, then the target images."""
        res = view.comparison.result
        codes, best, mass = view.global_matches()
        return cls(
            datasets=(view.comparison.src.name, view.comparison.tgt.name),
            class_names=(list(res.src_classes), list(res.tgt_classes)),
            cls=codes,
            best=best,
            mass=mass,
            xy=view.embedding,
            sprite=sprite,
            n_src=res.n_src,
        )

    def as_data(self, figure: go.Figure, highlight_trace: int, pinned: int | None) -> dict:
        fig_json = figure.to_json()
        view_id = hashlib.sha256((fig_json + str(len(self.sprite.png))).encode()).hexdigest()[:16]
        return {
            "view_id": view_id,
            "figure": fig_json,
            "sprite": self.sprite.data_url(),
            "sprite_cols": self.sprite.cols,
            "sprite_tile": self.sprite.tile,
            "datasets": list(self.datasets),
            "class_names": [list(self.class_names[0]), list(self.class_names[1])],
            "cls": self.cls.astype(int).tolist(),
            "best": self.best.astype(int).tolist(),
            "mass": np.round(self.mass, 12).tolist(),
            "x": np.round(self.xy[:, 0], 4).tolist(),
            "y": np.round(self.xy[:, 1], 4).tolist(),
            "n_src": self.n_src,
            "n_tgt": len(self.cls) - self.n_src,
            "highlight_trace": highlight_trace,
            "pinned": -1 if pinned is None else int(pinned),
        }

    def payload_bytes(self, figure: go.Figure) -> int:
        """Size of what is sent to the browser for this view (JSON)."""
        return len(json.dumps(self.as_data(figure, -1, None)).encode())


def _pinned_in_session(key: str) -> int | None:
    state = st.session_state.get(key)
    if state is None:
        return None
    try:
        return state["pinned"]
    except (KeyError, TypeError):
        return getattr(state, "pinned", None)


def hover_scatter(
    payload: HoverPayload, figure: go.Figure, highlight_trace: int, key: str, pinned: int | None = None
) -> int | None:
    """Mount the component; returns the pinned global point index (or None).

    ``pinned`` (e.g. from the URL) is used until the user clicks a point.
    """
    return hover_scatter_data(payload.as_data(figure, highlight_trace, None), key, pinned)


def hover_scatter_data(data: dict, key: str, pinned: int | None = None) -> int | None:
    """:func:`hover_scatter` from ``HoverPayload.as_data(...)`` built beforehand (e.g. once for all
    sessions); ``data`` is not modified. The chart's camera button saves it as
    ``dsviz-<page>-<key>.png`` or ``.svg`` (:func:`ui.export.chart_config`)."""
    clicked = _pinned_in_session(key)
    pinned = clicked if clicked is not None else pinned
    result = _component()(
        data={**data, "pinned": -1 if pinned is None else int(pinned), "config": chart_config(key)},
        key=key,
        default={"pinned": None},
        on_pinned_change=lambda: None,
        height=640,
    )
    return result.pinned
