"""Presenter mode: point markers drawn larger in the figures themselves (so saved PNG/SVG have them too)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

import ui.presenter as presenter
from ui.plots import shuffle_curve_figure
from ui.presenter import MARKER_SCALE, PLOTLY_DEFAULT_MARKER_SIZE, enlarge_markers

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def test_enlarge_markers_scales_scalars_arrays_and_defaults_only_where_there_are_markers():
    fig = go.Figure([
        go.Scatter(x=[0, 1], y=[0, 1], mode="markers", marker={"size": 7}),
        go.Scatter(x=[0, 1], y=[0, 1], mode="markers", marker={"size": [11, 18]}),
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines+markers"),
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"width": 2}),
        go.Heatmap(z=[[1, 2]]),
    ])
    enlarge_markers(fig, 2.0)
    assert fig.data[0].marker.size == 14
    np.testing.assert_allclose(fig.data[1].marker.size, [22, 36])
    assert fig.data[2].marker.size == 2.0 * PLOTLY_DEFAULT_MARKER_SIZE
    assert fig.data[3].marker.size is None and fig.data[3].line.width == 2


@pytest.mark.parametrize("on", [False, True])
def test_presentable_builders_follow_the_switch(monkeypatch, on):
    monkeypatch.setattr(presenter, "presenting", lambda: on)
    fig = shuffle_curve_figure(np.linspace(0, 1, 3), np.ones(3), np.full(3, 2.0), 0.5, 1.0, 2.0)
    star = next(t for t in fig.data if t.marker.symbol == "star")
    assert star.marker.size == (14 * MARKER_SCALE if on else 14)


def _cloud_marker_sizes(presenting: bool) -> set[float]:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.session_state["presenter"] = presenting  # AppTest runs a switched-to page without app.py's toggle
    at.switch_page("pages/label_shuffle.py").run()
    assert not at.exception, at.exception
    (clouds,) = [c for c in at.get("plotly_chart") if "clouds" in c.proto.config]
    spec = json.loads(clouds.proto.spec)
    return {t["marker"]["size"] for t in spec["data"] if "markers" in t.get("mode", "")}


def test_label_shuffle_page_draws_larger_markers_when_presenting():
    assert _cloud_marker_sizes(False) == {7}
    (size,) = _cloud_marker_sizes(True)
    assert size == pytest.approx(7 * MARKER_SCALE)
