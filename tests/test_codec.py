"""The one dataclass <-> npz codec of the cache: round trips on disk, the stored layout, malformed entries."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pytest

from dsviz.otdd.engine import compute_otdd
from dsviz.otdd.result import OTDDResult
from dsviz.runtime.cache import Cache, cache_key
from dsviz.runtime.codec import INLINE, META, decode, decoder, encode
from dsviz.simex.aad import AADResult
from dsviz.simex.fleet import FleetRun
from dsviz.studies.simex_baselines.retrain import RetrainBaseline, RetrainConfig
from dsviz.studies.transfer import Setting, TransferConfig, TransferStudy


@dataclass(frozen=True)
class _Config:
    size: int = 3
    rate: float = 0.5
    seeds: tuple[int, ...] = (0, 1)


@dataclass
class _Inner:
    table: np.ndarray
    label: str


@dataclass
class _Everything:
    matrix: np.ndarray
    named: dict[str, np.ndarray]
    names: tuple[str, ...]
    settings: list[Setting]
    config: _Config
    limit: float
    maybe: int | None
    nested: _Inner
    inner: _Inner = field(metadata=INLINE)
    counts: dict[str, int] = field(default_factory=dict)


def _everything() -> _Everything:
    return _Everything(
        matrix=np.arange(6.0).reshape(2, 3),
        named={"encoders.0.weight": np.ones((2, 2), np.float32), "otdd-exact": np.array([1, 2])},
        names=("a", "b"),
        settings=[Setting("blur", 1.5), Setting("rotate", 30.0)],
        config=_Config(seeds=(4, 5, 6)),
        limit=float("inf"),
        maybe=None,
        nested=_Inner(np.arange(3), "n"),
        inner=_Inner(np.eye(2), "x"),
        counts={"k": 2},
    )


def _through_disk(value, tmp_path):
    cache = Cache(tmp_path)
    key = cache_key("codec_test", {}, "fp")
    cache.store("codec_test", key, encode(value))
    return cache.load("codec_test", key)


def test_every_kind_of_field_round_trips_through_a_cache_file(tmp_path):
    value = _everything()
    back = decode(_Everything, _through_disk(value, tmp_path))
    np.testing.assert_array_equal(back.matrix, value.matrix)
    assert list(back.named) == list(value.named)
    assert back.named["encoders.0.weight"].dtype == np.float32
    assert back.names == ("a", "b") and isinstance(back.names, tuple)
    assert back.settings == value.settings and back.config == value.config
    assert isinstance(back.config.seeds, tuple)
    assert back.limit == float("inf") and back.maybe is None and back.counts == {"k": 2}
    np.testing.assert_array_equal(back.inner.table, np.eye(2))
    assert back.inner.label == "x"
    np.testing.assert_array_equal(back.nested.table, np.arange(3))
    assert back.nested.label == "n"


def test_layout_is_named_arrays_plus_one_json_member():
    arrays = encode(_everything())
    assert set(arrays) == {"matrix", "named/encoders.0.weight", "named/otdd-exact", "nested/table", "table", META}
    meta = json.loads(str(arrays[META]))
    assert meta["config"] == {"size": 3, "rate": 0.5, "seeds": [4, 5, 6]}
    assert meta["settings"] == [{"transform": "blur", "magnitude": 1.5}, {"transform": "rotate", "magnitude": 30.0}]
    assert meta["label"] == "x" and meta["nested"] == {"label": "n"}


def test_otdd_result_keeps_the_layout_of_existing_cache_entries():
    """The members OTDDResult.to_arrays wrote before the codec: cached OTDD values stay readable."""
    x, y = np.random.default_rng(0).normal(size=(30, 4)), np.repeat([0, 1, 2], 10)
    res = compute_otdd(x, y, x[::-1].copy(), y)
    arrays = encode(res)
    old_arrays = {"label_distances", "class_coupling", "src_top_index", "src_top_mass", "tgt_top_index"}
    old_arrays |= {"tgt_top_mass", "plan_rows", "plan_cols", "plan_mass", META}
    assert set(arrays) == old_arrays
    old_meta = {"otdd", "ot", "feature_component", "label_component", "src_classes", "tgt_classes"}
    old_meta |= {"n_src", "n_tgt", "timings", "options"}
    assert set(json.loads(str(arrays[META]))) == old_meta
    back = decode(OTDDResult, arrays)
    np.testing.assert_equal(back.summary(), res.summary())  # NaN where plain OT was not asked for


def test_transfer_study_entries_written_before_the_codec_still_decode():
    meta = {
        "settings": [["blur", 1.0], ["rotate", 15]],
        "config": {**TransferConfig().__dict__, "seeds": [0, 1]},
        "seconds": 12.5,
        "devices": ["cpu"],
    }
    old = {
        "otdd": np.array([1.0, 2.0]),
        "acc_finetune": np.full((2, 2), 0.9),
        "acc_scratch": np.full(2, 0.8),
        META: np.asarray(json.dumps(meta)),
    }
    study = decode(TransferStudy, old)
    assert study.settings == [Setting("blur", 1.0), Setting("rotate", 15.0)]
    assert study.config == TransferConfig(seeds=(0, 1)) and study.seconds == 12.5


def _fleet(parts=("a", "b")) -> FleetRun:
    k = len(parts)
    return FleetRun(
        parts=parts,
        loss="mse",
        delta=np.ones((k, k)),
        history=np.ones((3, k, k)),
        train_loss=np.ones((3, k)),
        ref_norm=np.ones(k),
        constant_loss=np.ones(k),
        seconds=1.0,
        weights={"encoder.0.weight": np.zeros((4, 1, 3, 3), np.float32)},
        settings={"epochs": 3.0},
    )


def test_inline_nested_result_shares_the_entry(tmp_path):
    res = AADResult(np.zeros((2, 2)), np.ones((2, 8)), _fleet())
    back = decode(AADResult, _through_disk(res, tmp_path))
    assert back.parts == ("a", "b") and back.run.settings == {"epochs": 3.0}
    np.testing.assert_array_equal(back.run.weights["encoder.0.weight"], res.run.weights["encoder.0.weight"])
    np.testing.assert_array_equal(back.mean_codes, res.mean_codes)


def test_inline_fields_that_repeat_a_name_are_refused():
    @dataclass
    class Clash:
        table: np.ndarray
        inner: _Inner = field(metadata=INLINE)

    with pytest.raises(ValueError, match="repeats the names"):
        encode(Clash(np.zeros(1), _Inner(np.zeros(1), "x")))


def test_encode_refuses_what_is_not_a_dataclass_instance():
    with pytest.raises(TypeError, match="dataclass instance"):
        encode({"a": np.zeros(1)})
    with pytest.raises(TypeError, match="dataclass instance"):
        encode(_Inner)


@pytest.mark.parametrize(
    "damage, error",
    [
        (lambda a: a.pop(META), KeyError),
        (lambda a: a.pop("raw_accuracy"), KeyError),
        (lambda a: a.update({META: np.asarray("[1, 2]")}), ValueError),
        (lambda a: a.update({META: np.asarray(json.dumps({"names": ["a"], "seconds": 1.0}))}), KeyError),
        (lambda a: a.update({"raw_accuracy": np.zeros((3, 3))}), ValueError),
    ],
)
def test_malformed_entries_raise_and_the_cache_discards_them(tmp_path, damage, error):
    good = RetrainBaseline(("a", "b"), np.full((2, 2), 0.5), np.array([0.5, 0.0]), 1.0, RetrainConfig())
    arrays = encode(good)
    damage(arrays)
    with pytest.raises(error):
        decode(RetrainBaseline, arrays)
    cache = Cache(tmp_path)
    key = cache_key("retrain", {}, "fp")
    cache.store("retrain", key, arrays)
    assert cache.get("retrain", {}, "fp", decoder(RetrainBaseline)) is None
    assert not cache.path("retrain", key).exists()


def test_derived_values_are_recomputed_not_stored():
    good = RetrainBaseline(("a", "b"), np.full((2, 2), 0.5), np.array([0.5, 0.0]), 1.0, RetrainConfig())
    back = decode(RetrainBaseline, encode(good))
    assert "accuracy" not in encode(good)
    np.testing.assert_array_equal(back.accuracy, [[1.0, np.nan], [1.0, np.nan]])


def test_fleet_without_weights_or_with_inconsistent_shapes_is_refused():
    with pytest.raises(ValueError, match="weights missing"):
        FleetRun(**{**_fleet().__dict__, "weights": {}})
    with pytest.raises(ValueError, match=r"fleet: delta has shape \(2, 2\), expected \(3, 2\)"):
        FleetRun(**{**_fleet().__dict__, "parts": ("a", "b", "c")})


def test_cached_computes_once_then_reads_back_and_cached_only_never_computes(tmp_path):
    from dsviz.runtime.cache import cached

    calls = []

    def compute() -> _Inner:
        calls.append(1)
        return _Inner(np.arange(4.0), "computed")

    cache = Cache(tmp_path)
    assert cached(cache, "study", {"n": 1}, "fp", compute, _Inner, cached_only=True) == (None, False)
    first, hit = cached(cache, "study", {"n": 1}, "fp", compute, _Inner)
    assert not hit and first.label == "computed" and len(calls) == 1
    again, hit = cached(Cache(tmp_path), "study", {"n": 1}, "fp", compute, _Inner, cached_only=True)
    assert hit and again.label == "computed" and len(calls) == 1
    np.testing.assert_array_equal(again.table, first.table)
    other, hit = cached(cache, "study", {"n": 2}, "fp", compute, _Inner)
    assert not hit and len(calls) == 2


def test_cached_uses_the_default_cache_when_given_none(tmp_path, monkeypatch):
    from dsviz.runtime.cache import cached

    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(tmp_path))
    cached(None, "study", {}, "fp", lambda: _Inner(np.zeros(1), "x"), _Inner)
    assert len(list((tmp_path / "study").glob("*.npz"))) == 1


def test_every_cached_result_type_has_annotations_the_codec_can_read():
    """A name imported only for type checking would make decoding fail; every cached type must resolve."""
    from dsviz.methods import METHODS
    from dsviz.runtime.codec import _hints
    from dsviz.studies.agreement import AgreementReport
    from dsviz.studies.onepixel.fit import OnePixelResult
    from dsviz.studies.pixelstats import DatasetPixelStats
    from dsviz.studies.simex_baselines.confusion import ConfusionBaseline
    from dsviz.studies.transfer_pairs import PairsStudy

    kinds = {m.detail for m in METHODS.values() if m.detail is not None}
    kinds |= {AgreementReport, OnePixelResult, DatasetPixelStats, ConfusionBaseline, RetrainBaseline, PairsStudy}
    kinds |= {TransferStudy, FleetRun, AADResult, OTDDResult}
    for kind in kinds:
        assert set(_hints(kind)) >= {f for f in kind.__dataclass_fields__}, kind
