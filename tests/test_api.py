"""The package's face: ``dsviz.distance`` / ``dsviz.methods`` / ``dsviz.load`` on plain arrays, and ``dsviz app``.

Values must be the registry's and the CLI's for the same samples and settings; bad input must be a
ValueError that says what is wrong. The bundled datasets (digits, mnist-5k) need no data folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from conftest import _free_port, _healthy

import dsviz
from dsviz.cli import main
from dsviz.commands import app as app_command
from dsviz.data import to_features
from dsviz.methods import compare, get

ROOT = Path(__file__).resolve().parents[1]
N = 200


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def samples(fresh_cache):
    return dsviz.load("digits", n=N, seed=0), dsviz.load("mnist-5k", n=N, seed=0)


def cli_json(capsys, *args: str) -> dict:
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_import_is_light():
    code = "import sys, dsviz; print(sorted(m for m in ('numpy', 'torch', 'ot') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_methods_lists_the_registry_as_the_cli_does(capsys):
    listed = dsviz.methods()
    assert [m["name"] for m in listed] == [
        "otdd-exact",
        "otdd-gaussian",
        "sotdd",
        "simex-mse",
        "simex-issim",
        "aad",
        "sample-mse",
    ]
    assert all(m["description"] and m["source"] for m in listed)
    assert listed == cli_json(capsys, "methods")["methods"]
    assert dsviz.methods.get("sotdd") is get("sotdd")  # still the subpackage


def test_load_is_the_sample_the_cli_draws(samples):
    (xa, ya), (xb, yb) = samples
    assert xa.shape == (N, 28, 28) and xa.dtype == np.uint8 and ya.dtype == np.int64
    assert np.bincount(ya).tolist() == [N // 10] * 10  # class-balanced
    cmp = compare("otdd-exact", "digits", "mnist-5k", n=N, seed=0)
    np.testing.assert_array_equal(xa, cmp.src.images)
    np.testing.assert_array_equal(yb, cmp.tgt.labels)
    xa2, _ = dsviz.load("digits", n=N, seed=1)
    assert not np.array_equal(xa, xa2)


@pytest.mark.parametrize(
    ("method", "settings", "cli_set"),
    [
        ("otdd-exact", {}, []),
        ("otdd-gaussian", {"outer": "exact"}, ["--set", "outer=exact"]),
        ("sotdd", {"n_projections": 200}, ["--set", "n_projections=200"]),
        ("sample-mse", {}, []),
    ],
)
def test_distance_equals_the_cli(samples, capsys, method, settings, cli_set):
    (xa, ya), (xb, yb) = samples
    d = dsviz.distance(xa, ya, xb, yb, method=method, **settings)
    out = cli_json(capsys, "distance", "digits", "mnist-5k", "--method", method, "--n", str(N), *cli_set)
    assert out["cache_hit"] is False
    assert d.method == method
    assert d.settings == out["settings"]
    assert d.value == pytest.approx(out["value"], rel=1e-12)


def test_distance_equals_the_otdd_command(samples, capsys):
    (xa, ya), (xb, yb) = samples
    d = dsviz.distance(xa, ya, xb, yb, method="otdd-exact", plain_ot=True)
    out = cli_json(capsys, "otdd", "digits", "mnist-5k", "--n", str(N))
    assert d.value == pytest.approx(out["otdd"], rel=1e-12)
    assert d.detail.ot == pytest.approx(out["ot"], rel=1e-12)
    np.testing.assert_allclose(d.detail.label_distances, out["label_distances"], rtol=1e-12)


@pytest.mark.parametrize(("method", "settings"), [("otdd-gaussian", {}), ("sotdd", {"n_projections": 200})])
def test_feature_rows_give_the_image_value(samples, method, settings):
    (xa, ya), (xb, yb) = samples
    on_images = dsviz.distance(xa, ya, xb, yb, method=method, **settings)
    on_rows = dsviz.distance(to_features(xa), ya, to_features(xb), yb, method=method, **settings)
    assert on_rows.value == pytest.approx(on_images.value, rel=1e-12)


def test_labels_of_any_type_and_identical_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4))
    names = np.array(["cat", "dog", "eel"])[np.arange(60) % 3]
    assert dsviz.distance(x, names, x, names, outer="exact").value == pytest.approx(0.0, abs=1e-9)
    shifted = x + np.array([3.0, 0, 0, 0])
    by_name = dsviz.distance(x, names, shifted, names, outer="exact")
    by_code = dsviz.distance(x, np.arange(60) % 3, shifted, np.arange(60) % 3, outer="exact")
    assert by_name.value == pytest.approx(by_code.value, rel=1e-12)
    assert by_name.detail.src_classes == ["cat", "dog", "eel"]


IMG = np.zeros((20, 28, 28), dtype=np.uint8)
LAB = np.arange(20) % 2
ROWS = np.zeros((20, 5))


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((IMG, LAB, IMG, LAB), {"method": "nope"}, "unknown method 'nope'"),
        ((IMG, LAB, IMG, LAB), {"outer": "exact", "lr": 1}, "otdd-exact settings are outer, eps"),
        ((IMG, LAB[:5], IMG, LAB), {}, "y_a must hold one label per row of x_a"),
        ((IMG, LAB, IMG[:, :, :20], LAB), {}, "x_a rows are .* but x_b rows are"),
        ((IMG.astype(float), LAB, IMG, LAB), {}, "float images are ambiguous"),
        ((IMG.astype(int) + 300, LAB, IMG, LAB), {}, "pixel values span"),
        ((np.zeros(20), LAB, IMG, LAB), {}, "x_a must be images N x H x W or feature rows"),
        ((ROWS, LAB, np.full((20, 5), np.nan), LAB), {}, "x_b must be finite numbers"),
        ((ROWS, LAB, ROWS, np.where(LAB, np.nan, 0)), {}, "y_b contains NaN"),
        ((ROWS, LAB, ROWS, LAB), {"method": "simex-mse"}, "simex-mse needs images"),
        ((ROWS, LAB, ROWS, LAB), {"normalize": "unit"}, "normalize applies to images"),
        ((IMG[:, :20, :20], LAB, IMG[:, :20, :20], LAB), {"method": "sample-mse"}, "needs 28 x 28 images"),
    ],
)
def test_bad_input_is_a_clear_value_error(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        dsviz.distance(*args, **kwargs)


def test_app_command_runs_streamlit_on_the_checkout(monkeypatch):
    calls = []
    monkeypatch.setattr(app_command, "launch", lambda cmd, cwd: calls.append((cmd, cwd)) or 0)
    assert main(["app", "--server.port", "8599"]) == 0
    assert calls == [([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", "8599"], ROOT)]


def test_app_command_without_a_checkout_says_so(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(app_command, "REPO", tmp_path)
    assert main(["app"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "the app needs the repository checkout" in err[0] and str(tmp_path) in err[0]


def test_app_command_serves_the_app(tmp_path):
    port = _free_port()
    env = dict(os.environ, DSVIZ_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=str(ROOT))
    args = ["--server.headless", "true", "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    server = subprocess.Popen([sys.executable, "-m", "dsviz", "app", *args], env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 120
        while not _healthy(f"http://127.0.0.1:{port}") and time.monotonic() < deadline:
            assert server.poll() is None, "dsviz app exited before serving"
            time.sleep(0.5)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200 and b"<html" in response.read().lower()
    finally:
        server.terminate()
        server.wait(timeout=30)
    # terminating the command stops the server itself (no orphaned streamlit keeps the port)
    deadline = time.monotonic() + 10
    while _healthy(f"http://127.0.0.1:{port}") and time.monotonic() < deadline:
        time.sleep(0.25)
    assert not _healthy(f"http://127.0.0.1:{port}"), "the streamlit server outlived `dsviz app`"
