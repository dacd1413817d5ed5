"""The pair-view payload (dsviz.figures.pair_view): what the browser draws equals the computed view."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from dsviz.embedding import UmapSettings
from dsviz.figures.colors import DISTANCE_COLORS, explicit
from dsviz.figures.pair_view import (
    TOP_PARTNERS,
    export_pairs_payload,
    pair_view_payload,
    payload_bytes,
    plotly_js_bytes,
)
from dsviz.runtime.cache import Cache
from dsviz.studies.pairs import PairSettings, pair_matrix, pair_view

SETTINGS = PairSettings(n=60, seed=0)


def _tile(sheet: dict, index: int) -> np.ndarray:
    """Image ``index`` of a payload sprite sheet, decoded from its data URL as the browser does."""
    png = base64.b64decode(sheet["url"].split(",", 1)[1])
    full = np.asarray(Image.open(io.BytesIO(png)))
    r, c = divmod(index, sheet["cols"])
    t = sheet["tile"]
    return full[r * t : (r + 1) * t, c * t : (c + 1) * t]


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    cache = Cache(tmp_path_factory.mktemp("cache"))
    view = pair_view("digits", "mnist-5k", SETTINGS, UmapSettings(n_neighbors=10, n_epochs=30), cache=cache)
    matrix = pair_matrix(["digits", "mnist-5k"], SETTINGS, cache=cache)
    return view, matrix


def test_every_point_carries_its_best_partner_its_image_and_the_plan(bundled):
    view, matrix = bundled
    res = view.comparison.result
    n1, n2 = res.n_src, res.n_tgt
    payload = pair_view_payload([view], matrix=matrix, lines=25)
    v = payload["views"][0]
    assert (v["src"], v["tgt"], v["n_src"], v["n_tgt"]) == ("digits", "mnist-5k", n1, n2)
    assert len(v["x"]) == len(v["y"]) == len(v["best"]) == len(v["mass"]) == len(v["cls"]) == n1 + n2
    best = np.asarray(v["best"])
    assert (best[:n1] >= n1).all() and (best[n1:] < n1).all()  # partners lie in the other dataset
    plan = np.zeros((n1, n2))
    plan[res.plan.plan_rows, res.plan.plan_cols] = res.plan.plan_mass
    np.testing.assert_array_equal(best[:n1] - n1, plan.argmax(1))  # the partner receiving the most mass
    np.testing.assert_array_equal(best[n1:], plan.argmax(0))
    np.testing.assert_allclose(v["mass"][:n1], plan.max(1), rtol=1e-6)
    # top partners, mass descending, the first being the best
    top = np.asarray(v["top_index"]).reshape(n1 + n2, TOP_PARTNERS)
    top_mass = np.asarray(v["top_mass"]).reshape(n1 + n2, TOP_PARTNERS)
    np.testing.assert_array_equal(top[:, 0], best)
    assert (np.diff(top_mass, axis=1) <= 0).all()
    # coupling lines: the plan's entries in the stored (mass descending) order, target indices global
    np.testing.assert_array_equal(v["line_src"], res.plan.plan_rows)
    np.testing.assert_array_equal(np.asarray(v["line_tgt"]) - n1, res.plan.plan_cols)
    assert payload["initial"] == {"lines": 25} and payload["lines_max"] == len(res.plan.plan_rows)
    np.testing.assert_allclose(np.c_[v["x"], v["y"]], view.embedding, atol=5e-4)
    # the numbers shown are the result's, at full precision
    assert v["metrics"] == {
        "otdd": res.otdd,
        "feature_component": res.feature_component,
        "label_component": res.label_component,
        "ot": res.ot,
    }
    # class codes name the point's class in its side's class list
    src_names = [view.comparison.src.classes[c] for c in view.comparison.src.labels]
    assert [v["classes"][0][c] for c in v["cls"][:n1]] == src_names
    # each side's images, decoded from the data URL the browser gets
    sheets = payload["images"]
    for side, sample in enumerate((view.comparison.src, view.comparison.tgt)):
        sheet = sheets[v["images"][side]]
        assert sheet["url"].startswith("data:image/png;base64,") and sheet["count"] == len(sample.images)
        for i in (0, 7, len(sample.images) - 1):
            np.testing.assert_array_equal(_tile(sheet, i), sample.images[i])


def test_matrix_cells_point_at_the_views_in_the_payload(bundled):
    view, matrix = bundled
    payload = pair_view_payload([view], matrix=matrix)
    m = payload["matrix"]
    assert m["names"] == ["digits", "mnist-5k"] and m["method"] == "otdd-exact"
    assert m["cells"] == {"0,1": 0}
    assert m["colors"] == explicit(DISTANCE_COLORS)  # lighter = closer, as every distance in the app
    assert m["values"][0][1] == pytest.approx(view.comparison.result.otdd, rel=1e-9)  # the same cached OTDD
    assert pair_view_payload([view])["matrix"] is None
    with pytest.raises(ValueError, match="at least one view"):
        pair_view_payload([])


def test_a_dataset_sample_shared_by_two_views_is_sent_once(bundled):
    view, _ = bundled
    payload = pair_view_payload([view, view])
    assert len(payload["images"]) == 2
    assert payload_bytes(payload) < 2 * payload_bytes(pair_view_payload([view]))


def test_export_adds_every_pair_only_within_the_budget(real_data_dir, tmp_path):
    names = ["mnist", "usps", "fashion-mnist"]
    kwargs = {"names": names, "data_dir": real_data_dir, "cache": Cache(tmp_path)}
    full = export_pairs_payload("mnist", "usps", SETTINGS, **kwargs)
    assert [(v["src"], v["tgt"]) for v in full["views"]] == [
        ("mnist", "usps"),
        ("mnist", "fashion-mnist"),
        ("usps", "fashion-mnist"),
    ]
    assert full["matrix"]["cells"] == {"0,1": 0, "0,2": 1, "1,2": 2}
    assert len(full["images"]) == 3  # one sprite per dataset sample
    assert plotly_js_bytes() + payload_bytes(full) <= 10_000_000
    tight = export_pairs_payload("mnist", "usps", SETTINGS, budget=plotly_js_bytes() + 1000, **kwargs)
    assert [(v["src"], v["tgt"]) for v in tight["views"]] == [("mnist", "usps")]
    assert tight["matrix"]["cells"] == {"0,1": 0}
    with pytest.raises(ValueError, match="two different datasets"):
        export_pairs_payload("mnist", "mnist", SETTINGS, **kwargs)
    with pytest.raises(ValueError, match="must both be available"):
        export_pairs_payload("mnist", "emnist-letters", SETTINGS, **kwargs)
