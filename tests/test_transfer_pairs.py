"""Cross-dataset transferability (dsviz.studies.transfer_pairs) and ``precompute transfer-pairs``, on a tiny budget."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

import dsviz.studies.transfer_pairs as tp
from dsviz.cli import main
from dsviz.runtime.cache import Cache
from dsviz.studies.transfer_stats import relative_error_drop

TINY = tp.PairsConfig(
    pretrain_n=400, pretrain_epochs=1, finetune_per_class=30, finetune_epochs=6, test_n=300, otdd_n=100, seeds=(0, 1)
)
DATASETS = ["mnist", "emnist-letters", "usps"]


@pytest.fixture(scope="module")
def tiny(real_data_dir, tmp_path_factory):
    """A tiny study over three real datasets, computed once; yields (study, cache, progress calls)."""
    cache = Cache(tmp_path_factory.mktemp("pairs_cache"))
    seen = []
    study = tp.transfer_pairs_study(
        DATASETS,
        TINY,
        device="cpu",
        threads=1,
        data_dir=real_data_dir,
        cache=cache,
        progress=lambda d, t, w: seen.append((d, t, w)),
    )
    return study, cache, seen


def test_plan_has_every_directed_pair_and_one_pretraining_per_source_and_seed():
    names = ["mnist", "emnist-letters", "fashion-mnist", "usps"]
    stage1, stage2 = tp.plan(names, TINY)
    assert len(tp.directed_pairs(names)) == 12
    pretrain = [t for t in stage1 if isinstance(t, tp.PretrainTask)]
    assert {(t.source, t.seed) for t in pretrain} == {(d, s) for d in names for s in TINY.seeds}
    assert len([t for t in stage1 if isinstance(t, tp.OtddTask)]) == 6  # symmetric: one per unordered pair
    assert len(stage2) == 12 * len(TINY.seeds)
    assert all(t.pretrain in pretrain for t in stage2)
    names_all = [t.name for t in stage1 + stage2]
    assert len(set(names_all)) == len(names_all)
    with pytest.raises(dataclasses.FrozenInstanceError):
        stage2[0].seed = 5  # task specs are frozen, hashable values
    assert len({*stage1, *stage2}) == len(names_all)


def test_balanced_sample_is_even_capped_and_seeded():
    labels = np.repeat([0, 1, 2], [50, 5, 50])
    idx = tp.balanced_sample(labels, 60, seed=3)
    assert len(idx) == 60 and len(set(idx)) == 60
    assert np.bincount(labels[idx]).tolist() == [28, 5, 27]  # class 1 gives all it has
    np.testing.assert_array_equal(idx, tp.balanced_sample(labels, 60, seed=3))
    assert not np.array_equal(idx, tp.balanced_sample(labels, 60, seed=4))
    np.testing.assert_array_equal(tp.balanced_sample(labels, 500, seed=0), np.arange(len(labels)))


def test_single_split_dataset_gets_a_disjoint_held_out_test_set(real_data_dir):
    splits = tp.load_splits("emnist-letters", real_data_dir)
    assert splits.holdout and splits.test.split_used == "held-out"
    total = len(splits.train.labels) + len(splits.test.labels)
    assert len(splits.test.labels) == round(tp.HOLDOUT_FRACTION * total)
    # Pool and test set partition the split: together they are exactly its images (as a multiset).
    from dsviz.data import load

    full = load("emnist-letters", split="test", data_dir=real_data_dir)
    both = np.concatenate([splits.train.images, splits.test.images]).reshape(total, -1)
    key = lambda a: np.sort(a.view(f"V{a.shape[1]}").ravel())  # noqa: E731
    assert total == len(full.labels)
    np.testing.assert_array_equal(key(both), key(full.images.reshape(total, -1)))
    mnist = tp.load_splits("mnist", real_data_dir)
    assert not mnist.holdout and len(mnist.test.labels) == 10000


def test_tiny_study_measures_the_relative_error_drop(tiny):
    study, _, seen = tiny
    assert study.pairs == tp.directed_pairs(DATASETS)
    assert study.acc_finetune.shape == (6, 2) and study.acc_scratch.shape == (3, 2)
    scratch = np.stack([study.scratch_of(t) for _, t in study.pairs])
    np.testing.assert_allclose(study.gains, 100 * ((1 - scratch) - (1 - study.acc_finetune)) / (1 - scratch))
    np.testing.assert_allclose(study.gains, relative_error_drop(study.acc_finetune, scratch))
    np.testing.assert_allclose(study.gain_std, study.gains.std(axis=1, ddof=1))
    # Better than chance on the digit targets (chance: 10 %).
    assert study.scratch_of("mnist").mean() > 0.25 and study.scratch_of("usps").mean() > 0.25
    # OTDD is symmetric: both directions of a pair share it, and it is positive.
    otdd = dict(zip(study.pairs, study.otdd))
    assert all(otdd[(a, b)] == otdd[(b, a)] > 0 for a, b in study.pairs)
    assert study.holdout == ["emnist-letters"]
    assert seen[-1][0] == seen[-1][1] and len(seen) == len(tp.plan(DATASETS, TINY)[0]) + 12 + 1
    assert set(study.correlations()) >= {
        "pearson_r",
        "pearson_p",
        "spearman_rho",
        "spearman_p",
        "spearman_rho_ci_low",
        "spearman_rho_ci_high",
    }


def test_study_is_cached_and_resumes_without_retraining(tiny, real_data_dir, monkeypatch):
    study, cache, _ = tiny
    again = tp.transfer_pairs_study(DATASETS, TINY, data_dir=real_data_dir, cache=cache, compute=False)
    np.testing.assert_array_equal(again.acc_finetune, study.acc_finetune)
    assert again.config == TINY and again.pairs == study.pairs
    latest = tp.latest_study(cache)
    np.testing.assert_array_equal(latest.otdd, study.otdd)

    # Drop the assembled study: a rerun finds every task in the cache and trains nothing.
    for function in (tp.STUDY_FUNCTION, tp.LATEST_FUNCTION):
        for entry in (cache.root / function).glob("*.npz"):
            entry.unlink()
    assert tp.latest_study(cache) is None

    def no_training(*args, **kwargs):
        raise AssertionError("a cached task was recomputed")

    monkeypatch.setattr(tp, "run_pretrain", no_training)
    monkeypatch.setattr(tp, "run_finetune", no_training)
    monkeypatch.setattr(tp, "run_scratch", no_training)
    resumed = tp.transfer_pairs_study(DATASETS, TINY, device="cpu", data_dir=real_data_dir, cache=cache)
    np.testing.assert_array_equal(resumed.acc_finetune, study.acc_finetune)
    np.testing.assert_array_equal(tp.latest_study(cache).acc_finetune, study.acc_finetune)  # recorded again


def test_study_rejects_a_single_dataset(real_data_dir, tmp_path):
    with pytest.raises(ValueError, match="two different datasets"):
        tp.transfer_pairs_study(["mnist", "mnist"], TINY, data_dir=real_data_dir, cache=Cache(tmp_path))


TINY_ARGS = [
    "--datasets",
    *DATASETS,
    "--pretrain-n",
    "400",
    "--pretrain-epochs",
    "1",
    "--finetune-per-class",
    "30",
    "--finetune-epochs",
    "6",
    "--test-n",
    "300",
    "--otdd-n",
    "100",
    "--seeds",
    "0",
    "1",
]


def test_cli_precompute_transfer_pairs_json(tiny, monkeypatch, capsys):
    study, cache, _ = tiny
    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(cache.root))
    assert main(["precompute", "transfer-pairs", *TINY_ARGS, "--device", "cpu", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["target"] == "transfer-pairs"
    assert [(p["src"], p["tgt"]) for p in out["pairs"]] == study.pairs
    for p in out["pairs"]:
        assert set(p) >= {"src", "tgt", "otdd", "gain_mean", "gain_std"}
        assert p["gain_mean"] == pytest.approx(np.mean(p["gains"]))
    assert out["correlations"] == pytest.approx(study.correlations(), nan_ok=True)
    assert set(out["correlations"]) >= {
        "pearson_r",
        "pearson_p",
        "spearman_rho",
        "spearman_p",
        "spearman_rho_ci_low",
        "spearman_rho_ci_high",
    }
    assert out["settings"]["seeds"] == [0, 1] and out["settings"]["config"]["otdd_n"] == 100
    assert out["settings"]["holdout"].keys() == {"emnist-letters"}
    assert out["seconds"] >= 0 and out["compute_seconds"] == pytest.approx(tp.latest_study(cache).seconds)


def test_cli_transfer_pairs_unknown_dataset_exits_2(real_data_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(tmp_path))
    assert main(["precompute", "transfer-pairs", "--datasets", "mnist", "nope"]) == 2
    assert "nope" in capsys.readouterr().err
