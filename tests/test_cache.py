"""The on-disk cache: hits, atomic writes, corrupt entries, concurrent writers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dsviz.runtime import cache as cache_module
from dsviz.runtime.cache import Cache, cache_key, default_cache_dir, fingerprint

ROOT = Path(__file__).resolve().parents[1]


def identity(arrays):
    return dict(arrays)


def get(cache: Cache, params: dict, compute):
    return cache.get_or_compute("f", params, "fp", compute, identity, identity)


def test_miss_then_hit(tmp_path):
    cache = Cache(tmp_path)
    calls = []

    def compute():
        calls.append(1)
        return {"x": np.arange(5.0)}

    first, hit1 = get(cache, {"a": 1}, compute)
    second, hit2 = get(cache, {"a": 1}, compute)
    assert (hit1, hit2) == (False, True) and len(calls) == 1
    np.testing.assert_array_equal(first["x"], second["x"])
    _, hit3 = get(cache, {"a": 2}, compute)
    assert not hit3 and len(calls) == 2


def test_key_depends_on_function_params_data_and_version():
    base = cache_key("f", {"a": 1}, "d", "1")
    assert base == cache_key("f", {"a": 1}, "d", "1")
    assert (
        len(
            {
                base,
                cache_key("g", {"a": 1}, "d", "1"),
                cache_key("f", {"a": 2}, "d", "1"),
                cache_key("f", {"a": 1}, "e", "1"),
                cache_key("f", {"a": 1}, "d", "2"),
            }
        )
        == 5
    )


def test_fingerprint_sees_dtype_shape_and_content():
    x = np.arange(6, dtype=np.int64)
    assert fingerprint(x) == fingerprint(x.copy())
    assert fingerprint(x) != fingerprint(x.astype(np.int32))
    assert fingerprint(x) != fingerprint(x.reshape(2, 3))
    y = x.copy()
    y[3] = 0
    assert fingerprint(x) != fingerprint(y)


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),  # truncated
        lambda p: p.write_bytes(b"not a zip file at all"),  # garbage
        lambda p: p.write_bytes(b""),  # empty
    ],
    ids=["truncated", "garbage", "empty"],
)
def test_corrupt_entry_is_recomputed(tmp_path, damage):
    cache = Cache(tmp_path)
    get(cache, {"a": 1}, lambda: {"x": np.arange(1000.0)})
    path = cache.path("f", cache_key("f", {"a": 1}, "fp"))
    damage(path)
    value, hit = get(cache, {"a": 1}, lambda: {"x": np.arange(1000.0)})
    assert not hit
    np.testing.assert_array_equal(value["x"], np.arange(1000.0))
    assert get(cache, {"a": 1}, lambda: pytest.fail("should be cached now"))[1]


def test_entry_that_does_not_decode_is_recomputed(tmp_path):
    cache = Cache(tmp_path)
    key = cache_key("f", {}, "fp")
    cache.store("f", key, {"wrong": np.zeros(2)})

    def decode(arrays):
        return arrays["x"]  # KeyError: treated as corrupt

    value, hit = cache.get_or_compute("f", {}, "fp", lambda: np.ones(3), lambda v: {"x": v}, decode)
    assert not hit
    np.testing.assert_array_equal(value, np.ones(3))


def test_entry_stored_under_another_key_is_rejected(tmp_path):
    cache = Cache(tmp_path)
    k1, k2 = cache_key("f", {"a": 1}, "fp"), cache_key("f", {"a": 2}, "fp")
    cache.store("f", k1, {"x": np.zeros(1)})
    cache.path("f", k2).write_bytes(cache.path("f", k1).read_bytes())
    assert cache.load("f", k2) is None
    assert not cache.path("f", k2).exists()


def test_cache_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    assert Cache().root == tmp_path / "c"


def test_failed_write_leaves_no_temp_file(tmp_path, monkeypatch):
    cache = Cache(tmp_path)

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(cache_module.os, "replace", broken_replace)
    with pytest.raises(OSError):
        cache.store("f", "k", {"x": np.zeros(3)})
    assert list((tmp_path / "f").iterdir()) == []


# Each writer is a fresh interpreter (not a multiprocessing child: after an AppTest has run, spawn would re-run
# the app script the test process holds as __main__).
WRITER = """
import sys
import numpy as np
from dsviz.runtime.cache import Cache
root, key, seed, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
cache, value = Cache(root), np.full(200_000, float(seed))
for _ in range(rounds):
    cache.store("f", key, {"x": value, "seed": np.asarray(seed)})
"""


def test_concurrent_writers_never_leave_a_broken_entry(tmp_path):
    """Four processes overwrite one key while this one reads: every read is complete."""
    key = cache_key("f", {}, "fp")
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), key, str(s), "15"], cwd=ROOT) for s in range(4)
    ]
    cache = Cache(tmp_path)
    reads = 0
    while any(p.poll() is None for p in procs):
        path = cache.path("f", key)
        if path.exists():
            with np.load(path) as data:  # a raw read: must never see a partial file
                x, seed = data["x"], int(data["seed"])
            assert x.shape == (200_000,) and (x == seed).all()
            reads += 1
    assert [p.wait() for p in procs] == [0, 0, 0, 0]
    assert reads > 0
    assert cache.load("f", key) is not None
    assert [f.name for f in (tmp_path / "f").iterdir()] == [f"{key}.npz"]
    assert not [n for n in os.listdir(tmp_path / "f") if n.endswith(".tmp")]


def test_get_is_a_pure_look_up(tmp_path):
    cache = Cache(tmp_path)
    assert cache.get("f", {}, "fp", identity) is None  # a miss computes nothing
    cache.store("f", cache_key("f", {}, "fp"), {"x": np.ones(2)})
    np.testing.assert_array_equal(cache.get("f", {}, "fp", identity)["x"], np.ones(2))
    assert cache.get("f", {}, "fp", lambda a: a["missing"]) is None  # undecodable: treated as corrupt
    assert not cache.path("f", cache_key("f", {}, "fp")).exists()
