"""The one-pixel payload (dsviz.figures.one_pixel): the browser's heatmaps and panels carry the fitted numbers."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from dsviz.figures.one_pixel import CHANCE, held_out_name, one_pixel_payload
from dsviz.studies.onepixel import one_pixel_dataset


@pytest.fixture(scope="module")
def run():
    return one_pixel_dataset("digits", protocol="heldout")  # the shared cache: the page's and the CLI's fits


def _none_is_nan(values) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in row] for row in values], dtype=float)


def test_the_payload_carries_every_pair_as_fitted(run):
    res = run.result
    payload = one_pixel_payload({"Digits": res}, split_used={"Digits": run.split_used})
    (d,) = payload["datasets"]
    assert d["title"] == "Digits" and d["classes"] == list(res.classes) and d["split_used"] == run.split_used
    assert d["held_out_name"] == held_out_name(res) == "validation accuracy"
    np.testing.assert_array_equal(_none_is_nan(d["val_accuracy"]), res.val_accuracy)  # exact, NaN as null
    np.testing.assert_array_equal(_none_is_nan(d["train_accuracy"]), res.train_accuracy)
    np.testing.assert_array_equal(_none_is_nan(d["weight"]), res.weight)
    finite = np.isfinite(res.threshold)
    np.testing.assert_array_equal(_none_is_nan(d["threshold"])[finite], res.threshold[finite])
    np.testing.assert_array_equal(np.asarray(d["pixel"]), res.pixel)
    assert (d["n_fit"], d["n_val"]) == (res.n_fit, res.n_val)
    assert payload["chance"] == CHANCE
    # the class means, decoded from the data URL the browser gets, rounded to gray levels
    png = base64.b64decode(d["means"]["url"].split(",", 1)[1])
    sheet = np.asarray(Image.open(io.BytesIO(png)))
    t, cols = d["means"]["tile"], d["means"]["cols"]
    for c in range(len(res.classes)):
        r, k = divmod(c, cols)
        tile = sheet[r * t : (r + 1) * t, k * t : (k + 1) * t]
        np.testing.assert_array_equal(tile, np.rint(res.class_means[c]).clip(0, 255))


def test_the_first_panel_is_the_worst_pair_in_the_lower_triangle(run):
    res = run.result
    curve, row, col = one_pixel_payload({"Digits": res})["initial"]
    assert curve == 0 and row > col
    lower = res.val_accuracy[np.tril_indices(len(res.classes), -1)]
    assert res.val_accuracy[row, col] == np.nanmin(lower)
    assert one_pixel_payload({"Digits": res}, initial=(0, 5, 2))["initial"] == [0, 5, 2]
    with pytest.raises(ValueError, match="at least one dataset"):
        one_pixel_payload({})
