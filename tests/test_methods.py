"""The registry of dataset-distance methods (dsviz.methods), its cache keys and its CLI."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from dsviz import methods
from dsviz.cli import main
from dsviz.data import LabeledImages, to_features
from dsviz.methods.base import Distance, Method
from dsviz.otdd import compute_otdd
from dsviz.runtime.cache import Cache
from dsviz.simex.baseline import mean_pairwise_mse
from dsviz.studies import agreement

NAMES = ["otdd-exact", "otdd-gaussian", "sotdd", "simex-mse", "simex-issim", "aad", "sample-mse"]
FAST = {
    "simex-mse": {"epochs": 1, "n_eval": 6},
    "simex-issim": {"epochs": 1, "n_eval": 6},
    "aad": {"epochs": 1, "n_eval": 6},
    "sotdd": {"n_projections": 50},
}


def _sample(name: str, seed: int, n: int = 30, bright: int = 0) -> LabeledImages:
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 3
    images = (rng.integers(0, 120, (n, 28, 28)) + labels[:, None, None] * 40 + bright).clip(0, 255).astype(np.uint8)
    return LabeledImages(name, images, labels, ("a", "b", "c"), "train", "synthetic")


def _settings(name: str):
    return methods.get(name).settings(**FAST.get(name, {}))


def test_every_named_method_is_registered_once_with_frozen_settings_and_a_source():
    assert methods.names() == NAMES
    for m in methods.METHODS.values():
        assert dataclasses.is_dataclass(m.settings) and m.settings.__dataclass_params__.frozen
        with pytest.raises(dataclasses.FrozenInstanceError):
            m.settings().x = 1
        assert m.description.endswith(".") and m.description.count(". ") == 0  # one sentence
        assert any(ch.isdigit() for ch in m.source)  # a year / section
    with pytest.raises(ValueError, match="choose one of otdd-exact"):
        methods.get("nope")


@pytest.mark.parametrize("name", NAMES)
def test_every_method_computes_through_the_common_signature_and_is_cached(name, tmp_path):
    cache = Cache(tmp_path)
    a, b = _sample("a", 0), _sample("b", 1, bright=60)
    seen = []
    d, hit = methods.distance(
        methods.get(name),
        a,
        b,
        _settings(name),
        cache=cache,
        progress=lambda done, total, what: seen.append((done, total, what)),
    )
    assert isinstance(d, Distance) and d.method == name and np.isfinite(d.value) and d.value > 0 and d.seconds > 0
    assert d.settings == dataclasses.asdict(_settings(name)) and not hit
    again, hit = methods.distance(methods.get(name), a, b, _settings(name), cache=cache)
    assert hit and again.value == d.value and again.seconds == d.seconds
    assert type(again.detail) is type(d.detail)
    assert all(isinstance(w, str) for _, _, w in seen)


def test_values_are_the_wrapped_implementations():
    a, b = _sample("a", 0), _sample("b", 1, bright=60)
    ref = compute_otdd(to_features(a.images), a.labels, to_features(b.images), b.labels)
    got = methods.get("otdd-exact").compute(a, b, methods.get("otdd-exact").settings())
    assert got.value == pytest.approx(ref.otdd, rel=1e-12)
    mse = methods.get("sample-mse").compute(a, b, methods.get("sample-mse").settings())
    assert mse.value == pytest.approx(mean_pairwise_mse(a.images, b.images))


def test_cache_key_holds_method_name_version_and_settings(tmp_path):
    cache = Cache(tmp_path)
    a, b = _sample("a", 0), _sample("b", 1, bright=60)
    m = methods.get("sotdd")
    first, _ = methods.distance(m, a, b, m.settings(n_projections=40), cache=cache)
    other, hit = methods.distance(m, a, b, m.settings(n_projections=40, seed=1), cache=cache)
    assert not hit and other.value != first.value
    bumped = dataclasses.replace(m, version=m.version + "-next")
    _, hit = methods.distance(bumped, a, b, m.settings(n_projections=40), cache=cache)
    assert not hit
    with pytest.raises(ValueError, match="SOTDDSettings"):
        methods.distance(m, a, b, methods.get("aad").settings(), cache=cache)


def test_agreement_lists_every_registered_method_and_a_new_one_is_not_served_stale(tmp_path, monkeypatch):
    cache = Cache(tmp_path)
    samples = {f"d{i}": _sample(f"d{i}", i, bright=40 * i) for i in range(3)}
    monkeypatch.setattr(agreement, "dataset_status", lambda names, data_dir=None: {n: (True, "") for n in names})
    monkeypatch.setattr(methods, "load_sample", lambda name, n, seed, split="train", data_dir=None: samples[name])
    small = {n: m for n, m in methods.METHODS.items() if n in ("otdd-gaussian", "sample-mse")}
    monkeypatch.setattr(methods, "METHODS", small)
    report = agreement.compare_methods(list(samples), n=30, n_eval=6, epochs=1, cache=cache)
    assert report.methods == ["otdd-gaussian", "sample-mse"] and report.spearman.shape == (2, 2)

    @dataclasses.dataclass(frozen=True)
    class NoSettings:
        pass

    extra = Method(
        "mean-gap",
        "Gap between mean brightness.",
        "test, 2026",
        NoSettings,
        lambda s, t, settings, device="auto", progress=None: Distance(
            "mean-gap", abs(float(s.images.mean()) - float(t.images.mean())), 0.01, {}
        ),
        family="mean-gap",
    )
    monkeypatch.setattr(methods, "METHODS", {**small, "mean-gap": extra})
    assert agreement.compare_methods(list(samples), n=30, n_eval=6, epochs=1, cache=cache, cached_only=True) is None
    report = agreement.compare_methods(list(samples), n=30, n_eval=6, epochs=1, cache=cache)
    assert report.methods == ["otdd-gaussian", "sample-mse", "mean-gap"]
    assert report.matrices["mean-gap"][0, 2] == pytest.approx(
        abs(samples["d0"].images.mean() - samples["d2"].images.mean())
    )


@pytest.fixture
def cli(tmp_path, real_data_dir, monkeypatch, capsys):
    """``python -m dsviz ...`` run in-process: (exit status, stdout, stderr)."""
    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("DSVIZ_DATA_DIR", real_data_dir)

    def run(*args: str) -> tuple[int, str, str]:
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_cli_methods_json_lists_the_registry(cli):
    code, stdout, _ = cli("methods", "--json")
    out = json.loads(stdout)
    assert code == 0 and [m["name"] for m in out["methods"]] == NAMES
    assert all(set(m) >= {"name", "description", "source", "settings"} for m in out["methods"])
    assert out["methods"][2]["settings"]["n_projections"] == methods.get("sotdd").settings().n_projections


def test_cli_distance_on_real_data(cli):
    code, stdout, err = cli(
        "distance",
        "mnist",
        "usps",
        "--method",
        "sotdd",
        "--n",
        "60",
        "--seed",
        "1",
        "--set",
        "n_projections=200",
        "--json",
    )
    assert code == 0, err
    out = json.loads(stdout)
    assert set(out) >= {"method", "value", "seconds", "settings", "n_src", "n_tgt", "split_used"}
    assert out["method"] == "sotdd" and out["n_src"] == out["n_tgt"] == 60 and out["value"] > 0
    assert out["split_used"] == {"src": "train", "tgt": "train"} and out["settings"]["seed"] == 1
    assert out["settings"]["n_projections"] == 200
    code, _, err = cli("distance", "mnist", "usps", "--method", "sotdd", "--set", "moments=3")
    assert code == 2 and "n_projections" in err


def test_cli_distance_accepts_n_all(cli):
    """``--n all`` compares whole datasets (here the bundled ones: 1 797 digits, 5 000 MNIST images)."""
    code, stdout, err = cli(
        "distance", "digits", "mnist-5k", "--method", "sotdd", "--n", "all", "--set", "n_projections=50", "--json"
    )
    assert code == 0, err
    out = json.loads(stdout)
    assert (out["n_src"], out["n_tgt"]) == (1797, 5000) and out["value"] > 0


def test_cli_distance_rejects_an_unknown_method(cli):
    code, _, err = cli("distance", "mnist", "usps", "--method", "nope")
    assert code == 2 and "invalid choice" in err


def test_simex_agreement_grid_precomputes_exactly_what_the_report_reads(cli):
    code, stdout, err = cli(
        "simex",
        "mnist",
        "usps",
        "--per",
        "dataset",
        "--agreement",
        "--epochs",
        "1",
        "--n",
        "40",
        "--n-eval",
        "10",
        "--json",
    )
    assert code == 0, err
    out = json.loads(stdout)
    assert out["agreement"]["methods"] == NAMES
    tasks = out["executor"]["computed"] + out["executor"]["cached"]
    assert sum(t.startswith("sotdd ") for t in tasks) == 1 and sum(t.startswith("simex-mse ") for t in tasks) == 1
    # after the grid every method's cell was a cache hit: a second run computes nothing
    code, stdout, _ = cli(
        "simex",
        "mnist",
        "usps",
        "--per",
        "dataset",
        "--agreement",
        "--epochs",
        "1",
        "--n",
        "40",
        "--n-eval",
        "10",
        "--json",
    )
    assert code == 0 and not json.loads(stdout)["executor"]["computed"]
