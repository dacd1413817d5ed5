"""Compare your dataset in headless Chromium: the example before any upload, then a zip made here (its ranking and
pair view) and bad input."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from browser_helpers import full_page_screenshot, wait_for_app_idle
from PIL import Image

from dsviz.data import load

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 400_000
URL = "/compare_upload?n=250"
EXAMPLE = "Example: the bundled digits dataset (1,797 images) stands in for your upload"


def _digits_zip(data_dir: str) -> bytes:
    """60 MNIST test digits as dark-on-white 40 x 40 RGB PNGs in one folder per class, plus a stray text file."""
    digits = load("mnist", split="test", n=60, seed=21, data_dir=data_dir)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for i, (image, label) in enumerate(zip(digits.images, digits.labels, strict=True)):
            rgb = np.stack([255 - image] * 3, axis=-1)
            png = io.BytesIO()
            Image.fromarray(rgb).resize((40, 40)).save(png, "PNG")
            archive.writestr(f"my-digits/{digits.classes[label]}/{i}.png", png.getvalue())
        archive.writestr("my-digits/README.txt", "scanned digits")
    return buf.getvalue()


def _upload(page, name: str, data: bytes) -> None:
    page.locator(".st-key-upload input[type='file']").set_input_files(
        {"name": name, "mimeType": "application/zip", "buffer": data}
    )


def _ranking_order(page) -> list[str]:
    """The reference names on the ranking chart, closest first, once plotly has drawn its data."""
    page.wait_for_function(  # the chart's div appears before plotly has drawn its data
        "s => { const e = document.querySelector(s); return e && e.data && e.data.length > 0; }",
        arg=".st-key-ranking_chart .js-plotly-plot",
        timeout=LOAD_TIMEOUT_MS,
    )
    return page.locator(".st-key-ranking_chart .js-plotly-plot").evaluate("gd => gd.data[0].y")


def test_upload_zip_and_see_the_ranking(page, streamlit_server, artifacts_dir, real_data_dir):
    page.goto(streamlit_server + URL)
    # before any upload, the bundled digits stand in for it: the same figures, labelled as an example
    page.get_by_text(EXAMPLE).wait_for(timeout=LOAD_TIMEOUT_MS)
    page.locator(".dsviz-pv-root[data-ready='1']").wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_for_app_idle(page, LOAD_TIMEOUT_MS)
    assert "mnist" in _ranking_order(page)
    assert page.locator(".st-key-label_distances .js-plotly-plot").count() == 1
    full_page_screenshot(page, artifacts_dir / "upload_example.png")

    # bad input first: a clear message, and the page keeps working
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("a/1.png", b"x")
        archive.writestr("../../outside.png", b"x")
    _upload(page, "evil.zip", evil.getvalue())
    error = page.locator("[data-testid='stAlertContentError']")
    error.wait_for(timeout=LOAD_TIMEOUT_MS)
    assert "path traversal" in error.inner_text()

    _upload(page, "digits.zip", _digits_zip(real_data_dir))
    page.get_by_text("60 images in 10 classes").wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_for_app_idle(page, LOAD_TIMEOUT_MS)  # the example's elements are replaced, not left stale
    assert page.get_by_text(EXAMPLE).count() == 0
    assert page.get_by_text("60 inverted to bright strokes").count() == 1
    metric = page.locator("[data-testid='stMetricValue']").first
    metric.wait_for(timeout=LOAD_TIMEOUT_MS)
    assert metric.inner_text().strip() == "mnist"  # MNIST digits, scanned dark-on-white, are closest to MNIST
    order = _ranking_order(page)
    values = page.locator(".st-key-ranking_chart .js-plotly-plot").evaluate("gd => gd.data[0].x")
    assert order[0] == "mnist" and values == sorted(values) and "fashion-mnist" in order
    page.locator(".dsviz-pv-root[data-ready='1']").wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_for_app_idle(page, LOAD_TIMEOUT_MS)
    names = page.locator(".dsviz-pv-plot").evaluate("gd => gd._fullData.map(t => t.name)")
    assert "your data: 7" in names and "mnist: 7" in names
    page.get_by_text("1 file(s) skipped").wait_for(timeout=30_000)
    full_page_screenshot(page, artifacts_dir / "upload_ranking.png")
