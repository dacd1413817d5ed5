"""The untrained-member guard, the retraining (§5.1) and confusion (§5.4) baselines, their CLI keys."""

from __future__ import annotations

import functools
import json

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr

import dsviz.commands.simex as simex_command
from dsviz.cli import main
from dsviz.nets import init_model
from dsviz.simex import FleetAutoencoder, train_fleet
from dsviz.simex.fleet import UNTRAINED_RATIO
from dsviz.simex.ranking import seed_stability
from dsviz.studies.simex_baselines.confusion import (
    ConfusionConfig,
    compute_confusion,
    confusion_baseline,
    confusion_spearman,
)
from dsviz.studies.simex_baselines.retrain import (
    LabeledSplit,
    RetrainBaseline,
    RetrainConfig,
    compute_retrain,
    frozen_copy,
    retrain_baseline,
    spearman_per_base,
)


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(tmp_path / "cache"))


def _bar_classes(
    n: int, seed: int, vertical: bool = False, rows: tuple[int, ...] = (3, 12, 21)
) -> tuple[np.ndarray, np.ndarray]:
    """Labeled synthetic images: class c is a 3-px bar starting at row (column) ``rows[c]`` ± 1 px."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(rows), size=n)
    images = np.zeros((n, 28, 28), dtype=np.uint8)
    for i, c in enumerate(labels):
        pos = rows[c] + rng.integers(-1, 2)
        if vertical:
            images[i, 4:24, pos : pos + 3] = 255
        else:
            images[i, pos : pos + 3, 4:24] = 255
    return images, labels.astype(np.int64)


# --- the guard ------------------------------------------------------------------------------------


def test_output_bias_starts_at_the_data_mean():
    model = FleetAutoencoder(2)
    model.init_output_bias([0.25, 0.5])
    np.testing.assert_allclose(model.deconv2.bias.detach().numpy(), np.log([1 / 3] * 4 + [1.0] * 4), atol=1e-6)
    with pytest.raises(ValueError):
        model.init_output_bias([0.1])


def test_a_member_that_cannot_train_is_flagged(monkeypatch):
    """Member 1 starts with its sigmoid output saturated (logit -40, as the issue-12 member ended up): flagged."""
    original = FleetAutoencoder.init_output_bias

    def saturate_member_1(self, means):
        original(self, means)
        with torch.no_grad():
            self.deconv2.bias[4:8] = -40.0

    monkeypatch.setattr(FleetAutoencoder, "init_output_bias", saturate_member_1)
    h, _ = _bar_classes(160, 0)
    v, _ = _bar_classes(160, 1, vertical=True)
    run = train_fleet([h, v], [h[:20], v[:20]], ["h", "v"], epochs=2, lr=2e-3, batch_size=8, seed=0)
    assert run.untrained_members == (1,)
    assert run.train_loss[-1, 1] > UNTRAINED_RATIO * run.constant_loss[1]
    assert run.train_loss[-1, 0] < UNTRAINED_RATIO * run.constant_loss[0]
    assert list(run.trained_mask) == [True, False]
    np.testing.assert_allclose(
        run.constant_loss, [((x / 255.0 - (x / 255.0).mean(0)) ** 2).mean() for x in (h, v)], rtol=1e-5
    )


def test_seed_stability():
    a = np.array([[1.0, 2, 3], [3, 2, 1], [2, 1, 3]])
    assert seed_stability([a, a * 2], [np.ones(3, bool)] * 2) == pytest.approx(1.0)
    assert seed_stability([a, -a], [np.ones(3, bool)] * 2) == pytest.approx(-1.0)
    assert np.isnan(seed_stability([a], [np.ones(3, bool)]))


# --- retraining baseline (§5.1) -------------------------------------------------------------------


def test_spearman_per_base_known_values():
    delta = np.array([[0.1, 0.5, 0.3], [0.2, 0.1, 0.9], [0.3, 0.4, 0.2]])
    acc = -delta  # higher accuracy exactly where Δ is lower
    np.testing.assert_allclose(spearman_per_base(delta, acc), [1.0, 1.0, 1.0])
    acc2 = np.array([[1.0, 0.2, 0.3], [0.5, 1.0, 0.1], [0.6, 0.3, 1.0]])
    expected = [spearmanr(-delta[:, k], acc2[:, k]).statistic for k in range(3)]
    got = spearman_per_base(delta, acc2, trained=np.array([True, False, True]))
    np.testing.assert_allclose(got[[0, 2]], np.array(expected)[[0, 2]])
    assert np.isnan(got[1])


def test_frozen_copy_keeps_the_convolutions_and_resets_the_classifier():
    base = init_model(0, torch.device("cpu"))
    model = frozen_copy(base, seed=5)
    assert not any(p.requires_grad for p in model.features.parameters())
    assert all(p.requires_grad for p in model.classifier.parameters())
    fresh = init_model(5, torch.device("cpu"))
    for a, b in zip(model.classifier.parameters(), fresh.classifier.parameters(), strict=True):
        torch.testing.assert_close(a, b)
    for a, b in zip(model.features.parameters(), base.features.parameters(), strict=True):
        torch.testing.assert_close(a, b)
        assert a is not b


def test_retraining_baseline_on_synthetic_datasets():
    config = RetrainConfig(n_train=150, n_test=60, epochs=4, base_epochs=4, lr=3e-3, seed=0)
    splits = []
    for name, vertical in (("horizontal", False), ("vertical", True)):
        x, y = _bar_classes(210, 3 + vertical, vertical=vertical)
        splits.append(LabeledSplit(name, x[:150], y[:150], x[150:], y[150:]))
    res = compute_retrain(splits, config, references=splits)
    assert res.names == ("horizontal", "vertical") and res.raw_accuracy.shape == (2, 2)
    np.testing.assert_allclose(res.accuracy, res.raw_accuracy / res.base_accuracy[None, :])
    np.testing.assert_allclose(res.accuracy_by_data, res.raw_accuracy / res.base_accuracy[:, None])
    # The reference trains 30 epochs on the same split: the 4-epoch base reaches at least 90 % of it.
    assert np.all(res.reference_accuracy > 0.9) and res.trained.all()
    assert np.all(res.base_accuracy > 0.9)  # three well separated bar positions
    assert np.all(np.diag(res.accuracy) > 0.9)  # retraining the FC layers on the base's own data recovers it


def test_retraining_baseline_is_cached(real_data_dir):
    config = RetrainConfig(n_train=40, n_test=20, epochs=1, base_epochs=1, reference_n_train=40, reference_epochs=1)
    first, hit = retrain_baseline(["mnist", "kmnist", "emnist-letters"], config)
    assert not hit and first.names == ("mnist", "emnist-letters")  # kmnist is not on disk: skipped
    again, hit = retrain_baseline(["mnist", "kmnist", "emnist-letters"], config, cached_only=True)
    assert hit and np.array_equal(again.raw_accuracy, first.raw_accuracy)


# --- confusion baseline (§5.4) --------------------------------------------------------------------


def test_confusion_spearman_known_values():
    conf = np.array(
        [[np.nan, 0.7, 0.2, 0.1], [0.5, np.nan, 0.3, 0.2], [0.1, 0.2, np.nan, 0.7], [0.3, 0.3, 0.4, np.nan]]
    )
    dist = np.array([[0.0, 0.1, 0.2, 0.3], [0.1, 0.0, 0.2, 0.4], [0.3, 0.2, 0.0, 0.1], [0.3, 0.1, 0.2, 0.0]])
    rho = confusion_spearman(dist, conf)
    off = ~np.eye(4, dtype=bool)
    expected = [spearmanr(-dist[c, off[c]], conf[c, off[c]]).statistic for c in range(4)]
    np.testing.assert_allclose(rho, expected)
    np.testing.assert_allclose(rho[:3], [1.0, 1.0, 1.0])
    dist[:, 3] = np.nan  # an untrained member's column: rows keep the two or three other classes
    rho = confusion_spearman(dist, conf)
    assert np.isnan(rho[:3]).all() and rho[3] == pytest.approx(spearmanr(-dist[3, :3], conf[3, :3]).statistic)


def test_left_out_class_is_confused_with_the_similar_one():
    """Classes 1 and 2 are neighbouring bars (starting at rows 9 and 12, ± 1 px: they share
    pixels), class 0 lies far above (rows 3-5): the network trained without 1 calls its images
    2 and the one without 2 calls them 1, not 0."""
    rows = (3, 9, 12)
    x, y = _bar_classes(300, 7, rows=rows)
    xt, yt = _bar_classes(90, 8, rows=rows)
    res = compute_confusion(x, y, xt, yt, ("a", "b", "c"), ConfusionConfig(epochs=4, lr=3e-3))
    assert np.all(np.isnan(np.diag(res.matrix)))
    np.testing.assert_allclose(np.nansum(res.matrix, axis=1), 1.0, rtol=1e-5)
    assert res.matrix[1, 2] > res.matrix[1, 0] and res.matrix[2, 1] > res.matrix[2, 0]
    assert np.all(res.accuracy > 0.9)


# --- CLI keys on the real data ----------------------------------------------------------------------


def test_cli_retrain_and_confusion_keys(real_data_dir, capsys, monkeypatch):
    monkeypatch.setattr(
        simex_command,
        "RETRAIN_CONFIG",
        RetrainConfig(n_train=40, n_test=20, epochs=1, base_epochs=1, reference_n_train=40, reference_epochs=1),
    )
    monkeypatch.setattr(
        simex_command,
        "confusion_baseline",
        functools.partial(confusion_baseline, config=ConfusionConfig(n_per_class=10, n_test_per_class=5, epochs=1)),
    )
    tiny = ["--n", "30", "--n-eval", "10", "--epochs", "2"]
    assert (
        main(
            [
                "simex",
                "mnist",
                "fashion-mnist",
                "mnist-rotated",
                "--per",
                "dataset",
                *tiny,
                "--retrain-baseline",
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert np.array(data["retrain"]["accuracy"]).shape == (3, 3) and len(data["retrain"]["spearman_per_base"]) == 3
    r = data["retrain"]
    raw, base = np.array(r["raw_accuracy"]), np.array(r["base_accuracy"])
    with np.errstate(divide="ignore", invalid="ignore"):  # a base or reference at 0 (tiny budget): NaN, not inf
        by_data = np.where(base[:, None] > 0, raw / base[:, None], np.nan)
        ref = np.array(r["reference_accuracy"], dtype=float)
        share = np.where(ref > 0, base / ref, np.nan)
    np.testing.assert_allclose(np.array(r["accuracy_by_data"], dtype=float), by_data)
    assert len(r["spearman_per_base_by_data"]) == 3 and len(ref) == 3
    np.testing.assert_allclose(np.array(r["trained_share"], dtype=float), share)
    assert (
        r["trained"] == [bool(x >= 0.9) for x in np.nan_to_num(share)] and r["paper_orders"] == []
    )  # not the paper's five
    assert data["epochs"] == 2 and data["preview"] and data["settling_baseline"]["reference"] == "retraining"
    untrained = set(data["untrained_members"])
    for name, rho in zip(data["parts"], data["retrain"]["spearman_per_base"], strict=True):
        if name in untrained:
            assert rho is None  # an untrained member's column is never used
    tiny = ["--n", "20", "--n-eval", "10", "--epochs", "1"]
    assert main(["simex", "mnist", "--per", "class", *tiny, "--repeats", "2", "--confusion-baseline", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    matrix = data["confusion"]["matrix"]
    assert len(matrix) == 10 and all(len(row) == 10 and row[i] is None for i, row in enumerate(matrix))
    assert isinstance(data["confusion"]["spearman_sample"], float)
    assert (data["confusion"]["spearman_simex"] is None) == (len(data["untrained_members"]) >= 9)
    assert len(data["settling_baseline"]["per_seed"]) == 2 and data["settling_baseline"]["reference"] == "confusion"


def test_cli_rejects_baselines_on_the_wrong_kind_of_parts(real_data_dir, capsys):
    assert main(["simex", "mnist", "--retrain-baseline", "--epochs", "1"]) == 2
    assert main(["simex", "mnist", "usps", "--per", "dataset", "--confusion-baseline", "--epochs", "1"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_the_two_normalisations_and_the_paper_order_check():
    """Column reading: one constant per column, so its order is the raw order; row reading can reorder a column."""
    from dsviz.studies.simex_baselines.retrain import PAPER_RETRAIN_ORDERS, column_order, paper_order_check

    names = ("mnist", "mnist-rotated", "mnist-background", "fashion-mnist", "emnist-letters")
    base = np.array([0.99, 0.5, 0.9, 0.9, 0.95])  # the network trained on D_i, tested on D_i
    raw = np.array(
        [
            [0.99, 0.9, 0.9, 0.8, 0.9],
            [0.45, 0.5, 0.3, 0.3, 0.4],  # rotated: low raw accuracy, but 90 % of what rotated allows
            [0.6, 0.5, 0.9, 0.5, 0.6],
            [0.7, 0.6, 0.7, 0.9, 0.7],
            [0.9, 0.8, 0.8, 0.7, 0.95],
        ]
    )
    res = RetrainBaseline(names, raw, base, 0.0, RetrainConfig(), base / 0.95)
    assert column_order(res.accuracy, 0, names) == column_order(raw, 0, names)  # M E F B R
    assert column_order(res.accuracy_by_data, 0, names) == [
        "mnist",
        "emnist-letters",
        "mnist-rotated",
        "fashion-mnist",
        "mnist-background",
    ]
    (check,) = paper_order_check(res)
    assert check["paper"] == list(PAPER_RETRAIN_ORDERS["mnist"])
    assert check["by_data_positions_matching"] == 5 and check["by_base_positions_matching"] == 2
    np.testing.assert_allclose(res.trained_share, np.full(5, 0.95))
    assert res.trained.all()
    assert paper_order_check(RetrainBaseline(names[:2], raw[:2, :2], base[:2], 0.0, RetrainConfig())) == []


def test_normalised_accuracy_is_nan_for_a_base_that_got_nothing_right():
    from dsviz.studies.simex_baselines.retrain import normalised_accuracy

    raw = np.array([[0.5, 0.0], [0.25, 0.0]])
    out = normalised_accuracy(raw, np.array([0.5, 0.0]))
    np.testing.assert_allclose(out[:, 0], [1.0, 0.5])
    assert np.isnan(out[:, 1]).all()
