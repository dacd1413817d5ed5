"""The augmentations page headless, through ``streamlit.testing.v1.AppTest``."""

from __future__ import annotations

import json
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


def _figure(at: AppTest) -> dict:
    """The payload the page hands the client-side explorer (dsviz/figures/js/augmentations.js)."""
    (payload,) = [
        json.loads(json.loads(e.proto.json)["payload"])
        for e in at.get("bidi_component")
        if e.proto.component_name == "dsviz_figure_augmentations"
    ]
    return payload


def _otdd(at: AppTest, magnitude: float) -> float:
    (state,) = [
        s
        for s in _figure(at)["transforms"][at.selectbox(key="transform").value]["states"]
        if s["magnitude"] == magnitude
    ]
    return state["otdd"]


def test_page_shows_view_curve_and_how_to_precompute(fresh_cache):
    at = _open({"transform": "crop", "magnitude": "0.2"})
    assert at.title[0].value == "Augmentations: MNIST against USPS"
    assert at.selectbox(key="transform").value == "crop"
    payload = _figure(at)
    assert payload["initial"] == {"transform": "crop", "magnitude": 0.2}
    assert [s["magnitude"] for s in payload["transforms"]["crop"]["states"]] == list(TRANSFORMS["crop"].grid)
    assert at.query_params["magnitude"] == "0.2"
    assert any("precompute transfer" in info.value for info in at.info)
    assert at.button(key="run_small_study")
    assert _otdd(at, 0.0) > _otdd(at, 0.2)  # cropping 20 % brings MNIST closer to USPS
    assert [b.label for b in at.get("download_button")][0] == "Download interactive HTML"


def test_garbage_url_falls_back_to_defaults(fresh_cache):
    at = _open({"transform": "spin", "magnitude": "7"})
    assert at.selectbox(key="transform").value == "rotation"
    assert _figure(at)["initial"] == {"transform": "rotation", "magnitude": TRANSFORMS["rotation"].grid[0]}
    assert np.isfinite(_otdd(at, 0.0))


def test_page_works_on_the_bundled_data(tmp_path, monkeypatch):
    """No MNIST or USPS in the data folder: mnist-5k is transformed against digits, and the page says so."""
    (tmp_path / "data").mkdir()
    monkeypatch.setenv("DSVIZ_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(tmp_path / "cache"))
    at = _open({"transform": "crop", "magnitude": "0.2"})
    assert at.title[0].value == "Augmentations: mnist-5k against digits"
    (notice,) = [i.value for i in at.info if "Not in the data folder" in i.value]
    assert (
        "**mnist**" in notice and "**usps**" in notice and "Showing the bundled **mnist-5k** and **digits**" in notice
    )
    assert any("needs the real datasets" in i.value for i in at.info)
    payload = _figure(at)
    assert (payload["source"], payload["target"]) == ("mnist-5k", "digits")
    assert _otdd(at, 0.2) != _otdd(at, 0.0)  # the transformation moves the distance on the bundled pair too


def test_page_shows_the_most_seeded_study_with_its_budget_seeds_interval_and_power(fresh_cache):
    """A study planted in the cache (synthetic accuracies; 4 seeds of the default budget) is shown with the
    budget and seeds it used, Pearson's bootstrap interval and the power statement computed from its seeds."""
    from dataclasses import replace

    from dsviz.runtime.cache import Cache
    from dsviz.studies import transfer
    from dsviz.studies.transfer_stats import detectable_correlation

    rng = np.random.default_rng(0)
    n = len(transfer.DEFAULT_SETTINGS)
    otdd = np.linspace(500, 3000, n)
    config = replace(transfer.TransferConfig(), seeds=(0, 1, 2, 3))
    study = transfer.TransferStudy(
        list(transfer.DEFAULT_SETTINGS),
        config,
        otdd,
        np.clip(0.95 - otdd[:, None] / 3e4 + rng.normal(0, 0.01, (n, 4)), 0, 0.99),
        np.full(4, 0.85),
    )
    transfer._note_seeds(study, Cache(fresh_cache))
    at = _open({})
    (label,) = [c.value for c in at.get("caption") if c.value.startswith("Study shown:")]
    assert "4 seeds (0, 1, 2, 3)" in label and f"{config.pretrain_n} MNIST images" in label
    evidence = " ".join(m.value for m in at.markdown if "bootstrap 95 % interval" in m.value and "Power:" in m.value)
    corr, power = study.correlations(), detectable_correlation(study.drops)
    assert f"[{corr['pearson_r_ci_low']:.2f}, {corr['pearson_r_ci_high']:.2f}]" in evidence
    assert f"with 15 points and 4 seeds, an observed |r| ≥ {power['r_critical']:.2f}" in evidence
    # the side metrics are the study's r and ρ, each caption with its p-value and interval
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["Pearson r"]) == pytest.approx(corr["pearson_r"])
    assert float(metrics["Spearman ρ"]) == pytest.approx(corr["spearman_rho"])
    captions = [c.value for c in at.get("caption")]
    assert any(f"[{corr['spearman_rho_ci_low']:.2f}, {corr['spearman_rho_ci_high']:.2f}]" in c for c in captions)
