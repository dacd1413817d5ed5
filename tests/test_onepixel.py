"""One-pixel class-pair classifiers: known answers, symmetry, agreement with scikit-learn, CLI, page."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from streamlit.testing.v1 import AppTest

from dsviz.cache import Cache
from dsviz.data import availability, load
from dsviz.onepixel import (
    OnePixelResult,
    fit_one_pixel,
    fit_validation_split,
    one_pixel_dataset,
    pixel_histograms,
    summarize,
)

ROOT = Path(__file__).resolve().parents[1]
CLASSES = ("a", "b", "c")


def _synthetic(n_per_class: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Noise images in 0..120 where pixel (5, 7) is 200 for class 1 only and (20, 3) is 200 for class 2 only."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(3), n_per_class)
    images = rng.integers(0, 121, size=(len(labels), 28, 28)).astype(np.uint8)
    images[labels == 1, 5, 7] = 200
    images[labels == 2, 20, 3] = 200
    order = rng.permutation(len(labels))
    return images[order], labels[order]


@pytest.fixture(scope="module")
def synthetic_result() -> OnePixelResult:
    images, labels = _synthetic()
    fit, val = fit_validation_split(len(labels), seed=0)
    return fit_one_pixel(images[fit], labels[fit], images[val], labels[val], CLASSES)


def test_split_is_seeded_disjoint_and_five_to_one():
    fit, val = fit_validation_split(60_000, seed=0)
    assert len(fit) == 50_000 and len(val) == 10_000
    assert np.intersect1d(fit, val).size == 0 and len(np.union1d(fit, val)) == 60_000
    again, _ = fit_validation_split(60_000, seed=0)
    other, _ = fit_validation_split(60_000, seed=1)
    assert np.array_equal(fit, again) and not np.array_equal(fit, other)


def test_histograms_count_every_pixel_value():
    images, labels = _synthetic(40)
    counts = pixel_histograms(images, labels, 3)
    assert counts.shape == (3, 784, 256)
    assert np.array_equal(counts.sum(-1), np.repeat(np.bincount(labels)[:, None], 784, axis=1))
    assert counts[1, 5 * 28 + 7, 200] == 40 and counts[0, 5 * 28 + 7, 200] == 0
    c, p = 2, 11 * 28 + 13
    assert np.array_equal(counts[c, p], np.bincount(images[labels == c, 11, 13], minlength=256))


def test_separating_pixel_is_found_with_accuracy_one(synthetic_result):
    res = synthetic_result
    for i, j, pixel in ((0, 1, (5, 7)), (1, 2, (5, 7)), (0, 2, (20, 3))):
        # (1, 2): both (5, 7) and (20, 3) separate perfectly; the first in row-major order wins
        assert tuple(res.pixel[i, j]) == pixel
        assert res.train_accuracy[i, j] == 1.0 and res.val_accuracy[i, j] == 1.0
    # class 1 is the bright one at (5, 7): P(1 | x) rises with the pixel, threshold between 120 and 200
    assert res.weight[0, 1] > 0 and res.weight[1, 0] < 0
    assert 120 < res.threshold[0, 1] < 200


def test_matrices_are_symmetric_with_empty_diagonal(synthetic_result):
    res = synthetic_result
    for m in (res.val_accuracy, res.train_accuracy, res.threshold):
        assert np.all(np.isnan(np.diag(m)))
        np.testing.assert_array_equal(m, m.T)
    np.testing.assert_array_equal(res.weight, -res.weight.T)
    np.testing.assert_array_equal(res.bias, -res.bias.T)
    assert np.array_equal(res.pixel, res.pixel.transpose(1, 0, 2))
    assert (res.pixel[np.arange(3), np.arange(3)] == -1).all()
    assert res.pairs() == [(0, 1), (0, 2), (1, 2)]
    # the per-pixel accuracy map peaks at the chosen pixel
    assert res.pixel_accuracy[0, 1].max() == res.pixel_accuracy[0, 1, 5, 7] == 1.0


def test_absent_class_gives_nan_rows():
    images, labels = _synthetic(100)
    keep = labels != 1
    fit, val = fit_validation_split(int(keep.sum()), seed=0)
    im, lab = images[keep], labels[keep]
    res = fit_one_pixel(im[fit], lab[fit], im[val], lab[val], CLASSES)
    assert res.pairs() == [(0, 2)]
    assert np.all(np.isnan(res.val_accuracy[1])) and np.all(np.isnan(res.class_means[1]))
    summary = summarize(res)
    assert summary.n_pairs == 1 and summary.partners.tolist() == [1, 0, 1]


def test_class_means_are_the_fitting_means(synthetic_result):
    images, labels = _synthetic()
    fit, _ = fit_validation_split(len(labels), seed=0)
    expected = images[fit][labels[fit] == 2].astype(np.float64).mean(0)
    np.testing.assert_allclose(synthetic_result.class_means[2], expected, rtol=1e-6)


def test_cache_round_trip(tmp_path, synthetic_result):
    back = OnePixelResult.from_arrays(synthetic_result.to_arrays())
    for name in ("pixel", "weight", "val_accuracy", "train_accuracy", "threshold", "pixel_accuracy", "class_means"):
        np.testing.assert_array_equal(getattr(back, name), getattr(synthetic_result, name))
    assert back.classes == CLASSES and back.n_fit == synthetic_result.n_fit


def _sklearn_pair(x_fit, y_fit, x_val, y_val):
    """Per-pixel scikit-learn fits; best in-sample pixel (first among ties) and its validation accuracy."""
    best = (-1.0, -1, None)
    for p in range(x_fit.shape[1]):
        clf = LogisticRegression().fit(x_fit[:, p : p + 1], y_fit)
        acc = clf.score(x_fit[:, p : p + 1], y_fit)
        if acc > best[0]:
            best = (acc, p, clf)
    acc, p, clf = best
    return p, acc, clf.score(x_val[:, p : p + 1], y_val)


def test_agrees_with_sklearn_on_mnist_subset(real_data_dir):
    """Subset: classes 3, 5, 8 (three pairs), 1,800 images each, the central 14 x 14 pixels."""
    data = load("mnist", n=18_000, seed=0, data_dir=real_data_dir)
    keep = np.isin(data.labels, [3, 5, 8])
    images, labels = data.images[keep][:, 7:21, 7:21].copy(), data.labels[keep]
    fit, val = fit_validation_split(len(labels), seed=0)
    res = fit_one_pixel(images[fit], labels[fit], images[val], labels[val], data.classes)
    same, gaps = 0, []
    for i, j in res.pairs():
        mf, mv = np.isin(labels[fit], [i, j]), np.isin(labels[val], [i, j])
        x_fit = images[fit][mf].reshape(mf.sum(), -1) / 255.0
        x_val = images[val][mv].reshape(mv.sum(), -1) / 255.0
        p, train_acc, val_acc = _sklearn_pair(x_fit, (labels[fit][mf] == j).astype(int), x_val,
                                              (labels[val][mv] == j).astype(int))
        same += tuple(res.pixel[i, j]) == divmod(p, 14)
        gaps.append(abs(val_acc - res.val_accuracy[i, j]))
        assert res.train_accuracy[i, j] == pytest.approx(train_acc, abs=2e-3)
    assert len(res.pairs()) == 3
    assert same / 3 >= 0.95
    assert max(gaps) <= 0.005


def test_mnist_full_fit_is_plausible(real_data_dir, tmp_path):
    run = one_pixel_dataset("mnist", data_dir=real_data_dir, cache=Cache(tmp_path))
    res = run.result
    assert (res.n_fit, res.n_val, len(res.pairs())) == (50_000, 10_000, 45)
    acc = res.val_accuracy[~np.isnan(res.val_accuracy)]
    assert 0.5 < acc.min() and acc.max() < 1.0
    # 0 vs 1 is the easiest MNIST pair with a central pixel (1 has ink there, 0 does not)
    assert summarize(res).ranked[0][:2] == (0, 1)
    again = one_pixel_dataset("mnist", data_dir=real_data_dir, cache=Cache(tmp_path))
    assert again.cache_hit and np.array_equal(again.result.val_accuracy, res.val_accuracy, equal_nan=True)


def test_cli_json(tmp_path):
    images, labels = _synthetic(60)
    path = tmp_path / "toy.npz"
    np.savez(path, images=images, labels=labels)
    env = {"DSVIZ_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "dsviz", "onepixel", str(path), "--json"], cwd=ROOT,
                         capture_output=True, text=True, env=env, check=True)
    data = json.loads(out.stdout)
    assert {"classes", "val_accuracy", "train_accuracy", "pixel", "seconds"} <= data.keys()
    assert data["classes"] == ["0", "1", "2"]
    acc = data["val_accuracy"]
    assert all(acc[k][k] is None and data["pixel"][k][k] is None for k in range(3))
    assert all(acc[i][j] == acc[j][i] for i in range(3) for j in range(3))
    assert data["pixel"][0][1] == [5, 7] and acc[0][1] == 1.0
    bad = subprocess.run([sys.executable, "-m", "dsviz", "onepixel", str(tmp_path / "missing.npz")], cwd=ROOT,
                         capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


def test_page_shows_summaries_for_both_datasets(real_data_dir):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()
    at.switch_page("pages/one_pixel.py").run()
    assert not at.exception, at.exception
    assert [s.value for s in at.subheader] == ["Validation accuracy of the best pixel", "Summary",
                                               "Average pixel-density differences"]
    labels = [m.label for m in at.metric]
    assert labels.count("Pairs ≥ 0.95") == 2
    assert len(at.get("plotly_chart")) == 2
    missing = [name for name, status in availability().items() if not status.available]
    if missing:
        at.multiselect(key="datasets").set_value(missing[:1]).run()
        assert not at.exception
        assert any("Not in the data folder" in i.value and missing[0] in i.value for i in at.info)
