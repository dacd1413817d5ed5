"""The one-pixel and pixel-statistics pages in headless Chromium: client-side hover panels.

Hovering a heatmap cell must show that pair's two class means with the chosen pixel
marked, its threshold and both accuracies, without a server round trip, under both
protocols (the page opens on ``published``; the switch reruns it as ``heldout``).
Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import pytest
from browser_helpers import full_page_screenshot, wait_for_app_idle

from dsviz.figures.one_pixel import held_out_name
from dsviz.studies.onepixel import OnePixelResult, one_pixel_dataset

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 240_000
HOVER = ".dsviz-op-root[data-ready='1']"
PCA_HOVER = ".dsviz-hi-root[data-ready='1']"
PANEL = "[data-testid='hover-panel']"


def _cell_position(page, root, curve: int, row: str, col: str) -> tuple[float, float]:
    """Page coordinates of the heatmap cell (row class, column class) of dataset ``curve`` (one plot each)."""
    return (
        root.locator(".dsviz-op-plot")
        .nth(curve)
        .evaluate(
            """(gd, [row, col]) => {
            const tr = gd._fullData[0], xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
            const b = gd.getBoundingClientRect();  // by position: plotly reads a digit-like category name as an index
            return [b.left + xa._offset + xa.d2p(tr.x.indexOf(col)), b.top + ya._offset + ya.d2p(tr.y.indexOf(row))];
        }""",
            [row, col],
        )
    )


def _check_hover(page, root, results: list[OnePixelResult], screenshot) -> None:
    """Hover three cells of the two heatmaps; each panel names the pair, its pixel, threshold and accuracies."""
    panel = root.locator(PANEL)
    root.locator(".dsviz-op-plot").first.scroll_into_view_if_needed()
    for curve, (i, j) in ((0, (9, 4)), (1, (7, 5)), (0, (1, 0))):
        res = results[curve]
        x, y = _cell_position(page, root, curve, res.classes[i], res.classes[j])
        page.mouse.move(x, y)
        page.wait_for_function(
            "([sel, key]) => document.querySelector(sel)?.dataset.key === key",
            arg=[f"{HOVER} {PANEL}", f"{curve}:{i},{j}"],
            timeout=10_000,
        )
        text = panel.inner_text()
        row, col = res.pixel[i, j]
        assert f"{res.classes[i]} vs {res.classes[j]}" in text
        assert f"pixel (row {row}, col {col})" in text
        assert f"{held_out_name(res)} {res.val_accuracy[i, j]:.3f}" in text
        assert f"in-sample accuracy {res.train_accuracy[i, j]:.3f}" in text
        threshold = (
            f"{res.threshold[i, j]:.4f} of pixel / ‖image‖"
            if res.feature == "l2"
            else f"{res.threshold[i, j]:.1f} / 255"
        )
        assert f"threshold {threshold}" in text
        assert panel.locator("canvas").count() == 2
        # the chosen pixel is boxed in red on both class means
        reds = panel.locator("canvas").evaluate_all(
            """(canvases) => canvases.map((c) => {
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0;
                for (let k = 0; k < d.length; k += 4) if (d[k] > 200 && d[k + 1] < 90 && d[k + 2] < 90) n++;
                return n;
            })"""
        )
        assert all(n > 20 for n in reds), reds
        if curve == 1:
            full_page_screenshot(page, screenshot)


def test_hovering_a_cell_shows_its_pair_under_both_protocols(page, streamlit_server, artifacts_dir, real_data_dir):
    names = ("mnist", "fashion-mnist")
    published = [one_pixel_dataset(name, protocol="published").result for name in names]  # fills the cache
    heldout = [one_pixel_dataset(name, protocol="heldout").result for name in names]
    page.goto(f"{streamlit_server}/one_pixel")
    root = page.locator(HOVER)
    root.wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_for_app_idle(page, LOAD_TIMEOUT_MS)
    assert page.get_by_text("Test accuracy of the best pixel").is_visible()
    _check_hover(page, root, published, artifacts_dir / "one_pixel_hover.png")

    page.get_by_text("Held-out split of train", exact=True).click()
    page.get_by_text("Validation accuracy of the best pixel").wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_for_app_idle(page, LOAD_TIMEOUT_MS)
    assert "protocol=Held-out" in page.url  # the URL holds the shown label
    root = page.locator(HOVER)
    root.wait_for(timeout=LOAD_TIMEOUT_MS)
    _check_hover(page, root, heldout, artifacts_dir / "one_pixel_hover_heldout.png")


def test_pca_scatter_hover_shows_the_image(page, streamlit_server, artifacts_dir, real_data_dir):
    page.goto(f"{streamlit_server}/pixel_stats?dataset=Fashion-MNIST")  # the URL holds the shown label
    root = page.locator(PCA_HOVER)
    root.wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_for_app_idle(page, LOAD_TIMEOUT_MS)
    root.locator(".js-plotly-plot").scroll_into_view_if_needed()
    point = root.locator(".js-plotly-plot").evaluate(
        """(gd) => {
            const tr = gd._fullData[0], xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
            const b = gd.getBoundingClientRect();
            return [b.left + xa._offset + xa.l2p(tr.x[0]), b.top + ya._offset + ya.l2p(tr.y[0])];
        }"""
    )
    page.mouse.move(*point)
    page.wait_for_function(
        "(sel) => (document.querySelector(sel)?.dataset.key || '').startsWith('0:')",
        arg=f"{PCA_HOVER} {PANEL}",
        timeout=10_000,
    )
    assert "class T-shirt/top" in root.locator(PANEL).inner_text()
    full_page_screenshot(page, artifacts_dir / "pixel_stats_fashion.png")
