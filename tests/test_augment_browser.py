"""The augmentations page in headless Chromium: the magnitude slider redraws the heatmap and the OTDD."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from browser_helpers import full_page_screenshot, wait_for_app_idle

pytestmark = pytest.mark.browser

PAGE_URL = "/augmentations"
LOAD_TIMEOUT_MS = 240_000
OTDD_VALUE = ".st-key-metric_otdd [data-testid='stMetricValue']"
HEATMAP = ".st-key-label_heatmap .js-plotly-plot"
CURVE = ".st-key-otdd_curve .js-plotly-plot"


def _heatmap_values(page) -> str:
    """The label-distance heatmap's values, once plotly has drawn it (the div appears before its data)."""
    page.wait_for_function(
        "s => { const e = document.querySelector(s); return e && e.data && e.data.length > 0; }",
        arg=HEATMAP,
        timeout=LOAD_TIMEOUT_MS,
    )
    return page.locator(HEATMAP).evaluate("e => JSON.stringify(e.data[0].z)")


def test_magnitude_slider_changes_heatmap_and_otdd(page, streamlit_server, artifacts_dir, real_data_dir):
    page.goto(f"{streamlit_server}{PAGE_URL}?transform=crop")
    page.locator(CURVE).wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_for_app_idle(page, LOAD_TIMEOUT_MS)
    full_page_screenshot(page, artifacts_dir / "augmentations_crop_0.png")
    otdd, heat = page.locator(OTDD_VALUE).inner_text().strip(), _heatmap_values(page)

    slider = page.locator(".st-key-mag_crop").get_by_role("slider")
    slider.focus()
    for _ in range(4):  # 0 -> 0.05 -> 0.1 -> 0.15 -> 0.2
        page.keyboard.press("ArrowRight")
        wait_for_app_idle(page, LOAD_TIMEOUT_MS)
    page.wait_for_function(
        "([s, old]) => { const e = document.querySelector(s); return e && e.innerText.trim() !== old; }",
        arg=[OTDD_VALUE, otdd],
        timeout=LOAD_TIMEOUT_MS,
    )
    wait_for_app_idle(page, LOAD_TIMEOUT_MS)
    page.wait_for_function(  # the heatmap redraws after the metric
        "([s, old]) => { const e = document.querySelector(s); return e && e.data && JSON.stringify(e.data[0].z) !== old; }",
        arg=[HEATMAP, heat],
        timeout=LOAD_TIMEOUT_MS,
    )
    new_otdd, new_heat = page.locator(OTDD_VALUE).inner_text().strip(), _heatmap_values(page)
    assert parse_qs(urlparse(page.url).query)["mag_crop"] == ["0.2"]
    assert new_otdd != otdd and float(new_otdd.replace(",", "")) < float(otdd.replace(",", ""))
    assert new_heat != heat
    full_page_screenshot(page, artifacts_dir / "augmentations_crop_0.2.png")


def test_rotation_from_url_and_transfer_section(page, streamlit_server, artifacts_dir, real_data_dir):
    page.goto(f"{streamlit_server}{PAGE_URL}?transform=rotation&mag_rotation=90")
    page.locator(CURVE).wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_for_app_idle(page, LOAD_TIMEOUT_MS)
    assert page.locator(".st-key-mag_rotation").get_by_role("slider").get_attribute("aria-valuetext") == "90"
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
