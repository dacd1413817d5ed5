"""Page texts that state results or durations are written from what was computed or measured.

Covers the Augmentations export (the chart's quantity), the durations (measured-cost estimates), the
Dataset pairs transfer study's budget and seeds, and the SimEx Table 1 / Table 2 sentences.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
import torch
from streamlit.testing.v1 import AppTest

import dsviz.studies.transfer as transfer
import dsviz.studies.transfer_pairs as transfer_pairs
import ui.export
from dsviz import methods
from dsviz.nets import init_model, train, train_cost_step
from dsviz.runtime import timings
from dsviz.runtime.device import resolve_device
from ui.estimates import device_name, duration, time_estimate
from ui.simex_text import resnet_confusion_cell, table1_findings
from ui.study_labels import pairs_study_label

APP = str(Path(__file__).resolve().parents[1] / "app.py")
CPU = torch.device("cpu")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(tmp_path))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield tmp_path
    st.cache_data.clear()
    st.cache_resource.clear()


def _open(page: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=600)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


# --- durations ------------------------------------------------------------------------------------


def test_duration_and_estimate_sentences():
    assert duration(45) == "45 s" and duration(12 * 60) == "12 min" and duration(5400) == "1.5 h"
    assert time_estimate(None, CPU).startswith("no time estimate yet")
    assert time_estimate(120.0, CPU) == "about 2 min on this machine's CPU, scaled from the last runs measured here"
    assert "GPU" in time_estimate(120.0, torch.device("cuda"))


def test_training_records_its_cost_and_the_study_estimates_scale_it(cache_dir):
    config = transfer.TransferConfig(pretrain_n=200, pretrain_epochs=2, finetune_per_class=5, finetune_epochs=3)
    assert transfer.estimate_study_seconds(transfer.DEFAULT_SETTINGS, config, "cpu") is None
    images = np.random.default_rng(0).integers(0, 256, size=(16, 28, 28), dtype=np.uint8)
    train(init_model(0, CPU), images, np.arange(16) % 10, epochs=2, batch_size=8, lr=1e-3, seed=0)
    measured = json.loads((cache_dir / "costs.json").read_text())[train_cost_step(CPU)]
    assert measured["units"] == 32 and measured["seconds"] > 0
    timings.record(train_cost_step(CPU), 1000, 10.0)  # 0.01 s per image-epoch
    assert transfer.estimate_study_seconds(transfer.DEFAULT_SETTINGS, config, "cpu") is None  # no OTDD measured
    timings.record(methods.base.cost_step(methods.get("otdd-exact")), 1000.0 * 1000.0, 4.0)
    settings = transfer.DEFAULT_SETTINGS
    per_seed = len(settings) * (200 * 2 + 5 * 10 * 3) + 5 * 10 * 3
    expected = 0.01 * per_seed * len(config.seeds) + 4.0 * len(settings)
    assert transfer.estimate_study_seconds(settings, config, "cpu") == pytest.approx(expected)
    pairs = transfer_pairs.PairsConfig(pretrain_n=100, pretrain_epochs=1, finetune_per_class=2, finetune_epochs=1)
    # mnist and usps: 10 classes each; two directed pairs, one OTDD with 2000 per side
    per_seed = 2 * 100 + 2 * 20 + 2 * 20
    expected = 0.01 * per_seed * len(pairs.seeds) + 4.0 * 4
    assert transfer_pairs.estimate_study_seconds(["mnist", "usps"], pairs, "cpu") == pytest.approx(expected)


def test_augmentations_page_states_the_measured_estimate_not_a_fixed_duration(cache_dir, real_data_dir):
    here = resolve_device("auto")  # where the page's study would train
    at = _open("pages/augmentations.py")
    (info,) = [i.value for i in at.info if "precompute transfer" in i.value]
    assert "minutes measured" not in info and "a few minutes" not in info
    assert info.count("no time estimate yet") == 2
    timings.record(train_cost_step(here), 1000, 60.0)  # 0.06 s per image-epoch
    at = _open("pages/augmentations.py")
    (info,) = [i.value for i in at.info if "precompute transfer" in i.value]
    full = transfer.estimate_study_seconds(transfer.DEFAULT_SETTINGS, transfer.TransferConfig(), here)
    assert full is not None  # the page's own OTDD view measured otdd-exact on 1000 per side
    assert f"about {duration(full)} on this machine's {device_name(here)}" in info


def test_dataset_pairs_page_states_the_measured_estimate(cache_dir, real_data_dir, monkeypatch):
    monkeypatch.setattr(transfer_pairs, "latest_study", lambda cache=None: None)
    at = _open("pages/dataset_pairs.py", {"n": "250", "method": "sotdd"})
    (info,) = [i.value for i in at.info if "precompute transfer-pairs" in i.value]
    assert "28 minutes" not in info and "no time estimate yet" in info


# --- the Augmentations export ---------------------------------------------------------------------


def _synthetic_transfer_study() -> transfer.TransferStudy:
    settings = list(transfer.DEFAULT_SETTINGS)
    rng = np.random.default_rng(0)
    otdd = np.linspace(500.0, 4000.0, len(settings))
    scratch = np.array([0.80, 0.82, 0.78])
    finetune = np.clip(0.95 - otdd[:, None] / 40000 + rng.normal(0, 0.01, (len(settings), 3)), 0, 0.99)
    return transfer.TransferStudy(settings, transfer.TransferConfig(), otdd, finetune, scratch, 60.0, ["cpu"])


def _values(encoded) -> np.ndarray:
    """A figure JSON array: a list, or plotly's typed array ``{"dtype", "bdata"}`` (base64)."""
    if isinstance(encoded, dict):
        return np.frombuffer(base64.b64decode(encoded["bdata"]), dtype=encoded["dtype"])
    return np.asarray(encoded, dtype=float)


