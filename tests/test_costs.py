"""dsviz.runtime.timings: measured step costs scale to an estimate; a cancelled step records nothing."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from dsviz import methods
from dsviz.data import LabeledImages
from dsviz.runtime import timings
from dsviz.runtime.cache import Cache


def test_estimate_scales_the_last_measurement(tmp_path):
    assert timings.estimate("fleet", 100, root=tmp_path) is None
    timings.record("fleet", 1000, 4.0, root=tmp_path)
    assert timings.estimate("fleet", 250, root=tmp_path) == pytest.approx(1.0)
    timings.record("fleet", 1000, 8.0, root=tmp_path)
    assert timings.estimate("fleet", 250, root=tmp_path) == pytest.approx(2.0)


def test_cancelled_step_records_nothing_and_bad_file_is_empty(tmp_path):
    with pytest.raises(KeyboardInterrupt), timings.measured("otdd", 10, root=tmp_path):
        raise KeyboardInterrupt
    assert timings.estimate("otdd", 10, root=tmp_path) is None
    (tmp_path / "costs.json").write_text("{not json")
    assert timings.estimate("otdd", 10, root=tmp_path) is None
    with timings.measured("otdd", 10, root=tmp_path):
        pass
    assert timings.estimate("otdd", 20, root=tmp_path) >= 0


def _sample(name: str, n: int, seed: int) -> LabeledImages:
    rng = np.random.default_rng(seed)
    return LabeledImages(
        name, rng.integers(0, 255, (n, 28, 28), dtype=np.uint8), np.arange(n) % 2, ("0", "1"), "train", "test"
    )


def test_a_distance_records_its_cost_and_the_estimate_scales_with_the_image_pairs(tmp_path):
    store, method = Cache(tmp_path), methods.get("otdd-exact")
    assert methods.estimate_seconds(method, [(40, 30)], store) is None  # never measured here
    found, hit = methods.distance(method, _sample("a", 40, 0), _sample("b", 30, 1), cache=store)
    assert not hit
    one = methods.estimate_seconds(method, [(40, 30)], store)
    assert one is not None and one > 0
    assert methods.estimate_seconds(method, [(80, 30), (40, 30)], store) == pytest.approx(3 * one)


def test_a_cancelled_distance_leaves_no_cache_entry_and_no_cost(tmp_path):
    store = Cache(tmp_path)

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt  # what Ctrl-C raises inside the computation (Streamlit's Stop raises its own)

    method = replace(methods.get("otdd-exact"), compute=stopped)
    with pytest.raises(KeyboardInterrupt):
        methods.distance(method, _sample("a", 40, 0), _sample("b", 30, 1), cache=store)
    assert not list(tmp_path.rglob("*.npz")) and not list(tmp_path.rglob("*.tmp*"))
    assert methods.estimate_seconds(method, [(40, 30)], store) is None
