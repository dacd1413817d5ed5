"""Dataset pairs in headless Chromium: click a matrix cell, hover a point, see both images."""

from __future__ import annotations

import pytest
from browser_helpers import block_network, full_page_screenshot, single_chart

from dsviz.data import availability

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 600_000
URL = "/dataset_pairs?n=250"


def _cell_position(page, row: int, col: int) -> dict:
    chart = single_chart(page, ".st-key-matrix_chart .js-plotly-plot", timeout_ms=LOAD_TIMEOUT_MS)
    chart.scroll_into_view_if_needed()
    return chart.evaluate(
        """(gd, [row, col]) => {
            const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, r = gd.getBoundingClientRect();
            const names = xa.categoryarray;
            return {x: r.left + xa._offset + xa.d2p(names[col]), y: r.top + ya._offset + ya.d2p(names[row])};
        }""",
        [row, col],
    )


def _first_point_of(page, trace_name: str) -> dict:
    plot = page.locator(".dsviz-pv-plot")
    plot.scroll_into_view_if_needed()
    return plot.evaluate(
        """(gd, name) => {
            const fl = gd._fullLayout, r = gd.getBoundingClientRect();
            const tr = gd._fullData.find(t => t.name === name);
            return {x: r.left + fl.xaxis._offset + fl.xaxis.l2p(tr.x[0]),
                    y: r.top + fl.yaxis._offset + fl.yaxis.l2p(tr.y[0]), index: tr.customdata[0]};
        }""",
        trace_name,
    )


def _canvas_brightness(page, selector: str) -> float:
    return page.locator(selector).evaluate(
        """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                  let s = 0; for (let i = 0; i < d.length; i += 4) s += d[i]; return s / (d.length / 4); }"""
    )


def test_click_cell_then_hover_shows_both_images(page, streamlit_server, artifacts_dir, real_data_dir, tmp_path):
    page.goto(streamlit_server + URL)
    page.locator(".dsviz-pv-root[data-ready='1']").wait_for(timeout=LOAD_TIMEOUT_MS)
    names = single_chart(page, ".st-key-matrix_chart .js-plotly-plot", timeout_ms=LOAD_TIMEOUT_MS).evaluate(
        "gd => gd._fullLayout.xaxis.categoryarray"
    )
    kmnist = availability(real_data_dir)["kmnist"].available  # the data folder decides, not this test
    assert ("kmnist" in names) == kmnist and "fashion-mnist" in names
    notice = page.locator("[data-testid='stAlert']").filter(has_text="Not in the data folder")
    if not kmnist:  # one notice names every missing dataset
        assert notice.count() == 1 and "kmnist" in notice.inner_text()

    # click the mnist -> fashion-mnist cell: the pair view switches to that pair
    pos = _cell_position(page, names.index("mnist"), names.index("fashion-mnist"))
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_url("**tgt=fashion-mnist**", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_function(
        "() => { const gd = document.querySelector('.dsviz-pv-plot');"
        " return gd && gd._fullData && gd._fullData.some(t => t.name === 'fashion-mnist: Bag'); }",
        timeout=LOAD_TIMEOUT_MS,
    )
    assert "src=" not in page.url  # mnist is the default source, kept out of the URL

    # hover a Fashion-MNIST point: its image and its best MNIST match appear in the panel
    point = _first_point_of(page, "fashion-mnist: Bag")
    page.mouse.move(point["x"], point["y"])
    panel = page.get_by_test_id("hover-panel")
    page.wait_for_function(
        "i => { const p = document.querySelector('[data-testid=hover-panel]'); return p && p.dataset.drawn === String(i); }",
        arg=point["index"],
        timeout=30_000,
    )
    match = int(panel.get_attribute("data-match-index"))
    assert 0 <= match < 250  # the partner is an MNIST point
    assert "fashion-mnist: Bag" in panel.inner_text() and "mnist: " in panel.inner_text()
    assert _canvas_brightness(page, ".dsviz-pv-a") > 5  # a drawn image, not a black canvas
    assert _canvas_brightness(page, ".dsviz-pv-b") > 5
    full_page_screenshot(page, artifacts_dir / "pairs_hover.png")

    # click pins the point; moving away keeps it shown (positions moved with the screenshot resize)
    point = _first_point_of(page, "fashion-mnist: Bag")
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function("() => document.querySelector('.dsviz-pv-panel.pinned [data-partner]') !== null")
    assert "Pinned: fashion-mnist point" in panel.inner_text()
    assert panel.get_attribute("data-hover-index") == str(point["index"])

    # the page writes the same component as one offline file: its payload holds this pair, and it draws from file://
    with page.expect_download() as info:
        page.get_by_role("button", name="Download interactive HTML").click()
    assert info.value.suggested_filename == "dsviz-dataset-pairs-mnist-fashion-mnist.html"
    exported = tmp_path / info.value.suggested_filename  # a .html name: the browser renders it as a page
    info.value.save_as(exported)
    text = exported.read_text()
    assert 'id="dsviz-payload"' in text and '"src":"mnist","tgt":"fashion-mnist"' in text
    blocked = block_network(page)  # the same tab (a background tab gets no animation frames to draw in)
    page.goto(exported.as_uri())
    page.locator("#dsviz-figure[data-ready='1']").wait_for(timeout=60_000)
    assert blocked == [] and page.locator(".dsviz-pv-title").inner_text() == "mnist vs fashion-mnist"