def test_augmentations_export_is_the_charts_quantity(cache_dir, real_data_dir, monkeypatch):
    study = _synthetic_transfer_study()
    monkeypatch.setattr(transfer, "transfer_study", lambda *args, **kwargs: study)
    exported = {}
    real = ui.export.table_downloads

    def spy(name, table, settings, **kwargs):
        exported[name] = (table, settings)
        return real(name, table, settings, **kwargs)

    monkeypatch.setattr(ui.export, "table_downloads", spy)
    at = _open("pages/augmentations.py")
    table, settings = exported["transfer study"]
    (chart,) = [c for c in at.get("plotly_chart") if "transfer_scatter" in c.proto.id]
    (points,) = [t for t in json.loads(chart.proto.spec)["data"] if t.get("name") == "measured"]
    np.testing.assert_allclose(_values(points["y"]), table["drop_mean_percent"])  # the chart's y, in %
    np.testing.assert_allclose(_values(points["error_y"]["array"]), table["drop_std_percent"])
    np.testing.assert_allclose(table["drop_mean_percent"], study.drop_mean)
    np.testing.assert_allclose(table["drop_std_percent"], study.drop_std)
    assert "gain_mean" not in table and "relative drop" in settings["y"]
    assert settings["correlations"]["pearson_r"] == pytest.approx(study.correlations()["pearson_r"])


# --- the Dataset pairs transfer study ---------------------------------------------------------------


def _pairs_study(config: transfer_pairs.PairsConfig) -> transfer_pairs.PairsStudy:
    datasets = ["mnist", "usps"]
    pairs = transfer_pairs.directed_pairs(datasets)
    k = len(config.seeds)
    return transfer_pairs.PairsStudy(
        datasets,
        pairs,
        config,
        np.array([900.0, 900.0]),
        np.full((2, k), 0.9),
        np.full((2, k), 0.8),
        {d: config.pretrain_n for d in datasets},
        [],
        30.0,
        ["cpu"],
    )


def test_pairs_study_label_names_budget_seeds_and_what_differs():
    default = transfer_pairs.PairsConfig()
    text, is_default = pairs_study_label(default, default)
    assert (
        is_default
        and "default" in text
        and f"{len(default.seeds)} seeds ({', '.join(map(str, default.seeds))})" in text
    )
    small = transfer_pairs.PairsConfig(pretrain_n=500, seeds=(0,))
    text, is_default = pairs_study_label(small, default)
    assert not is_default
    assert "pretrain_n 500 (default 10000)" in text and "1 seed (0)" in text and "not the default" in text


def test_dataset_pairs_page_says_which_study_it_shows(cache_dir, real_data_dir, monkeypatch):
    small = transfer_pairs.PairsConfig(pretrain_n=500, finetune_epochs=2, seeds=(0, 1))
    monkeypatch.setattr(transfer_pairs, "latest_study", lambda cache=None: _pairs_study(small))
    at = _open("pages/dataset_pairs.py", {"n": "250", "method": "sotdd"})
    (warning,) = [w.value for w in at.warning if "Study shown" in w.value]
    assert "2 seeds (0, 1)" in warning and "500 source images" in warning and "finetune_epochs 2 (default 5)" in warning


# --- SimEx ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("gpu", [False, True])
def test_resnet_cell_follows_the_device(monkeypatch, gpu):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: gpu)
    cell = resnet_confusion_cell(resolve_device("auto"))
    assert ("needs a GPU" in cell) != gpu
    assert ("has a GPU" in cell) == gpu


NAMES = ["mnist", "mnist-rotated", "fashion-mnist"]
SHORT = {"mnist": "M", "mnist-rotated": "R", "fashion-mnist": "F"}


def test_table1_findings_when_retraining_ranks_ease_and_simex_puts_the_base_first():
    accuracy = np.array([[1.0, 0.9, 0.95], [0.5, 0.6, 0.4], [0.7, 0.5, 0.9]])  # M first for all, R last for two
    delta = np.array([[0.1, 0.5, 0.5], [0.5, 0.1, 0.5], [0.5, 0.5, 0.1]])  # own dataset lowest Δ
    text = table1_findings(NAMES, delta, np.ones(3, bool), accuracy, np.array([0.5, 0.5, np.nan]), np.zeros(3), SHORT)
    assert "Retraining puts M first for 3 of 3 bases and R last for 2 of 3" in text
    assert "hardly depends on the base" in text
    assert "own dataset first for 3 of 3 trained bases" in text
    assert "SimEx 0.50, sample space 0.00" in text


