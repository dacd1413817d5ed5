"""The Streamlit app headless, through ``streamlit.testing.v1.AppTest``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dsviz.studies.toy import ToyPair

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "pages/label_shuffle.py"
DEFAULTS = {"rot_a": 0.0, "shuffle_a": 0.0, "rot_b": 0.0, "shuffle_b": 0.0, "n": 200, "seed": 0}
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
    """The Streamlit controls (points, seed) and the figure's initial view (the browser's sliders)."""
    values = {key: float(v) for key, v in _figure(at)["initial"].items()}
    values["n"] = at.slider(key="n").value
    values["seed"] = at.number_input(key="seed").value
    return values


def _figure(at: AppTest) -> dict:
    """The payload the page hands the client-side label-shuffle figure (dsviz/figures/js/label_shuffle.js)."""
    (payload,) = [
        json.loads(json.loads(e.proto.json)["payload"])
        for e in at.get("bidi_component")
        if e.proto.component_name == "dsviz_figure_label_shuffle"
    ]
    return payload


def test_landing_page_links_the_pages():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value == "dsviz"
    links = at.get("page_link")
    # every page file is registered and linked from the landing page, in registration order
    page_files = {p.stem for p in (Path(APP).parent / "pages").glob("*.py")}
    assert {link.proto.page for link in links} == page_files
    assert [link.proto.label for link in links][0] == "Label shuffle"


def test_label_shuffle_page_hands_the_browser_the_study_data():
    at = _open_page()
    assert at.title[0].value == "Label shuffle"
    assert _widget_values(at) == DEFAULTS
    payload = _figure(at)
    x_a, y_a, x_b, y_b = ToyPair(200, 0).datasets()
    np.testing.assert_allclose(payload["points_a"], x_a)
    np.testing.assert_allclose(payload["points_b"], x_b)
    assert payload["labels_a"][0] == y_a.tolist() and payload["labels_b"][0] == y_b.tolist()
    assert [b.label for b in at.get("download_button")] == ["Download interactive HTML"]


def test_points_and_seed_draw_new_data_for_the_figure():
    at = _open_page()
    before = _figure(at)
    at.slider(key="n").set_value(120).run()
    assert not at.exception
    after = _figure(at)
    assert len(after["points_a"]) == 120 and after["points_a"] != before["points_a"][:120]


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
