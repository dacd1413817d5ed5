"""The Streamlit app headless, through ``streamlit.testing.v1.AppTest``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from ui.plots import MAX_LINE_OPACITY, coupling_segments

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "pages/label_shuffle.py"
DEFAULTS = {"rot_a": 0, "shuffle_a": 0.0, "rot_b": 0, "shuffle_b": 0.0, "n": 200, "seed": 0}
TIMEOUT = 120


def _open_page(query: dict[str, str] | None = None) -> AppTest:
    """Run app.py with ``query`` in the URL, then switch to the label-shuffle page."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _widget_values(at: AppTest) -> dict[str, float]:
    values = {key: at.slider(key=key).value for key in ("rot_a", "shuffle_a", "rot_b", "shuffle_b", "n")}
    values["seed"] = at.number_input(key="seed").value
    return values


def _charts(at: AppTest) -> dict[str, dict]:
    """The page's live plotly charts (ui.live_plotly), by key: the figure dict each one draws."""
    charts = {}
    for element in at.get("bidi_component"):
        if element.proto.component_name == "dsviz_live_plotly":
            charts[element.proto.id.rsplit("-", 1)[-1]] = json.loads(json.loads(element.proto.json)["figure"])
    return charts


def _metric(at: AppTest, label: str) -> float:
    (value,) = [m.value for m in at.metric if m.label == label]
    return float(value)


def test_landing_page_links_the_pages():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value == "dsviz"
    links = at.get("page_link")
    # every page file is registered and linked from the landing page, in registration order
    page_files = {p.stem for p in (Path(APP).parent / "pages").glob("*.py")}
    assert {link.proto.page for link in links} == page_files
    assert [link.proto.label for link in links][0] == "Label shuffle"


def test_label_shuffle_page_runs_with_defaults():
    at = _open_page()
    assert at.title[0].value == "Label shuffle"
    assert _widget_values(at) == DEFAULTS
    assert _metric(at, "OTDD") > _metric(at, "OT") > 0
    charts = _charts(at)
    assert set(charts) == {"clouds", "curve"}
    # 2 x 200 points in four marker traces, after the coupling's line traces
    markers = [t for t in charts["clouds"]["data"] if t["mode"] == "markers"]
    assert sum(len(t["x"]) for t in markers) == 2 * DEFAULTS["n"]
    curve_otdd = next(t for t in charts["curve"]["data"] if t["name"] == "OTDD")
    assert curve_otdd["x"] == pytest.approx(np.linspace(0, 1, 21).tolist())
    # the curve's first point is the unshuffled OTDD, the same number the page shows
    assert curve_otdd["y"][0] == pytest.approx(_metric(at, "OTDD"), abs=5e-4)


def test_shuffle_slider_moves_otdd_but_not_ot():
    at = _open_page()
    otdd, ot = _metric(at, "OTDD"), _metric(at, "OT")
    at.slider(key="shuffle_b").set_value(0.5).run()
    assert not at.exception
    assert _metric(at, "OTDD") > otdd
    assert _metric(at, "OT") == ot
    (star,) = [t for t in _charts(at)["curve"]["data"] if t["name"] == "OTDD now"]
    assert star["x"] == [0.5] and star["y"][0] == pytest.approx(_metric(at, "OTDD"), abs=5e-4)


def test_query_params_prefill_the_widgets():
    query = {"rot_a": "90", "shuffle_a": "0.25", "rot_b": "180", "shuffle_b": "0.6", "n": "120", "seed": "7"}
    at = _open_page(query)
    assert _widget_values(at) == {"rot_a": 90, "shuffle_a": 0.25, "rot_b": 180, "shuffle_b": 0.6, "n": 120, "seed": 7}


@pytest.mark.parametrize(
    "query",
    [
        {"rot_a": "abc", "shuffle_a": "", "rot_b": "1e400", "shuffle_b": "nan", "n": "3.5", "seed": "-1"},
        {"rot_a": "-5", "shuffle_a": "2", "rot_b": "361", "shuffle_b": "-0.1", "n": "100000", "seed": "99999"},
        {"rot_a": "[1, 2]", "shuffle_a": "inf", "rot_b": "0x10", "shuffle_b": "true", "n": "ten", "seed": "seven"},
    ],
)
def test_garbage_query_params_fall_back_to_defaults(query):
    at = _open_page(query)
    assert _widget_values(at) == DEFAULTS


def test_coupling_segments_bin_by_relative_mass():
    x_src = np.array([[0.0, 0.0], [0.0, 1.0], [0.0, 2.0]])
    x_tgt = np.array([[1.0, 0.0], [1.0, 1.0]])
    rows, cols, mass = np.array([0, 1, 2, 2]), np.array([0, 1, 0, 1]), np.array([0.5, 0.3, 0.1, 0.1])
    segments = coupling_segments(x_src, x_tgt, rows, cols, mass, n_bins=4)
    opacities = [opacity for opacity, _, _ in segments]
    assert opacities == sorted(opacities) and opacities[-1] == pytest.approx(MAX_LINE_OPACITY)
    assert sum(len(xs) for _, xs, _ in segments) == 3 * len(mass)
    faint_x, faint_y = segments[0][1], segments[0][2]
    assert faint_x == [0.0, 1.0, None, 0.0, 1.0, None] and faint_y == [2.0, 0.0, None, 2.0, 1.0, None]
    strongest_x, strongest_y = segments[-1][1], segments[-1][2]
    assert strongest_x == [0.0, 1.0, None] and strongest_y == [0.0, 0.0, None]
