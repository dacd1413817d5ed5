"""Exported figures opened from file:// in headless Chromium with every network request blocked."""

from __future__ import annotations

import numpy as np
import ot
import pytest
from browser_helpers import block_network, figure_value, move_figure_control

from dsviz.cli import main
from dsviz.figures.document import JS_DIR
from dsviz.figures.label_shuffle import REL_TOLERANCE
from dsviz.studies.toy import ToyPair, pair_distances

pytestmark = pytest.mark.browser
READY = ".dsviz-figure[data-ready='1']"


def _open(page, path) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    blocked = block_network(page)
    page.goto(path.as_uri())
    page.wait_for_selector(READY, timeout=60_000)
    assert errors == []
    return blocked


def test_emd_js_matches_pot_on_uneven_problems(page):
    """The browser's exact OT (js/emd.js) against POT's network simplex, rectangular and degenerate cases."""
    page.set_content("<html><body></body></html>")
    page.add_script_tag(content=(JS_DIR / "emd.js").read_text())
    rng = np.random.default_rng(0)
    for m, n in [(1, 1), (1, 4), (7, 5), (40, 60), (97, 100), (120, 120)]:
        a, b = rng.normal(size=(m, 2)), rng.normal(size=(n, 2)) + 1.0
        cost = ((a[:, None] - b[None]) ** 2).sum(-1)
        if m == n == 120:
            cost = np.round(cost)  # many ties: a degenerate assignment problem
        expected = ot.emd2(np.full(m, 1 / m), np.full(n, 1 / n), cost)
        got = page.evaluate(
            "([c, m, n]) => { const r = dsvizEmd.emdUniform(Float64Array.from(c), m, n);"
            " return [r.value, r.mass.reduce((s, x) => s + x, 0), r.rows.length]; }",
            [cost.ravel().tolist(), m, n],
        )
        assert got[0] == pytest.approx(expected, rel=1e-12, abs=1e-12)
        assert got[1] == pytest.approx(1.0, rel=1e-12)
        assert got[2] <= m + n - 1  # a basic (vertex) solution


def test_exported_label_shuffle_works_offline_and_matches_python(page, tmp_path, artifacts_dir):
    out = tmp_path / "label_shuffle.html"
    assert main(["export", "label-shuffle", "--out", str(out), "--n", "120", "--seed", "4", "--rot-b", "30"]) == 0
    blocked = _open(page, out)
    view = {"rot_a": 0.0, "shuffle_a": 0.0, "rot_b": 30.0, "shuffle_b": 0.0}

    def check() -> float:
        pair = ToyPair(120, 4, view["rot_a"], view["rot_b"], view["shuffle_a"], view["shuffle_b"])
        expected = pair_distances(pair)
        got = figure_value(page, "otdd")
        assert got == pytest.approx(expected.otdd, rel=REL_TOLERANCE)
        assert figure_value(page, "ot") == pytest.approx(expected.ot, rel=REL_TOLERANCE)
        cells = page.locator("[data-metric='label_distance']")
        values = [float(cells.nth(k).get_attribute("data-value")) for k in range(cells.count())]
        np.testing.assert_allclose(values, expected.label_distances.ravel(), rtol=REL_TOLERANCE)
        return got

    before = check()
    ot_before = figure_value(page, "ot")
    for name, step in (("shuffle_b", 0.05), ("shuffle_b", 0.05), ("rot_a", 5.0), ("shuffle_a", 0.05), ("rot_b", 5.0)):
        move_figure_control(page, name)
        view[name] = round(view[name] + step, 10)
        assert float(page.locator(f"[name='{name}']").input_value()) == pytest.approx(view[name])
        check()
        if name == "shuffle_b" and view["shuffle_b"] == 0.05:
            assert figure_value(page, "otdd") != before and figure_value(page, "ot") == ot_before
    page.wait_for_selector(".dsviz-figure[data-curve-ready='1']", timeout=120_000)
    # the neighbouring settings' clouds are drawn ahead of time; the clouds on screen and the curve are visible
    assert page.locator(".dsviz-figure .js-plotly-plot:visible").count() == 2
    assert page.locator(".dsviz-figure .dsviz-clouds").count() == 1 and page.locator(".dsviz-clouds").is_visible()
    assert "the controls above change the view" in page.locator(".dsviz-about strong").first.inner_text()
    page.screenshot(path=str(artifacts_dir / "export_label_shuffle.png"), full_page=True)
    assert blocked == []


def test_exported_augmentations_works_offline_and_shows_the_study_values(page, tmp_path, artifacts_dir):
    from dsviz.figures.augmentations import augmentations_payload
    from dsviz.studies.augment_otdd import load_pair

    out = tmp_path / "augmentations.html"
    args = ["--n", "60", "--source", "mnist-5k", "--target", "digits", "--transforms", "blur", "rotation"]
    assert main(["export", "augmentations", "--out", str(out), *args]) == 0
    blocked = _open(page, out)
    payload = augmentations_payload(load_pair(60, 0, source="mnist-5k", target="digits"), ["rotation"], n=60, seed=0)
    first = figure_value(page, "otdd")
    move_figure_control(page, "magnitude")
    assert figure_value(page, "otdd") != first
    page.locator("select[name='transform']").select_option("rotation")
    page.wait_for_selector(READY)
    for k, state in enumerate(payload["transforms"]["rotation"]["states"]):
        if k:
            move_figure_control(page, "magnitude")
        assert float(page.locator("[name='magnitude']").get_attribute("data-magnitude")) == state["magnitude"]
        assert figure_value(page, "otdd") == pytest.approx(state["otdd"], rel=1e-6)
        assert figure_value(page, "ot") == pytest.approx(state["ot"], rel=1e-6)
    # every magnitude's charts are drawn ahead of time; only the current one's three are on screen and named
    assert page.locator(".dsviz-figure .js-plotly-plot:visible").count() == 3
    for name in ("dsviz-label-heatmap", "dsviz-coupling-heatmap", "dsviz-curve"):
        assert page.locator(f".dsviz-figure .{name}").count() == 1
        assert page.locator(f".dsviz-figure .{name}").is_visible()
    assert page.locator(".dsviz-images img").first.get_attribute("src").startswith("data:image/png")
    page.screenshot(path=str(artifacts_dir / "export_augmentations.png"), full_page=True)
    assert blocked == []
