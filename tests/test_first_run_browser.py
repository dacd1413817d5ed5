"""A first run: no data folder, an empty HOME, no network. Every page opens and draws real figures.

The server runs with ``DSVIZ_DATA_DIR`` pointing at an empty folder, ``HOME`` empty
(so the cache starts empty too) and no ``DSVIZ_CACHE_DIR``/``XDG_*`` variables; the
pages fall back to the bundled ``digits`` and ``mnist-5k``. Each page is opened in
Chromium, checked for exceptions and for its figures, and screenshotted to
``artifacts/first_run_*.png``. SimEx and method agreement are trained through their
buttons on tiny settings.
"""

from __future__ import annotations

import io
import json
import os
import re
import time

import numpy as np
import pytest
from browser_helpers import full_page_screenshot, single_chart, wait_for_app_idle
from conftest import running_streamlit
from sklearn.datasets import load_digits

from dsviz.data.transforms import TRANSFORMS

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 240_000
PREVIEW_TIMEOUT_MS = 840_000  # SimEx and method agreement train their preview on first open (2 busy cores)
TINY = "n=60&n_eval=20&epochs=1"


@pytest.fixture(scope="module")
def first_run_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("first_run")
    (root / "data").mkdir()
    (root / "home").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DSVIZ_", "XDG_"))}
    env.update(DSVIZ_DATA_DIR=str(root / "data"), HOME=str(root / "home"))
    with running_streamlit(root, env) as url:
        yield url, root


def _open(page, url: str, ready: list[str]) -> None:
    print(f"{time.strftime('%H:%M:%S')} open {url}", flush=True)
    page.goto(url)
    for selector in ready:
        page.locator(selector).first.wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_for_app_idle(page, LOAD_TIMEOUT_MS)


def _check(page, artifacts_dir, name: str) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, page.locator(
        "[data-testid='stException']"
    ).first.inner_text()
    notices = page.locator("[data-testid='stAlert']").filter(has_text="Not in the data folder")
    assert notices.count() <= 1  # one notice per page, never one per dataset
    full_page_screenshot(page, artifacts_dir / f"first_run_{name}.png")


def _click_and_wait(page, button_key: str, ready: str) -> None:
    page.locator(f".st-key-{button_key} button").click()
    page.locator(ready).first.wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_for_app_idle(page, LOAD_TIMEOUT_MS)


