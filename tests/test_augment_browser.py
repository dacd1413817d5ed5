"""The augmentations page in headless Chromium: the magnitude slider redraws in the browser (no rerun needed)."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
from browser_helpers import figure_value, full_page_screenshot, move_figure_control, wait_for_app_idle

pytestmark = pytest.mark.browser

PAGE_URL = "/augmentations"
LOAD_TIMEOUT_MS = 240_000
READY = ".dsviz-figure[data-ready='1']"
HEATMAP = ".dsviz-figure .dsviz-label-heatmap"


def _open(page, url: str) -> None:
    page.goto(url)
    page.locator(READY).wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_for_app_idle(page, LOAD_TIMEOUT_MS)


def _heatmap_values(page) -> str:
    return page.locator(HEATMAP).evaluate("e => JSON.stringify(e.data[0].z)")


def test_magnitude_slider_changes_heatmap_and_otdd(page, streamlit_server, artifacts_dir, real_data_dir):
    _open(page, f"{streamlit_server}{PAGE_URL}?transform=crop")
    full_page_screenshot(page, artifacts_dir / "augmentations_crop_0.png")
    otdd, heat = figure_value(page, "otdd"), _heatmap_values(page)
    for _ in range(4):  # 0 -> 0.05 -> 0.1 -> 0.15 -> 0.2, each drawn by the browser
        move_figure_control(page, "magnitude")
    assert page.locator(".dsviz-figure [name='magnitude']").get_attribute("data-magnitude") == "0.2"
    assert figure_value(page, "otdd") < otdd  # cropping 20 % brings MNIST closer to USPS
    assert _heatmap_values(page) != heat
    # the browser reports the view once the moves stop; the page keeps it in the URL
    page.wait_for_function("() => location.search.includes('magnitude=0.2')", timeout=LOAD_TIMEOUT_MS)
    assert parse_qs(urlparse(page.url).query)["magnitude"] == ["0.2"]
    wait_for_app_idle(page, LOAD_TIMEOUT_MS)
    # the download is the same explorer, starting from the view on screen, with every magnitude's values
    with page.expect_download() as info:
        page.get_by_role("button", name="Download interactive HTML").click()
    document = open(info.value.path(), encoding="utf-8").read()
    payload = json.loads(re.search(r'id="dsviz-payload">(.*?)</script>', document, re.S).group(1))
    assert payload["initial"] == {"transform": "crop", "magnitude": 0.2}
    (state,) = [x for x in payload["transforms"]["crop"]["states"] if x["magnitude"] == 0.2]
    assert state["otdd"] == figure_value(page, "otdd")
    full_page_screenshot(page, artifacts_dir / "augmentations_crop_0.2.png")


def test_rotation_from_url_and_transfer_section(page, streamlit_server, artifacts_dir, real_data_dir):
    _open(page, f"{streamlit_server}{PAGE_URL}?transform=rotation&magnitude=90")
    assert page.locator(".dsviz-figure [name='magnitude']").get_attribute("data-magnitude") == "90"
    scatter = page.locator(".st-key-transfer_scatter .js-plotly-plot")
    if scatter.count():
        # A cached study: clicking a point shows that setting's images.
        # Plotly's drag layer lies over the markers, so click at the marker's position.
        point = scatter.locator(".scatterlayer .trace:last-child .point").nth(4)
        point.scroll_into_view_if_needed()
        box = point.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.get_by_text("Pretraining images of").wait_for(timeout=LOAD_TIMEOUT_MS)
        wait_for_app_idle(page, LOAD_TIMEOUT_MS)
    else:
        assert page.get_by_text("python -m dsviz precompute transfer").count() >= 1
    full_page_screenshot(page, artifacts_dir / "augmentations_rotation_90.png")
