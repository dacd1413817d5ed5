"""Presenter mode: point markers drawn larger in the figures themselves (so saved PNG/SVG have them too)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

import ui.presenter as presenter
from ui.presenter import MARKER_SCALE, PLOTLY_DEFAULT_MARKER_SIZE, enlarge_markers, presentable

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def test_enlarge_markers_scales_scalars_arrays_and_defaults_only_where_there_are_markers():
    fig = go.Figure(
        [
            go.Scatter(x=[0, 1], y=[0, 1], mode="markers", marker={"size": 7}),
            go.Scatter(x=[0, 1], y=[0, 1], mode="markers", marker={"size": [11, 18]}),
            go.Scatter(x=[0, 1], y=[0, 1], mode="lines+markers"),
            go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"width": 2}),
            go.Heatmap(z=[[1, 2]]),
        ]
    )
    enlarge_markers(fig, 2.0)
    assert fig.data[0].marker.size == 14
    np.testing.assert_allclose(fig.data[1].marker.size, [22, 36])
    assert fig.data[2].marker.size == 2.0 * PLOTLY_DEFAULT_MARKER_SIZE
    assert fig.data[3].marker.size is None and fig.data[3].line.width == 2


@presentable
def _curve_figure() -> dict:
    """A plotly.js figure dict like those sent to the plotly.js components: a curve and a starred point."""
    return {
        "data": [
            {"type": "scatter", "mode": "lines+markers", "marker": {"size": 6}},
            {"type": "scatter", "mode": "markers", "marker": {"size": 14}},
        ]
    }


@pytest.mark.parametrize("on", [False, True])
def test_presentable_builders_follow_the_switch(monkeypatch, on):
    monkeypatch.setattr(presenter, "presenting", lambda: on)
    sizes = sorted(t["marker"]["size"] for t in _curve_figure()["data"])
    assert sizes == ([6 * MARKER_SCALE, 14 * MARKER_SCALE] if on else [6, 14])


def test_enlarge_markers_on_a_figure_dict_scales_arrays_and_defaults():
    fig = {
        "data": [
            {"type": "scatter", "mode": "markers", "marker": {"size": [2, 3]}},
            {"type": "scatter", "mode": "lines+markers"},
            {"type": "scatter", "mode": "lines"},
        ]
    }
    enlarge_markers(fig, 2.0)
    assert fig["data"][0]["marker"]["size"] == [4.0, 6.0]
    assert fig["data"][1]["marker"]["size"] == 2.0 * PLOTLY_DEFAULT_MARKER_SIZE
    assert "marker" not in fig["data"][2]


def _figure_marker_scale(presenting: bool, tmp_path, monkeypatch) -> float:
    """The marker scale the Augmentations page hands its client-side figure (on the bundled pair)."""
    (tmp_path / "data").mkdir(exist_ok=True)
    monkeypatch.setenv("DSVIZ_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(tmp_path / "cache"))
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.session_state["presenter"] = presenting  # AppTest runs a switched-to page without app.py's toggle
    at.switch_page("pages/augmentations.py").run()
    assert not at.exception, at.exception
    (figure,) = [e for e in at.get("bidi_component") if e.proto.component_name == "dsviz_figure_augmentations"]
    return json.loads(figure.proto.json)["markerScale"]


def test_a_page_draws_larger_markers_when_presenting(tmp_path, monkeypatch):
    assert _figure_marker_scale(False, tmp_path, monkeypatch) == 1.0
    assert _figure_marker_scale(True, tmp_path, monkeypatch) == MARKER_SCALE
