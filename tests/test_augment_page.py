"""The augmentations page headless, through ``streamlit.testing.v1.AppTest``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dsviz.data.transforms import TRANSFORMS

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "pages/augmentations.py"
TIMEOUT = 300


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch, real_data_dir):
    """An empty result cache and the real data for the page's process."""
    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("DSVIZ_DATA_DIR", real_data_dir)
    return tmp_path


def _open(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _otdd(at: AppTest) -> float:
    (value,) = [m.value for m in at.metric if m.label == "OTDD"]
    return float(value)


def test_page_shows_view_curve_and_how_to_precompute(fresh_cache):
    at = _open({"transform": "crop", "mag_crop": "0.2"})
    assert at.title[0].value == "Augmentations: MNIST against USPS"
    assert at.selectbox(key="transform").value == "crop"
    assert at.select_slider(key="mag_crop").value == 0.2
    keys = [chart.proto.id for chart in at.get("plotly_chart")]
    assert len(keys) == 3  # two heatmaps and the curve; no scatter without a study
    assert any("precompute transfer" in info.value for info in at.info)
    assert at.button(key="run_small_study")
    cropped = _otdd(at)

    at.select_slider(key="mag_crop").set_value(0.0).run()
    assert not at.exception
    assert _otdd(at) > cropped  # cropping 20 % brings MNIST closer to USPS


def test_garbage_url_falls_back_to_defaults(fresh_cache):
    at = _open({"transform": "spin", "mag_rotation": "7"})
    assert at.selectbox(key="transform").value == "rotation"
    assert at.select_slider(key="mag_rotation").value == TRANSFORMS["rotation"].grid[0]
    assert np.isfinite(_otdd(at))


def test_page_works_on_the_bundled_data(tmp_path, monkeypatch):
    """No MNIST or USPS in the data folder: mnist-5k is transformed against digits, and the page says so."""
    (tmp_path / "data").mkdir()
    monkeypatch.setenv("DSVIZ_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(tmp_path / "cache"))
    at = _open({"transform": "crop", "mag_crop": "0.2"})
    assert at.title[0].value == "Augmentations: mnist-5k against digits"
    (notice,) = [i.value for i in at.info if "Not in the data folder" in i.value]
    assert (
        "**mnist**" in notice and "**usps**" in notice and "Showing the bundled **mnist-5k** and **digits**" in notice
    )
    charts = at.get("plotly_chart")
    assert len(charts) == 3  # the two heatmaps and the curve; the study needs the real pair
    assert any("needs the real datasets" in i.value for i in at.info)
    assert "mnist-5k" in charts[0].proto.spec and "digits" in charts[0].proto.spec
    cropped = _otdd(at)
    at.select_slider(key="mag_crop").set_value(0.0).run()
    assert not at.exception
    assert _otdd(at) != cropped  # the transformation moves the distance on the bundled pair too
