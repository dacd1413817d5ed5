"""Exported pair view and one-pixel figures, opened from file:// in headless Chromium with the network blocked.

Each file is written by ``python -m dsviz export`` (the bundled datasets, or the real ones where named) and must
draw with 0 blocked requests; hovering a point of the pair view shows its image and its best match, a matrix cell
switches the pair, and hovering a one-pixel cell shows its panel. Values shown equal the cached computation's.
Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from browser_helpers import block_network, figure_value, move_figure_control

from dsviz.studies.onepixel import one_pixel_dataset
from dsviz.studies.pairs import PairSettings, compare_pair

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ROOT_SEL = "#dsviz-figure"
PANEL = "[data-testid='hover-panel']"
TIMEOUT_MS = 60_000


def _export(tmp_path: Path, name: str, *args: str, data_dir: str | None = None) -> Path:
    """``python -m dsviz export ...`` into ``tmp_path/name`` (bundled data only unless ``data_dir``)."""
    out = tmp_path / name
    env = dict(os.environ, DSVIZ_DATA_DIR=data_dir or str(tmp_path / "no-data"))
    proc = subprocess.run(
        [sys.executable, "-m", "dsviz", "export", *args, "--out", str(out), "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["bytes"] == out.stat().st_size
    return out


def _open_offline(page, path: Path) -> tuple[list[str], list[str]]:
    """Open ``path`` with every request other than ``file:``/``data:`` aborted; (blocked URLs, page errors)."""
    blocked = block_network(page)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.locator(f"{ROOT_SEL}[data-ready='1']").wait_for(timeout=TIMEOUT_MS)
    return blocked, errors


def _payload(page) -> dict:
    return page.evaluate("() => JSON.parse(document.getElementById('dsviz-payload').textContent)")


def _point(page, trace_prefix: str) -> dict:
    """Page position and global index of the first point of the first trace named ``trace_prefix``…"""
    plot = page.locator(".dsviz-pv-plot")
    plot.scroll_into_view_if_needed()
    return plot.evaluate(
        """(gd, prefix) => {
            const fl = gd._fullLayout, r = gd.getBoundingClientRect();
            const tr = gd._fullData.find(t => t.name && t.name.startsWith(prefix));
            return {x: r.left + fl.xaxis._offset + fl.xaxis.l2p(tr.x[0]),
                    y: r.top + fl.yaxis._offset + fl.yaxis.l2p(tr.y[0]), index: tr.customdata[0]};
        }""",
        trace_prefix,
    )


def _brightness(page, selector: str) -> float:
    return page.locator(selector).evaluate(
        """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                  let s = 0; for (let i = 0; i < d.length; i += 4) s += d[i]; return s / (d.length / 4); }"""
    )


def test_exported_pair_view_hovers_pins_and_redraws_offline(page, tmp_path, artifacts_dir):
    settings = PairSettings(n=100)
    args = ("dataset-pairs", "--src", "digits", "--tgt", "mnist-5k", "--n", "100", "--method", "otdd-exact")
    blocked, errors = _open_offline(page, _export(tmp_path, "pairs.html", *args))
    assert blocked == [] and errors == []
    res = compare_pair("digits", "mnist-5k", settings, str(tmp_path / "no-data")).result  # the same cached OTDD
    assert figure_value(page, "otdd") == pytest.approx(res.otdd, rel=1e-6)
    assert figure_value(page, "ot") == pytest.approx(res.ot, rel=1e-6)
    assert figure_value(page, "matrix_cell") == pytest.approx(res.otdd, rel=1e-6)
    view = _payload(page)["views"][0]
    about = page.locator(".dsviz-about").inner_text()
    assert "dsviz" in about and "otdd-exact" in about and "digits" in about

    # before any hover the panel shows its hint, not two empty image boxes
    assert not page.locator(f"{PANEL} .dsviz-pv-pair").is_visible()
    # hover a target point: its image and its best source match are painted in the panel
    point = _point(page, "mnist-5k: 3")
    page.mouse.move(point["x"], point["y"])
    page.wait_for_function(
        "i => document.querySelector(\"[data-testid='hover-panel']\").dataset.drawn === String(i)",
        arg=point["index"],
        timeout=TIMEOUT_MS,
    )
    panel = page.locator(PANEL)
    match = int(panel.get_attribute("data-match-index"))
    assert match == view["best"][point["index"]] and 0 <= match < view["n_src"]  # a digits point
    assert "mnist-5k: 3" in panel.inner_text() and "digits: " in panel.inner_text()
    assert page.locator(f"{PANEL} .dsviz-pv-pair").is_visible()
    assert _brightness(page, ".dsviz-pv-a") > 5 and _brightness(page, ".dsviz-pv-b") > 5  # images, not black
    assert figure_value(page, "mass") == pytest.approx(view["mass"][point["index"]], rel=1e-12)

    # a click pins it: its top partners are listed with their masses
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function("() => document.querySelector('.dsviz-pv-panel.pinned [data-partner]') !== null")
    partners = page.locator(f"{PANEL} [data-partner]").evaluate_all("els => els.map(e => Number(e.dataset.partner))")
    assert partners[0] == match
    full_page_screenshot = artifacts_dir / "export_pair_view.png"
    page.screenshot(path=full_page_screenshot, full_page=True)

    # the coupling-lines slider redraws in the browser: one step down from all 100 entries of the plan
    assert page.locator("input[name=lines]").input_value() == "100"
    move_figure_control(page, "lines", "ArrowLeft", root=ROOT_SEL)
    segments = page.locator(".dsviz-pv-plot").evaluate("gd => gd.data[0].x.length / 3")
    assert segments == 50
    assert page.locator(f"{ROOT_SEL} input, {ROOT_SEL} select").evaluate_all("els => els.map(e => e.name)") == ["lines"]


def test_exported_matrix_cells_switch_the_pair(page, tmp_path, real_data_dir):
    args = ("dataset-pairs", "--src", "mnist", "--tgt", "usps", "--n", "60", "--datasets", "mnist", "usps")
    blocked, errors = _open_offline(
        page, _export(tmp_path, "matrix.html", *args, "fashion-mnist", data_dir=real_data_dir)
    )
    assert blocked == [] and errors == []
    payload = _payload(page)
    assert payload["matrix"]["names"] == ["mnist", "usps", "fashion-mnist"] and len(payload["views"]) == 3
    cell = page.locator(".dsviz-pv-matrix").evaluate(
        """gd => { const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, r = gd.getBoundingClientRect();
                   return {x: r.left + xa._offset + xa.d2p('usps'), y: r.top + ya._offset + ya.d2p('fashion-mnist')}; }"""
    )
    page.mouse.click(cell["x"], cell["y"])
    page.wait_for_function("() => document.querySelector('#dsviz-figure').dataset.view === '2'", timeout=TIMEOUT_MS)
    page.locator(f"{ROOT_SEL}[data-ready='1']").wait_for()
    settings = PairSettings(n=60)
    res = compare_pair("usps", "fashion-mnist", settings, real_data_dir).result
    assert page.locator(".dsviz-pv-title").inner_text() == "usps vs fashion-mnist"
    assert figure_value(page, "otdd") == pytest.approx(res.otdd, rel=1e-6)
    assert figure_value(page, "matrix_cell") == pytest.approx(res.otdd, rel=1e-6)
    point = _point(page, "fashion-mnist: ")
    page.mouse.move(point["x"], point["y"])
    page.wait_for_function(
        "i => document.querySelector(\"[data-testid='hover-panel']\").dataset.drawn === String(i)",
        arg=point["index"],
        timeout=TIMEOUT_MS,
    )
    assert "fashion-mnist: " in page.locator(PANEL).inner_text() and "usps: " in page.locator(PANEL).inner_text()


def test_exported_one_pixel_hover_shows_the_panel_offline(page, tmp_path, artifacts_dir):
    blocked, errors = _open_offline(
        page, _export(tmp_path, "onepixel.html", "one-pixel", "digits", "--protocol", "heldout")
    )
    assert blocked == [] and errors == []
    res = one_pixel_dataset("digits", protocol="heldout", data_dir=tmp_path / "no-data").result  # the cached fits
    panel = page.locator(PANEL)
    # before any hover: the worst pair
    lower = np.where(np.tril(np.ones_like(res.val_accuracy, dtype=bool), -1), res.val_accuracy, np.nan)
    row, col = np.unravel_index(np.nanargmin(lower), lower.shape)
    assert panel.get_attribute("data-key") == f"0:{row},{col}"

    plot = page.locator(".dsviz-op-plot").first
    plot.scroll_into_view_if_needed()
    i, j = 7, 3
    x, y = plot.evaluate(
        """(gd, [row, col]) => { const tr = gd._fullData[0], xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis,
               b = gd.getBoundingClientRect();  // by position: plotly reads a digit-like category name as an index
               return [b.left + xa._offset + xa.d2p(tr.x.indexOf(String(col))),
                       b.top + ya._offset + ya.d2p(tr.y.indexOf(String(row)))]; }""",
        [i, j],
    )
    page.mouse.move(x, y)
    page.wait_for_function(
        "k => document.querySelector(\"[data-testid='hover-panel']\").dataset.key === k", arg=f"0:{i},{j}"
    )
    text = panel.inner_text()
    r, c = res.pixel[i, j]
    assert f"{res.classes[i]} vs {res.classes[j]}" in text and f"pixel (row {r}, col {c})" in text
    assert figure_value(page, "val_accuracy") == res.val_accuracy[i, j]  # the fitted value, exactly
    assert figure_value(page, "train_accuracy") == res.train_accuracy[i, j]
    assert figure_value(page, "threshold") == res.threshold[i, j]
    reds = panel.locator("canvas").evaluate_all(
        """(canvases) => canvases.map((c) => {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let k = 0; k < d.length; k += 4) if (d[k] > 200 && d[k + 1] < 90 && d[k + 2] < 90) n++;
            return n;
        })"""
    )
    assert len(reds) == 2 and all(n > 20 for n in reds), reds  # the pixel boxed in red on both class means
    # no controls in this figure: the settings table does not speak of any
    assert page.locator(".dsviz-about strong").first.inner_text() == "Settings"
    page.screenshot(path=artifacts_dir / "export_one_pixel.png", full_page=True)
