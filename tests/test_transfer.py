"""Transferability study (dsviz.studies.transfer) and ``python -m dsviz precompute``."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
import torch
from scipy import stats

from dsviz.cli import main
from dsviz.data.transforms import TRANSFORMS
from dsviz.nets import LeNet5, init_model, reset_classifier, torch_threads
from dsviz.runtime.cache import Cache
from dsviz.runtime.codec import decode, encode
from dsviz.studies.transfer import (
    DEFAULT_SETTINGS,
    PLAIN,
    Setting,
    TransferConfig,
    TransferStudy,
    load_seed_data,
    most_seeded_study,
    scratch_accuracy,
    transfer_study,
)

TINY = TransferConfig(
    pretrain_n=400, pretrain_epochs=1, finetune_per_class=20, finetune_epochs=8, test_n=400, otdd_n=100, seeds=(0, 1)
)
TINY_SETTINGS = (Setting(PLAIN, 0.0), Setting("rotation", 180), Setting("crop", 0.2))
TINY_ARGS = [
    "--pretrain-n",
    "400",
    "--pretrain-epochs",
    "1",
    "--finetune-per-class",
    "20",
    "--finetune-epochs",
    "8",
    "--test-n",
    "400",
    "--otdd-n",
    "100",
    "--seeds",
    "0",
    "1",
    "--settings",
    "3",
]


def test_default_grid_has_plain_mnist_and_at_least_12_transformed_settings():
    assert DEFAULT_SETTINGS[0].transform == PLAIN
    transformed = [s for s in DEFAULT_SETTINGS if s.transform != PLAIN]
    assert len(set(transformed)) >= 12
    assert len(TransferConfig().seeds) >= 3


def test_lenet5_is_the_authors_network():
    model = LeNet5()
    assert model(torch.zeros(7, 1, 28, 28)).shape == (7, 10)
    # otdd/pytorch/nets.py::LeNet at 28 x 28: conv1 156 + conv2 2416 + fc 256*120+120 + 10164 + 850
    assert sum(p.numel() for p in model.parameters()) == 44426
    assert sum(isinstance(m, torch.nn.Dropout) and m.p == 0.5 for m in model.modules()) == 2
    assert LeNet5(26)(torch.zeros(2, 1, 28, 28)).shape == (2, 26)


def test_reset_classifier_keeps_features_and_draws_a_seeded_head():
    model = init_model(0, torch.device("cpu"))
    features = [p.clone() for p in model.features.parameters()]
    reset_classifier(model, 3, 13)
    assert model(torch.zeros(1, 1, 28, 28)).shape == (1, 13)
    assert all(torch.equal(a, b) for a, b in zip(features, model.features.parameters()))
    other = reset_classifier(init_model(0, torch.device("cpu")), 3, 13)
    assert all(torch.equal(a, b) for a, b in zip(model.classifier.parameters(), other.classifier.parameters()))


def test_init_model_is_seeded_and_leaves_the_global_rng_alone():
    state = torch.random.get_rng_state()
    a, b, c = init_model(0, torch.device("cpu")), init_model(0, torch.device("cpu")), init_model(1, torch.device("cpu"))
    assert torch.equal(torch.random.get_rng_state(), state)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(next(a.parameters()), next(c.parameters()))


def test_tiny_study_trains_better_than_chance_and_gain_is_the_difference(real_data_dir, tmp_path):
    cache = Cache(tmp_path)
    seen = []
    study = transfer_study(
        TINY_SETTINGS,
        TINY,
        device="cpu",
        threads=1,
        data_dir=real_data_dir,
        cache=cache,
        progress=lambda d, t, w: seen.append((d, t)),
    )
    assert study.acc_finetune.shape == (3, 2) and study.acc_scratch.shape == (2,)
    assert (study.acc_scratch > 0.3).all()  # chance is 0.1
    assert (study.acc_finetune > 0.3).all()
    np.testing.assert_allclose(study.gains, study.acc_finetune - study.acc_scratch[None, :])
    np.testing.assert_allclose(study.gain_std, np.std(study.gains, axis=1, ddof=1))
    err_s, err_f = 1 - study.acc_scratch[None, :], 1 - study.acc_finetune
    np.testing.assert_allclose(study.drops, 100 * (err_s - err_f) / err_s)
    np.testing.assert_allclose(study.drop_std, np.std(study.drops, axis=1, ddof=1))
    assert seen[-1][0] == seen[-1][1]
    # Rotating MNIST by 180 degrees puts it further from USPS than plain MNIST.
    assert study.otdd[1] > study.otdd[0]

    again = transfer_study(TINY_SETTINGS, TINY, device="cpu", data_dir=real_data_dir, cache=cache, compute=False)
    np.testing.assert_array_equal(again.acc_finetune, study.acc_finetune)
    np.testing.assert_array_equal(again.otdd, study.otdd)
    assert again.settings == list(TINY_SETTINGS) and again.config == TINY
    # The page shows its budget's study with the most seeds: a later one-seed study (cached runs) does not replace it.
    assert most_seeded_study(TINY_SETTINGS, TINY, cache).config.seeds == TINY.seeds
    one = replace(TINY, seeds=TINY.seeds[:1])
    transfer_study(TINY_SETTINGS, one, device="cpu", data_dir=real_data_dir, cache=cache)
    assert most_seeded_study(TINY_SETTINGS, one, cache).config.seeds == TINY.seeds
    assert most_seeded_study(TINY_SETTINGS, replace(TINY, lr=0.1), cache) is None  # another budget
    power = study.power()
    assert power["n_points"] == 3 and power["n_seeds"] == len(TINY.seeds) and np.isnan(power["r_power"])


def test_scratch_training_is_deterministic(real_data_dir):
    data = load_seed_data(TINY, 0, real_data_dir)
    with torch_threads(1):
        first = scratch_accuracy(TINY, data, torch.device("cpu"))
        assert scratch_accuracy(TINY, data, torch.device("cpu")) == first


def test_uncached_study_lookup_returns_none(real_data_dir, tmp_path):
    assert transfer_study(TINY_SETTINGS, TINY, data_dir=real_data_dir, cache=Cache(tmp_path), compute=False) is None


def test_correlations_match_scipy_and_numpy():
    rng = np.random.default_rng(0)
    otdd = rng.uniform(1000, 3000, size=8)
    acc_scratch = np.array([0.8, 0.82, 0.81])
    acc_ft = 0.95 - 2e-5 * otdd[:, None] + rng.normal(0, 0.005, size=(8, 3))
    settings = [Setting("blur", float(m)) for m in TRANSFORMS["blur"].grid]
    study = TransferStudy(settings, TransferConfig(), otdd, acc_ft, acc_scratch)
    corr = study.correlations()
    drop = np.mean(100 * ((1 - acc_scratch) - (1 - acc_ft)) / (1 - acc_scratch), axis=1)
    assert corr["pearson_r"] == pytest.approx(np.corrcoef(otdd, drop)[0, 1])
    assert corr["spearman_rho"] == pytest.approx(stats.spearmanr(otdd, drop).statistic)
    slope, intercept = np.polyfit(otdd, drop, 1)
    assert corr["slope"] == pytest.approx(slope) and corr["intercept"] == pytest.approx(intercept)
    assert corr["pearson_r"] < -0.9
    gain = acc_ft.mean(axis=1) - acc_scratch.mean()
    assert study.accuracy_gain_correlations()["pearson_r"] == pytest.approx(np.corrcoef(otdd, gain)[0, 1])
    roundtrip = decode(TransferStudy, encode(study))
    assert roundtrip.settings == settings and roundtrip.config == study.config
    np.testing.assert_array_equal(roundtrip.acc_finetune, acc_ft)


def test_correlations_are_nan_when_undefined():
    study = TransferStudy(
        [Setting(PLAIN, 0.0)] * 2, TransferConfig(), np.array([1.0, 2.0]), np.full((2, 3), 0.9), np.full(3, 0.8)
    )
    assert np.isnan(study.correlations()["pearson_r"])


def test_study_rejects_unknown_settings(real_data_dir, tmp_path):
    with pytest.raises(ValueError, match="unknown transformation"):
        transfer_study([Setting("spin", 1.0)], TINY, data_dir=real_data_dir, cache=Cache(tmp_path))


def test_cli_precompute_transfer_json(real_data_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(tmp_path))
    assert main(["precompute", "transfer", *TINY_ARGS, "--device", "cpu", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["target"] == "transfer"
    assert [row["label"] for row in out["settings"]] == [s.label for s in DEFAULT_SETTINGS[:3]]
    for row in out["settings"]:
        assert set(row) >= {"transform", "magnitude", "otdd", "gain_mean", "gain_std", "acc_finetune", "acc_scratch"}
        assert row["gain_mean"] == pytest.approx(np.mean(row["acc_finetune"]) - np.mean(row["acc_scratch"]))
        assert row["drop_mean"] == pytest.approx(np.mean(row["drops"]))
    assert set(out["correlations"]) == {
        "pearson_r",
        "pearson_p",
        "spearman_rho",
        "spearman_p",
        "slope",
        "intercept",
        "spearman_rho_ci_low",
        "spearman_rho_ci_high",
        "pearson_r_ci_low",
        "pearson_r_ci_high",
    }
    assert set(out["correlations_accuracy_gain"]) == set(out["correlations"])
    assert out["power"]["n_points"] == 3 and out["power"]["n_seeds"] == 2
    assert out["study_settings"]["seeds"] == [0, 1] and "relative drop" in out["study_settings"]["measure"]
    assert out["study_settings"]["transformations"] == [s.label for s in DEFAULT_SETTINGS[:3]]
    assert out["config"]["pretrain_n"] == 400 and out["config"]["seeds"] == [0, 1]


def test_cli_precompute_augment_json(real_data_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(tmp_path))
    args = ["precompute", "augment", "--transforms", "crop", "--n", "100", "--json"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["curves"]["crop"]["magnitudes"] == [0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5]
    assert not any(first["curves"]["crop"]["cached"])
    assert main(args) == 0
    second = json.loads(capsys.readouterr().out)
    assert all(second["curves"]["crop"]["cached"])
    assert second["curves"]["crop"]["otdd"] == first["curves"]["crop"]["otdd"]


@pytest.mark.parametrize(
    "argv",
    [["precompute"], ["precompute", "transfer", "--seeds", "x"], ["precompute", "augment", "--transforms", "spin"]],
)
def test_cli_precompute_bad_arguments_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
