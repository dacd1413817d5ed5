"""The live app in headless Chromium: slider moves redraw OTDD in the browser, URLs reopen views.

The label-shuffle figure is the client-side component (dsviz/figures/js/label_shuffle.js): its
sliders are ``<input type="range" name=...>`` and it marks each redraw with ``data-frame``.
Screenshots go to ``artifacts/``; timings are in ``bench/label_shuffle_browser.py``.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
from browser_helpers import figure_value, full_page_screenshot, move_figure_control, wait_for_app_idle

pytestmark = pytest.mark.browser

PAGE_URL = "/label_shuffle"
LOAD_TIMEOUT_MS = 120_000
MOVES = 5
READY = ".dsviz-figure[data-ready='1']"


def _slider(page, key: str):
    """The range input of the figure's slider ``key``, or the Streamlit slider ``key`` (points per cloud)."""
    if key in ("rot_a", "shuffle_a", "rot_b", "shuffle_b"):
        return page.locator(f".dsviz-figure input[name='{key}']")
    return page.locator(f".st-key-{key}").get_by_role("slider")


def _open(page, url: str) -> None:
    page.goto(url)
    page.locator(READY).wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_for_app_idle(page, LOAD_TIMEOUT_MS)


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def test_landing_page_links_label_shuffle(page, streamlit_server, artifacts_dir):
    page.goto(streamlit_server)
    link = page.locator("[data-testid='stPageLink']").get_by_text("Label shuffle")
    link.wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_for_app_idle(page, LOAD_TIMEOUT_MS)
    full_page_screenshot(page, artifacts_dir / "landing.png")
    link.click()
    page.locator(READY).wait_for(timeout=LOAD_TIMEOUT_MS)
    assert urlparse(page.url).path == PAGE_URL


def test_slider_moves_redraw_otdd_and_update_url(page, streamlit_server, artifacts_dir):
    _open(page, f"{streamlit_server}{PAGE_URL}")
    full_page_screenshot(page, artifacts_dir / "label_shuffle_default.png")
    ot, otdd = figure_value(page, "ot"), figure_value(page, "otdd")
    shuffle_b = _slider(page, "shuffle_b")
    for step in range(1, MOVES + 1):
        move_figure_control(page, "shuffle_b")
        new = figure_value(page, "otdd")
        assert new != otdd
        otdd = new
        assert float(shuffle_b.input_value()) == pytest.approx(0.05 * step)
        assert figure_value(page, "ot") == ot  # OT never sees labels
    # the browser reports the view once the moves stop; the page keeps it in the URL
    page.wait_for_function("v => location.search.includes('shuffle_b=' + v)", arg=f"{0.05 * MOVES:g}")
    wait_for_app_idle(page, LOAD_TIMEOUT_MS)
    # the download is the same figure, starting from the view on screen
    with page.expect_download() as info:
        page.get_by_role("button", name="Download interactive HTML").click()
    assert info.value.suggested_filename == "dsviz-label-shuffle-n200-seed0.html"
    document = open(info.value.path(), encoding="utf-8").read()
    payload = json.loads(re.search(r'id="dsviz-payload">(.*?)</script>', document, re.S).group(1))
    assert payload["initial"] == {"rot_a": 0.0, "shuffle_a": 0.0, "rot_b": 0.0, "shuffle_b": pytest.approx(0.25)}

    box = shuffle_b.bounding_box()
    frame = page.locator(".dsviz-figure").get_attribute("data-frame")
    page.mouse.move(box["x"] + 0.25 * box["width"], box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 0.8 * box["width"], box["y"] + box["height"] / 2, steps=10)
    page.mouse.up()
    page.wait_for_function(
        "f => { const r = document.querySelector('.dsviz-figure'); return r.dataset.frame !== f && r.dataset.ready === '1'; }",
        arg=frame,
    )
    assert float(shuffle_b.input_value()) > 0.05 * MOVES
    assert figure_value(page, "otdd") > otdd
    assert figure_value(page, "ot") == ot
    full_page_screenshot(page, artifacts_dir / "label_shuffle_dragged.png")


def test_url_reopens_the_same_view(page, streamlit_server, artifacts_dir):
    query = {"rot_a": "90", "shuffle_a": "0.25", "rot_b": "180", "shuffle_b": "0.6", "n": "120", "seed": "7"}
    _open(page, f"{streamlit_server}{PAGE_URL}?" + "&".join(f"{k}={v}" for k, v in query.items()))
    for key in ("rot_a", "shuffle_a", "rot_b", "shuffle_b", "n"):
        assert float(_slider(page, key).input_value()) == float(query[key]), key
    assert page.locator(".st-key-seed input").input_value() == query["seed"]
    assert {k: v[0] for k, v in _query(page).items()} == query
    full_page_screenshot(page, artifacts_dir / "label_shuffle_from_url.png")


def test_garbage_url_falls_back_to_defaults(page, streamlit_server):
    _open(page, f"{streamlit_server}{PAGE_URL}?rot_a=abc&shuffle_b=7&n=-3&seed=x")
    assert [_slider(page, key).input_value() for key in ("rot_a", "shuffle_b", "n")] == ["0", "0", "200"]
    assert page.locator(".st-key-seed input").input_value() == "0"
    assert not re.search(r"rot_a|shuffle_b|n=|seed", urlparse(page.url).query)


def test_deep_link_as_first_request_to_a_fresh_server(page, tmp_path):
    """The first visitor of a new server opens a page URL directly (a link on a slide):
    the page must come up inside app.py's navigation and wide layout, with its URL state."""
    from conftest import running_streamlit

    with running_streamlit(tmp_path) as url:
        page.goto(f"{url}{PAGE_URL}?rot_b=90")
        page.locator(READY).wait_for(timeout=LOAD_TIMEOUT_MS)
        nav = page.get_by_test_id("stSidebarNav").inner_text()
        assert "Overview" in nav and "Dataset pairs" in nav  # app.py's st.navigation, not the pages/ folder
        assert "app" not in nav.split()
        assert float(_slider(page, "rot_b").input_value()) == 90