def test_table1_findings_when_retraining_follows_the_base_and_a_member_did_not_train():
    accuracy = np.array([[1.0, 0.5, 0.4], [0.6, 1.0, 0.3], [0.2, 0.1, 1.0]])  # each base's own first
    delta = np.array([[0.5, 0.1, 0.5], [0.1, 0.5, 0.5], [0.5, 0.5, 0.1]])
    trained = np.array([True, True, False])
    text = table1_findings(NAMES, delta, trained, accuracy, np.full(3, np.nan), np.full(3, np.nan), SHORT)
    assert "first for 1 of 3 bases" in text and "hardly depends" not in text
    assert "own dataset first for 0 of 2 trained bases" in text
    assert "SimEx —, sample space —" in text


def _fake_fleet(parts, loss="mse", epochs=1, **kwargs):
    """A fleet whose Δ puts every part's own autoencoder first (real, untrained weights for the reconstructions)."""
    from dsviz.simex import FleetAutoencoder
    from dsviz.simex.fleet import FleetRun
    from dsviz.simex.model import state_arrays

    k = len(parts.names)
    delta = np.full((k, k), 0.5) - 0.4 * np.eye(k) + np.arange(k)[None, :] * 1e-3
    weights = state_arrays(FleetAutoencoder(k))
    fleet = FleetRun(
        tuple(parts.names),
        loss,
        delta,
        delta[None],
        np.full((1, k), 0.01),
        np.ones(k),
        np.full(k, 0.1),
        1.0,
        weights,
        {"epochs": epochs, "seed": kwargs.get("seed", 0)},
    )
    return fleet, True


def _simex_page(monkeypatch, retrain_raw) -> AppTest:
    import dsviz.simex.runs as runs
    import dsviz.studies.simex_baselines.confusion as confusion
    import dsviz.studies.simex_baselines.retrain as retrain

    def fake_retrain(names, *args, **kwargs):
        k = len(names)
        raw = retrain_raw(k)
        return retrain.RetrainBaseline(tuple(names), raw, np.ones(k), 1.0, retrain.RetrainConfig()), True

    def fake_confusion(name, *args, **kwargs):
        matrix = np.full((10, 10), 1 / 9)
        np.fill_diagonal(matrix, np.nan)
        classes = tuple(map(str, range(10)))
        return confusion.ConfusionBaseline(classes, matrix, np.full(10, 0.9), 1.0, confusion.ConfusionConfig()), True

    monkeypatch.setattr(runs, "simex", _fake_fleet)
    monkeypatch.setattr(runs, "aad", lambda *args, **kwargs: (None, False))
    monkeypatch.setattr(retrain, "retrain_baseline", fake_retrain)
    monkeypatch.setattr(confusion, "confusion_baseline", fake_confusion)
    return _open("pages/simex.py", {"n": "60", "n_eval": "20", "epochs": "1"})


def _table1_caption(at: AppTest) -> str:
    (caption,) = [c.value for c in at.caption if "Retraining puts" in c.value]
    return caption


@pytest.mark.parametrize("gpu", [False, True])
def test_simex_page_writes_table1_from_the_data_and_table2_from_the_device(cache_dir, real_data_dir, monkeypatch, gpu):
    import dsviz.runtime.device as device

    # the page asks resolve_device where work would run; the trained fleets stay on the CPU
    real = device.resolve_device
    monkeypatch.setattr(
        device, "resolve_device", lambda d="auto": torch.device("cuda" if gpu else "cpu") if d == "auto" else real(d)
    )
    # retraining that ranks the first dataset highest for every base: "hardly depends on the base"
    at = _simex_page(monkeypatch, lambda k: np.tile(np.linspace(0.9, 0.5, k)[:, None], (1, k)))
    caption = _table1_caption(at)
    (k,) = {len(t.value) for t in at.table if "ρ SimEx vs. retraining (ours)" in t.value.columns}
    assert f"first for {k} of {k} bases" in caption and "hardly depends on the base" in caption
    assert f"own dataset first for {k} of {k} trained bases" in caption
    (table2,) = [t.value for t in at.table if "ResNet-18 confusion" in t.value.columns]
    cells = set(table2["ResNet-18 confusion"])
    assert cells == {resnet_confusion_cell(torch.device("cuda" if gpu else "cpu"))}
    assert any("needs a GPU" in c for c in cells) != gpu


def test_simex_page_table1_caption_changes_with_the_retraining_order(cache_dir, real_data_dir, monkeypatch):
    # retraining that ranks each base's own dataset first: no claim that the order ignores the base
    at = _simex_page(monkeypatch, lambda k: 0.5 + 0.4 * np.eye(k))
    caption = _table1_caption(at)
    assert "hardly depends" not in caption and "first for 1 of" in caption