def _downloads(page) -> None:
    """The distance matrix (default method otdd-exact) as CSV and JSON (with its settings), and the chart as a named PNG."""
    with page.expect_download() as info:
        page.get_by_role("button", name="otdd-exact matrix · CSV").click()
    assert info.value.suggested_filename == "dsviz-dataset-pairs-otdd-exact-matrix.csv"
    csv = open(info.value.path(), encoding="utf-8").read()
    assert "# n: 250\n" in csv and '# split_used: {"digits": "test", "mnist-5k": "train"}' in csv
    assert csv.splitlines()[-1].startswith("mnist-5k,")
    with page.expect_download() as info:
        page.get_by_role("button", name="otdd-exact matrix · JSON").click()
    data = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert data["settings"]["n"] == 250 and data["index"] == ["digits", "mnist-5k"]
    assert abs(data["data"][0][0]) < 1e-6 and data["data"][0][1] > 1000  # same sample: 0; digits vs mnist-5k
    chart = single_chart(page, ".st-key-matrix_chart .js-plotly-plot", "Download plot as a PNG")
    chart.hover()
    with page.expect_download() as info:
        chart.locator(".modebar-btn[data-title='Download plot as a PNG']").click()
    assert info.value.suggested_filename == "dsviz-dataset-pairs-matrix-chart.png"
    assert open(info.value.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def _digits_npz() -> bytes:
    digits = load_digits()
    buf = io.BytesIO()
    np.savez(buf, images=(digits.images[:200] * 15).astype(np.uint8), labels=digits.target[:200])
    return buf.getvalue()


def test_every_page_works_on_bundled_data(page, first_run_server, artifacts_dir):
    url, root = first_run_server
    _open(page, url, ["[data-testid='stPageLink']"])
    _check(page, artifacts_dir, "overview")

    _open(
        page,
        url + "/dataset_pairs?n=250",
        [".st-key-matrix_chart .js-plotly-plot", ".st-key-label_distances .js-plotly-plot"],
    )
    notice = page.locator("[data-testid='stAlert']").filter(has_text="Not in the data folder")
    assert "python -m dsviz download mnist emnist-letters kmnist fashion-mnist usps" in notice.inner_text()
    assert (
        "No network here" in notice.inner_text()
        and page.get_by_role("button", name=re.compile("Download (mnist|emnist|kmnist|fashion|usps)")).count() == 0
    )
    ticks = page.locator(".st-key-matrix_chart .xtick text").all_text_contents()
    assert set(ticks) == {"digits", "mnist-5k"}
    _check(page, artifacts_dir, "pairs")
    _downloads(page)

    _open(
        page,
        url + "/one_pixel",
        [".dsviz-op-root[data-ready='1'] .dsviz-op-plot", ".st-key-meandiff_1 .js-plotly-plot"],
    )
    assert page.get_by_text("UCI digits (8×8)").count() >= 1
    _check(page, artifacts_dir, "one_pixel")

    _open(page, url + "/pixel_stats", [".st-key-variance .js-plotly-plot"])
    _check(page, artifacts_dir, "pixel_stats")

    _open(page, url + f"/simex?{TINY}", [".st-key-train_class_fleet button"])
    _click_and_wait(page, "train_class_fleet", ".st-key-delta_heatmap .js-plotly-plot")
    _click_and_wait(page, "train_dataset_fleet", ".st-key-between_heatmap .js-plotly-plot")
    _check(page, artifacts_dir, "simex")

    _open(page, url + f"/method_agreement?{TINY}", [".st-key-compute_agreement button"])
    _click_and_wait(page, "compute_agreement", ".st-key-agreement_heatmap .js-plotly-plot")
    _check(page, artifacts_dir, "method_agreement")

    _open(page, url + "/compare_upload?n=250", [".st-key-upload", ".st-key-ranking_chart .js-plotly-plot"])
    assert page.get_by_text("Example: the bundled digits dataset (1,797 images)").count() == 1
    page.locator(".st-key-upload input[type='file']").set_input_files(
        {"name": "mine.npz", "mimeType": "application/octet-stream", "buffer": _digits_npz()}
    )
    page.get_by_text("200 images in 10 classes").wait_for(timeout=LOAD_TIMEOUT_MS)
    # the example's chart gives way to the upload's: wait until one chart is left (browser_helpers.single_chart)
    single_chart(page, ".st-key-ranking_chart .js-plotly-plot", timeout_ms=LOAD_TIMEOUT_MS)
    wait_for_app_idle(page, LOAD_TIMEOUT_MS)
    assert page.get_by_text("Example: the bundled digits dataset").count() == 0
    _check(page, artifacts_dir, "upload")

    _open(page, url + "/label_shuffle", [".dsviz-figure[data-curve-ready='1'] .dsviz-curve"])
    assert page.locator("[data-testid='stCaptionContainer']").first.is_visible()
    _check(page, artifacts_dir, "label_shuffle")
    _open(page, url + "/label_shuffle?presenter=true", [".dsviz-figure[data-curve-ready='1'] .dsviz-curve"])
    assert not page.locator("[data-testid='stCaptionContainer']").first.is_visible()  # presenter: no captions
    _check(page, artifacts_dir, "label_shuffle_presenter")

    assert not any((root / "data").iterdir())  # nothing was downloaded or left behind
    log = (root / "server.log").read_text()
    assert "Warning" not in log and "static" not in log.lower(), log


def test_augmentations_transform_mnist_5k_against_digits(page, first_run_server, artifacts_dir):
    """No MNIST or USPS: the Augmentations page runs its experiment on the bundled pair, and says so."""
    url, _ = first_run_server
    _open(page, url + "/augmentations?transform=crop&magnitude=0.2", [".dsviz-figure[data-ready='1'] .dsviz-curve"])
    assert page.get_by_role("heading", name="Augmentations: mnist-5k against digits").count() == 1
    notice = page.locator("[data-testid='stAlert']").filter(has_text="Not in the data folder").inner_text()
    assert "Showing the bundled mnist-5k and digits instead" in notice
    points = page.locator(".dsviz-figure .dsviz-curve .scatterlayer .point")
    assert points.count() == len(TRANSFORMS["crop"].grid) + 1  # every magnitude, and the current one starred
    assert page.locator("[data-testid='stAlert']").filter(has_text="needs the real datasets").count() == 1
    _check(page, artifacts_dir, "augmentations")


def _save_chart(page, selector: str, title: str, filename: str) -> bytes:
    """Hover the plotly.js chart at ``selector``, click its toolbar camera (``title``), return the saved file's bytes.

    A chart whose config changed is drawn anew beside a collapsed copy of the old drawing: wait for the state
    (one chart, with the button of the chosen format), not for a locator that can match twice.
    """
    chart = single_chart(page, selector, title)
    chart.hover()
    with page.expect_download() as info:
        chart.locator(f".modebar-btn[data-title='{title}']").click()
    assert info.value.suggested_filename == filename
    return open(info.value.path(), "rb").read()


def _pick_chart_format(page, label: str) -> None:
    page.locator(".st-key-chart_format").get_by_text(label, exact=True).click()
    wait_for_app_idle(page, LOAD_TIMEOUT_MS)


def test_charts_and_hover_views_save_as_svg_or_png(page, first_run_server, artifacts_dir):
    """Pick SVG in the sidebar once: plain charts and the hover components' charts save named SVGs, on this
    page and (the choice kept) on the next one; PNG again gives PNGs."""
    url, _ = first_run_server
    _open(
        page, url + "/dataset_pairs?n=250", [".st-key-matrix_chart .js-plotly-plot", ".dsviz-pv-root[data-ready='1']"]
    )
    _pick_chart_format(page, "SVG")
    svg = _save_chart(
        page, ".st-key-matrix_chart .js-plotly-plot", "Download plot", "dsviz-dataset-pairs-matrix-chart.svg"
    )
    assert svg.lstrip().startswith(b"<svg") and b">digits<" in svg and b">mnist-5k<" in svg
    page.locator(".dsviz-pv-root[data-ready='1']").wait_for(timeout=LOAD_TIMEOUT_MS)
    svg = _save_chart(page, ".dsviz-pv-root .dsviz-pv-plot", "Download plot", "dsviz-dataset-pairs-pair-hover.svg")
    assert svg.lstrip().startswith(b"<svg") and b"Joint UMAP of digits" in svg

    page.locator("[data-testid='stSidebarNav'] a").filter(has_text="Pixel statistics").click()
    page.locator(".st-key-variance .js-plotly-plot").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.locator(".dsviz-hi-root[data-ready='1']").wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_for_app_idle(page, LOAD_TIMEOUT_MS)
    svg = _save_chart(page, ".st-key-variance .js-plotly-plot", "Download plot", "dsviz-pixel-stats-variance.svg")
    assert svg.lstrip().startswith(b"<svg") and b"Scree plot" in svg
    svg = _save_chart(page, ".dsviz-hi-root .js-plotly-plot", "Download plot", "dsviz-pixel-stats-pca-hover.svg")
    assert svg.lstrip().startswith(b"<svg") and b"PC1" in svg
    full_page_screenshot(page, artifacts_dir / "first_run_pixel_stats_svg.png")

    _pick_chart_format(page, "PNG")
    page.locator(".dsviz-hi-root[data-ready='1']").wait_for(timeout=LOAD_TIMEOUT_MS)
    png = _save_chart(
        page, ".dsviz-hi-root .js-plotly-plot", "Download plot as a PNG", "dsviz-pixel-stats-pca-hover.png"
    )
    assert png[:8] == b"\x89PNG\r\n\x1a\n"

    # the label-shuffle charts are live components (redrawn in place): they follow the choice too
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text="Label shuffle").click()
    page.locator(".dsviz-figure[data-ready='1'] .dsviz-curve").wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_for_app_idle(page, LOAD_TIMEOUT_MS)
    png = _save_chart(page, ".dsviz-figure .dsviz-curve", "Download plot as a PNG", "dsviz-label-shuffle-curve.png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    _pick_chart_format(page, "SVG")
    page.wait_for_selector(".dsviz-curve .modebar-btn[data-title='Download plot']", state="attached", timeout=60_000)
    svg = _save_chart(page, ".dsviz-figure .dsviz-curve", "Download plot", "dsviz-label-shuffle-curve.svg")
    assert svg.lstrip().startswith(b"<svg") and b"OTDD" in svg


CHART = "[data-testid='stMain'] .js-plotly-plot"
FIRST_OPEN = {
    "": None,  # the overview: links to the pages, no figure
    "label_shuffle": CHART,
    "augmentations": CHART,
    "dataset_pairs?n=250": CHART,
    "one_pixel": CHART,
    "pixel_stats": CHART,
    "simex": ".st-key-delta_heatmap .js-plotly-plot",
    "method_agreement": ".st-key-agreement_heatmap .js-plotly-plot",
    "compare_upload": ".st-key-ranking_chart .js-plotly-plot",  # the bundled digits stand in for an upload
}
"""Each page as a new user first opens it (no button pressed) and the chart it must draw by itself."""


@pytest.mark.parametrize("path", list(FIRST_OPEN))
def test_fresh_server_draws_each_page_offline(page, first_run_server, artifacts_dir, path):
    """Every request that would leave the server is blocked and counted: none is made. The page draws its chart
    on first open with no exception; SimEx and method agreement train a preview by themselves and say so."""
    url, _ = first_run_server
    blocked, errors = [], []

    def only_the_server(route) -> None:
        if route.request.url.startswith((url, "data:", "blob:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.context.route("**/*", only_the_server)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{url}/{path}")
    page.locator("[data-testid='stSidebarNav']").wait_for(timeout=LOAD_TIMEOUT_MS)
    if FIRST_OPEN[path] is not None:
        page.locator(FIRST_OPEN[path]).first.wait_for(timeout=PREVIEW_TIMEOUT_MS)
    wait_for_app_idle(page, PREVIEW_TIMEOUT_MS)
    name = path.split("?")[0] or "overview"
    _check(page, artifacts_dir, f"offline_{name}")
    if name in ("simex", "method_agreement"):
        assert "Preview:" in page.locator(".st-key-preview_note").inner_text()
        # the page's first block is its title: no stray text above it (a bare string that Streamlit's magic printed)
        first = page.locator("[data-testid='stMain'] [data-testid='stMarkdownContainer'], [data-testid='stMain'] h1")
        assert first.first.evaluate("e => e.tagName") == "H1" or first.first.locator("h1").count() == 1
    assert blocked == [] and errors == []
