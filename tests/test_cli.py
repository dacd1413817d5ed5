"""``python -m dsviz``: the --json interface and one-line errors on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dsviz.data import availability

ROOT = Path(__file__).resolve().parents[1]
OTDD_JSON_KEYS = {
    "otdd",
    "ot",
    "feature_component",
    "label_component",
    "label_distances",
    "class_coupling",
    "src_classes",
    "tgt_classes",
    "n_src",
    "n_tgt",
    "split_used",
    "seconds",
    "compute_seconds",
    "cache_hit",
    "timings",
    "options",
    "src",
    "tgt",
}
"""Every key ``otdd --json`` printed when OTDDResult came to hold its PlanSummary: keys are only ever added."""


def run_cli(*args: str, cache_dir: Path, data_dir: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, DSVIZ_CACHE_DIR=str(cache_dir))
    if data_dir is not None:
        env["DSVIZ_DATA_DIR"] = data_dir
    return subprocess.run(
        [sys.executable, "-m", "dsviz", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def blobs_npz(path: Path, seed: int, n: int = 60, classes: int = 3, shift: float = 0.0) -> Path:
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % classes
    images = np.zeros((n, 8, 8), dtype=np.uint8)
    for i, y in enumerate(labels):
        images[i, 2 * y : 2 * y + 3, :] = 200
    images = np.clip(images + rng.integers(0, 40, images.shape) + shift, 0, 255).astype(np.uint8)
    np.savez(path, images=images, labels=labels)
    return path


def test_otdd_json_between_npz_files(tmp_path):
    a = blobs_npz(tmp_path / "a.npz", seed=0)
    b = blobs_npz(tmp_path / "b.npz", seed=1, classes=2, shift=30)
    proc = run_cli("otdd", str(a), str(b), "--n", "40", "--json", cache_dir=tmp_path / "cache")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)  # exactly one JSON object on stdout
    assert OTDD_JSON_KEYS <= set(out)
    assert np.asarray(out["label_distances"]).shape == (3, 2)
    coupling = np.asarray(out["class_coupling"])
    assert coupling.shape == (3, 2) and coupling.sum() == pytest.approx(1.0)
    assert out["src_classes"] == ["0", "1", "2"] and out["tgt_classes"] == ["0", "1"]
    assert out["n_src"] == 40 and out["n_tgt"] == 40
    assert out["split_used"] == {"src": "file", "tgt": "file"}
    assert out["otdd"] >= out["ot"] > 0 and not out["cache_hit"]
    again = json.loads(run_cli("otdd", str(a), str(b), "--n", "40", "--json", cache_dir=tmp_path / "cache").stdout)
    assert again["cache_hit"] and again["otdd"] == out["otdd"]
    assert OTDD_JSON_KEYS <= set(again) and again["class_coupling"] == out["class_coupling"]
    alone = json.loads(
        run_cli("otdd", str(a), str(b), "--n", "40", "--json", "--no-ot", cache_dir=tmp_path / "cache").stdout
    )
    assert OTDD_JSON_KEYS <= set(alone) and alone["ot"] is None and "plain_ot" not in alone["timings"]
    assert not alone["cache_hit"] and alone["otdd"] == pytest.approx(out["otdd"], rel=1e-12)


def test_n_all_uses_every_image_and_max_outer_bounds_the_outer_problem(tmp_path):
    a = blobs_npz(tmp_path / "a.npz", seed=3, n=70)
    b = blobs_npz(tmp_path / "b.npz", seed=4, n=50, shift=20)
    out = json.loads(
        run_cli(
            "otdd",
            str(a),
            str(b),
            "--n",
            "all",
            "--label-distance",
            "gaussian",
            "--max-outer",
            "30",
            "--json",
            cache_dir=tmp_path / "c",
        ).stdout
    )
    assert out["n_src"] == 70 and out["n_tgt"] == 50
    assert out["options"]["outer_samples"] == [30, 30] and out["options"]["outer_used"] == "exact"
    assert out["options"]["label_route"] == "gaussian-lowrank"  # 17-24 images per class < 64 pixels
    proc = run_cli("otdd", str(a), str(b), "--n", "none", cache_dir=tmp_path / "c")
    assert proc.returncode == 2 and "--n" in proc.stderr


def test_self_distance_via_cli_is_zero(tmp_path):
    a = blobs_npz(tmp_path / "a.npz", seed=2)
    out = json.loads(run_cli("otdd", str(a), str(a), "--json", "--outer", "sinkhorn", cache_dir=tmp_path / "c").stdout)
    assert abs(out["otdd"]) < 1e-8 and out["options"]["outer"] == "sinkhorn"


def _bad_inputs(tmp: Path) -> dict[str, Path]:
    good = np.zeros((10, 8, 8), np.uint8)
    cases = {
        "not_npz": tmp / "text.npz",
        "missing_keys": tmp / "nokeys.npz",
        "length_mismatch": tmp / "mismatch.npz",
        "non_finite": tmp / "nan.npz",
        "absent": tmp / "absent.npz",
    }
    cases["not_npz"].write_text("hello")
    np.savez(cases["missing_keys"], pictures=good)
    np.savez(cases["length_mismatch"], images=good, labels=np.arange(7))
    bad = np.zeros((10, 8, 8))
    bad[0, 0, 0] = np.nan
    np.savez(cases["non_finite"], images=bad, labels=np.arange(10) % 2)
    return cases


@pytest.mark.parametrize("case", ["not_npz", "missing_keys", "length_mismatch", "non_finite", "absent"])
def test_bad_input_exits_nonzero_with_one_line(tmp_path, case):
    path = _bad_inputs(tmp_path)[case]
    good = blobs_npz(tmp_path / "good.npz", seed=3)
    proc = run_cli("otdd", str(path), str(good), "--json", cache_dir=tmp_path / "c")
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("dsviz: error:"), proc.stderr


def test_unknown_option_value_is_rejected(tmp_path):
    proc = run_cli("otdd", "mnist", "usps", "--outer", "greedy", cache_dir=tmp_path)
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


def test_real_mnist_vs_usps(real_data_dir, tmp_path):
    proc = run_cli("otdd", "mnist", "usps", "--n", "200", "--json", cache_dir=tmp_path, data_dir=real_data_dir)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["src_classes"] == [str(d) for d in range(10)] == out["tgt_classes"]
    assert np.asarray(out["label_distances"]).shape == (10, 10)
    assert out["otdd"] > out["ot"] > 0


def test_real_label_distances_pair_up_digits(real_data_dir, tmp_path):
    """MNIST against another MNIST sample (the mnist-5k file, as an .npz path):
    every digit's class-conditional is closest to the same digit."""
    other = str(Path(real_data_dir) / "mnist-5k" / "train.npz")
    proc = run_cli(
        "otdd", "mnist", other, "--n", "300", "--seed", "1", "--json", cache_dir=tmp_path, data_dir=real_data_dir
    )
    assert proc.returncode == 0, proc.stderr
    w = np.asarray(json.loads(proc.stdout)["label_distances"])
    np.testing.assert_array_equal(w.argmin(1), np.arange(10))


