"""dsviz.runtime.executor on a local Ray cluster: same results as local, retries, failures by name, resume after a kill.

One Ray cluster (2 CPUs) is started in this process for the whole module; the
CLI runs in subprocesses that join it with ``--address``, so the driver can be
killed without killing the cluster.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import ray

from dsviz.cli import main
from dsviz.runtime.cache import Cache, cache_key
from dsviz.runtime.executor import (
    CaptureCache,
    GridFailed,
    LocalExecutor,
    RayExecutor,
    Task,
    is_cached,
    make_executor,
    run_task,
)

ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import this test module

ROOT = Path(__file__).resolve().parents[1]
GRID = ["--datasets", "mnist", "usps", "fashion-mnist", "--n", "100", "--no-embeddings", "--json"]
GRID_TASKS = 3 * 4 // 2 + 3  # cells i <= j, plus each dataset's noise floor


@pytest.fixture(scope="module")
def cluster() -> str:
    """A local Ray cluster for this module; yields the address other drivers join."""
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING")
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


@dataclass(frozen=True)
class Square:
    """Square ``x`` through the cache; ``fail`` raises, ``kill_marker`` makes the first attempt wait to be killed."""

    x: float
    fail: bool = False
    attempts: str = ""
    kill_marker: str = ""


def square(spec: Square, cache: Cache) -> float:
    """``x ** 2`` via the cache, as every dsviz task computes: the work happens inside ``get_or_compute``."""

    def compute() -> float:
        if spec.attempts:
            with open(spec.attempts, "a") as fh:
                fh.write(f"{os.getpid()}\n")
        if spec.fail:
            raise ValueError(f"boom at {spec.x}")
        if spec.kill_marker and not os.path.exists(spec.kill_marker):
            Path(spec.kill_marker).write_text(str(os.getpid()))
            time.sleep(60)  # the test kills this worker long before
            return -1.0
        return spec.x**2

    value, _ = cache.get_or_compute(
        "square", {"x": spec.x}, "none", compute, lambda v: {"v": np.asarray(v)}, lambda a: float(a["v"])
    )
    return value


def stored(cache: Cache, x: float) -> float | None:
    found = cache.load("square", cache_key("square", {"x": x}, "none"))
    return None if found is None else float(found["v"])


def run_cli(*args: str, cache_dir: Path, data_dir: str) -> subprocess.Popen:
    env = dict(os.environ, DSVIZ_CACHE_DIR=str(cache_dir), DSVIZ_DATA_DIR=data_dir)
    return subprocess.Popen(
        [sys.executable, "-m", "dsviz", "precompute", "pairs", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return json.loads(out)


def test_worker_writes_nothing_and_probe_sees_cached(tmp_path):
    cache = Cache(tmp_path)
    task = Task("sq", square, Square(3.0))
    assert not is_cached(task, cache)
    out = run_task(Task("sq", square, Square(3.0)))
    assert out.value == 9.0 and list(tmp_path.iterdir()) == []  # nothing on disk: entries travel back
    (((function, key), arrays),) = out.entries.items()
    cache.store(function, key, arrays)
    assert is_cached(task, cache) and stored(cache, 3.0) == 9.0
    assert isinstance(CaptureCache(tmp_path).load(function, key), dict)


@pytest.mark.parametrize("kind", ["local", "ray"])
def test_failing_task_is_retried_then_reported_by_name(kind, cluster, tmp_path):
    cache = Cache(tmp_path / "cache")
    attempts = tmp_path / "attempts"
    tasks = [
        Task("one", square, Square(1.0)),
        Task("bad", square, Square(2.0, fail=True, attempts=str(attempts))),
        Task("three", square, Square(3.0)),
    ]
    with make_executor(kind, max_retries=1) as executor:
        grid = executor.run(tasks, cache=cache)
    assert grid.failed == {"bad": "ValueError: boom at 2.0"}
    assert grid.values == {"one": 1.0, "three": 9.0} and len(attempts.read_text().split()) == 2  # 1 retry
    assert stored(cache, 1.0) == 1.0 and stored(cache, 3.0) == 9.0 and stored(cache, 2.0) is None
    with pytest.raises(GridFailed, match="bad: ValueError: boom"):
        grid.raise_failures()
    again = LocalExecutor(max_retries=0).run(tasks, cache=cache)  # a rerun tries only what is missing
    assert sorted(again.cached) == ["one", "three"] and list(again.failed) == ["bad"] and not again.values


def test_worker_killed_mid_task_is_retried_with_the_same_result(cluster, tmp_path):
    marker = tmp_path / "pid"
    tasks = [Task("killed", square, Square(4.0, kill_marker=str(marker))), Task("other", square, Square(5.0))]

    def kill_worker() -> None:
        deadline = time.monotonic() + 60
        while not marker.exists() or not marker.read_text():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(int(marker.read_text()), signal.SIGKILL)

    killer = threading.Thread(target=kill_worker, daemon=True)
    killer.start()
    grid = RayExecutor(max_retries=2).run(tasks, cache=Cache(tmp_path / "ray"))
    killer.join(timeout=5)
    local = LocalExecutor().run(tasks, cache=Cache(tmp_path / "local"))  # the marker exists: no wait
    assert not grid.failed and grid.values == local.values == {"killed": 16.0, "other": 25.0}


def test_pairs_grid_on_ray_equals_local_after_the_driver_is_killed(
    cluster, real_data_dir, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(tmp_path / "local"))
    assert main(["precompute", "pairs", *GRID, "--executor", "local"]) == 0
    local = json.loads(capsys.readouterr().out)
    cache_dir = tmp_path / "ray"
    driver = run_cli(*GRID, "--executor", "ray", "--address", cluster, cache_dir=cache_dir, data_dir=real_data_dir)
    deadline = time.monotonic() + 120
    while not list((cache_dir / "distance").glob("*.npz")):
        assert driver.poll() is None, driver.communicate()[1]
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert driver.poll() is None, "the grid ended before it could be killed"
    driver.send_signal(signal.SIGKILL)
    driver.communicate()
    entries = sorted((cache_dir / "distance").glob("*.npz"))
    for path in entries:  # only complete entries: each loads and carries its own key
        assert Cache(cache_dir).load("distance", path.stem) is not None
    assert 1 <= len(entries) < GRID_TASKS
    resumed = finish(
        run_cli(*GRID, "--executor", "ray", "--address", cluster, cache_dir=cache_dir, data_dir=real_data_dir)
    )
    grid = resumed["executor"]["matrix"]
    assert len(grid["cached"]) == len(entries) and len(grid["computed"]) == GRID_TASKS - len(entries)
    assert not set(grid["cached"]) & set(grid["computed"]) and not grid["failed"]
    assert resumed["datasets"] == local["datasets"] == ["mnist", "usps", "fashion-mnist"]
    for key in ("otdd", "ot", "floor_otdd"):
        np.testing.assert_allclose(resumed[key], local[key], rtol=1e-9, atol=1e-9)


def test_ray_is_not_imported_unless_asked(tmp_path):
    code = (
        "import sys, dsviz.cli, dsviz.commands.grids, dsviz.runtime.executor as e, dsviz.runtime.cache as c; "
        "e.LocalExecutor().run([], cache=c.Cache(sys.argv[1])); print('ray' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.stdout.strip() == "False", out.stderr


def test_cli_names_the_failed_task_and_keeps_the_others(real_data_dir, tmp_path, monkeypatch, capsys):
    from dsviz.commands import grids

    real = grids.pair_cell

    def flaky(spec, cache):
        if spec.src != spec.tgt:
            raise RuntimeError("disk on fire")
        return real(spec, cache)

    monkeypatch.setattr(grids, "pair_cell", flaky)
    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(tmp_path))
    argv = ["precompute", "pairs", "--datasets", "mnist", "usps", "--n", "20", "--no-embeddings", "--max-retries", "0"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "task failed: otdd mnist vs usps: RuntimeError: disk on fire" in err
    assert len(list((tmp_path / "distance").glob("*.npz"))) == 4  # the diagonal and floor cells were stored
