"""The augmentations page headless, through ``streamlit.testing.v1.AppTest``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dsviz.augment import TRANSFORMS

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