def test_real_split_fallback_is_reported(real_data_dir, tmp_path):
    proc = run_cli(
        "otdd", "emnist-letters", "mnist", "--n", "130", "--json", cache_dir=tmp_path, data_dir=real_data_dir
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    status = availability(real_data_dir)["emnist-letters"]
    assert out["split_used"] == {"src": "train" if "train" in status.counts else "test", "tgt": "train"}
    assert out["src_classes"] == ["abcdefghijklmnopqrstuvwxyz"[c] for c in status.present_classes]


def test_missing_dataset_is_a_one_line_error(real_data_dir, tmp_path):
    missing = [name for name, s in availability(real_data_dir).items() if not s.available]
    name = missing[0] if missing else str(tmp_path / "no-such-dataset.npz")
    proc = run_cli("otdd", name, "mnist", cache_dir=tmp_path, data_dir=real_data_dir)
    assert proc.returncode == 2 and Path(name).name in proc.stderr and "Traceback" not in proc.stderr


def test_datasets_json_lists_what_is_present(real_data_dir, tmp_path):
    out = json.loads(run_cli("datasets", "--json", cache_dir=tmp_path, data_dir=real_data_dir).stdout)
    assert out["datasets"]["mnist"]["counts"] == {"train": 60000, "test": 10000}
    for name, status in availability(real_data_dir).items():
        assert out["datasets"][name]["available"] == status.available
        assert out["datasets"][name]["message"] == status.message


def test_long_commands_report_progress_from_their_start(tmp_path):
    """``precompute`` says it started before torch is imported, then names each stage and each finished task
    (stderr is a pipe here: one line per step instead of a bar); stdout is still one JSON object."""
    a, b = blobs_npz(tmp_path / "a.npz", seed=0), blobs_npz(tmp_path / "b.npz", seed=1, shift=30)
    env = dict(os.environ, DSVIZ_CACHE_DIR=str(tmp_path / "cache"))
    args = ["precompute", "pairs", "--datasets", str(a), str(b), "--n", "30", "--no-embeddings", "--json"]
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "dsviz", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    started = lines.index("dsviz precompute pairs: starting (loading torch and POT)")
    torch_imported = next(
        i for i, line in enumerate(lines) if line.startswith("import time:") and line.split("|")[-1].strip() == "torch"
    )
    assert started < torch_imported
    ours = [line for line in lines if line.startswith("dsviz: ")]
    assert ours[0] == f"dsviz: checking the datasets {a}, {b}" and ours[1] == "dsviz: matrix: 5 task(s)"
    steps = [line for line in ours[2:] if line.startswith("dsviz: matrix: ")]
    assert [int(line.split()[2].split("/")[0]) for line in steps] == [0, 1, 2, 3, 4, 5]
    assert json.loads(proc.stdout)["method"] == "otdd-exact"
