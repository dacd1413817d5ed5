"""Dataset pairs page in headless Chromium: the OTDD-vs-transferability scatter opens a pair on click.

A tiny transfer-pairs study is computed first into a fresh cache, and a Streamlit
server of its own reads that cache (the shared server's cache is the developer's).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser_helpers import full_page_screenshot, wait_for_app_idle
from conftest import running_streamlit

from dsviz.runtime.cache import Cache
from dsviz.studies.transfer_pairs import PairsConfig, transfer_pairs_study

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 600_000
N = 250  # the page's sample size in the URL; the study's OTDD uses the same, so the matrix shares its entries
SCATTER = ".st-key-transfer_pairs_scatter .js-plotly-plot"
TINY = PairsConfig(
    pretrain_n=300, pretrain_epochs=1, finetune_per_class=20, finetune_epochs=3, test_n=200, otdd_n=N, seeds=(0, 1)
)


@pytest.fixture(scope="module")
def server_with_study(real_data_dir, tmp_path_factory):
    """(base URL, study) of a server whose cache holds a tiny study over three datasets."""
    cache_dir = tmp_path_factory.mktemp("pairs_browser_cache")
    study = transfer_pairs_study(
        ["mnist", "fashion-mnist", "usps"],
        TINY,
        device="cpu",
        threads=1,
        data_dir=real_data_dir,
        cache=Cache(cache_dir),
    )
    before = os.environ.get("DSVIZ_CACHE_DIR")
    os.environ["DSVIZ_CACHE_DIR"] = str(cache_dir)
    try:
        with running_streamlit(Path(tmp_path_factory.mktemp("pairs_browser_server"))) as url:
            yield url, study
    finally:
        if before is None:
            os.environ.pop("DSVIZ_CACHE_DIR", None)
        else:
            os.environ["DSVIZ_CACHE_DIR"] = before


def _point_position(page, index: int) -> dict:
    chart = page.locator(SCATTER)
    chart.scroll_into_view_if_needed()
    return chart.evaluate(
        """(gd, i) => {
            const fl = gd._fullLayout, r = gd.getBoundingClientRect();
            const tr = gd._fullData.find(t => t.name === "measured");
            return {x: r.left + fl.xaxis._offset + fl.xaxis.l2p(tr.x[i]),
                    y: r.top + fl.yaxis._offset + fl.yaxis.l2p(tr.y[i])};
        }""",
        index,
    )


def test_click_a_point_opens_that_pair(page, server_with_study, artifacts_dir):
    url, study = server_with_study
    page.goto(f"{url}/dataset_pairs?n={N}")
    page.wait_for_function(
        "s => { const e = document.querySelector(s); return e && e.data && e.data.length > 0; }",
        arg=SCATTER,
        timeout=LOAD_TIMEOUT_MS,
    )
    texts = page.locator(SCATTER).evaluate("gd => gd.layout.annotations.map(a => a.text)")
    assert texts == study.labels()
    assert page.get_by_text("Pearson r").count() >= 1
    full_page_screenshot(page, artifacts_dir / "transfer_pairs_scatter.png")

    index = study.pairs.index(("usps", "fashion-mnist"))
    pos = _point_position(page, index)
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_url(lambda u: "src=usps" in u and "tgt=fashion-mnist" in u, timeout=LOAD_TIMEOUT_MS)
    wait_for_app_idle(page, LOAD_TIMEOUT_MS)
    sizes = page.locator(SCATTER).evaluate("gd => gd._fullData.find(t => t.name === 'measured').marker.size")
    assert sizes[index] > sizes[0 if index else 1]  # the opened pair is marked in the scatter
    page.locator(SCATTER).screenshot(path=str(artifacts_dir / "transfer_pairs_scatter_only.png"))
    full_page_screenshot(page, artifacts_dir / "transfer_pairs_clicked.png")
