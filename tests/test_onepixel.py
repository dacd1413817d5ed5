"""One-pixel class-pair classifiers: known answers, symmetry, agreement with scikit-learn, protocols, CLI, page."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from streamlit.testing.v1 import AppTest

from dsviz.data import availability, load
from dsviz.runtime.cache import Cache
from dsviz.runtime.codec import decode, encode
from dsviz.studies.onepixel import (
    ARTICLE_FIGURES,
    OnePixelResult,
    article_chart,
    article_counts,
    chart_agreement,
    chart_value,
    fit_one_pixel,
    fit_one_pixel_published,
    fit_validation_split,
    l2_normalized,
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
    back = decode(OnePixelResult, encode(synthetic_result))
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
        p, train_acc, val_acc = _sklearn_pair(
            x_fit, (labels[fit][mf] == j).astype(int), x_val, (labels[val][mv] == j).astype(int)
        )
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


def test_l2_normalized_rows_have_unit_norm():
    images, _ = _synthetic(10)
    x = l2_normalized(images)
    assert x.shape == (30, 784) and x.dtype == np.float64
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, rtol=1e-12)
    assert np.array_equal(l2_normalized(np.zeros((2, 28, 28), np.uint8)), np.zeros((2, 784)))


def test_published_protocol_on_synthetic_data():
    images, labels = _synthetic(200)
    test_images, test_labels = _synthetic(50, seed=1)
    res = fit_one_pixel_published(images, labels, test_images, test_labels, CLASSES)
    assert res.feature == "l2" and (res.n_fit, res.n_val) == (600, 150)
    for i, j, pixel in ((0, 1, (5, 7)), (1, 2, (5, 7)), (0, 2, (20, 3))):
        assert tuple(res.pixel[i, j]) == pixel
        assert res.train_accuracy[i, j] == 1.0 and res.val_accuracy[i, j] == 1.0
    assert res.weight[0, 1] > 0 and 0 < res.threshold[0, 1] < 1
    np.testing.assert_array_equal(res.val_accuracy, res.val_accuracy.T)
    back = decode(OnePixelResult, encode(res))
    assert back.feature == "l2" and np.array_equal(back.threshold, res.threshold, equal_nan=True)


def test_chart_rounding_and_article_counts():
    # np.savetxt("%.4f") then seaborn's ".2g": 0.89496 prints as 0.9, 0.8949 as 0.89
    assert (chart_value(0.89496), chart_value(0.8949), chart_value(0.9549), chart_value(1.0)) == (0.9, 0.89, 0.95, 1.0)
    acc = np.array([[np.nan, 0.8951, 0.9549], [0.8951, np.nan, 0.8949], [0.9549, 0.8949, np.nan]])
    counts = article_counts(acc, min_partners=1)
    assert counts.at_least == {0.9: 2, 0.95: 1}
    assert counts.top_pairs == ((0, 2),)
    assert counts.best == (0, 2, 0.95) and counts.worst == (1, 2, 0.89)
    assert counts.strong_classes == (0, 2)
    assert article_counts(acc).strong_classes == ()  # nobody has six partners among three classes


def test_article_charts_are_symmetric_and_match_the_prose_where_it_agrees():
    for name in ("mnist", "fashion-mnist"):
        chart = article_chart(name)
        assert chart.shape == (10, 10) and np.isnan(np.diag(chart)).all()
        np.testing.assert_array_equal(chart, chart.T)
        counts, prose = article_counts(chart), ARTICLE_FIGURES[name]
        assert counts.best == prose.best and counts.worst == prose.worst
        same = chart_agreement(chart, chart)
        assert (same.equal, same.n_pairs, same.max_gap) == (45, 45, 0.0)
    fashion = article_counts(article_chart("fashion-mnist"))
    assert fashion.at_least[0.9] == ARTICLE_FIGURES["fashion-mnist"].at_least[0.9] == 33
    shifted = article_chart("mnist") - 0.01
    gap = chart_agreement(shifted, article_chart("mnist"))
    assert gap.equal == 0 and gap.max_gap == pytest.approx(0.01) and gap.mean_gap == pytest.approx(-0.01)
    assert article_chart("usps") is None


def _article_sag(**options) -> LogisticRegression:
    """The article's model (``LogisticRegression(solver="sag")``), seeded, with ``options`` on top."""
    return LogisticRegression(solver="sag", random_state=0, **options)


def _converged_score(column: np.ndarray, labels: np.ndarray) -> float:
    """In-sample accuracy of scikit-learn's one-pixel logistic regression run to convergence.

    Most images have no ink at a given pixel: the zeros of each class are passed as one sample weighted by their
    count, which leaves scikit-learn's objective unchanged and makes 784 fits affordable; lbfgs reaches the same
    optimum as sag (the objective is strictly convex).
    """
    ink = column > 0
    classes = np.unique(labels)
    zeros = np.array([(~ink & (labels == c)).sum() for c in classes], dtype=float)
    x = np.concatenate([column[ink], np.zeros(int((zeros > 0).sum()))])[:, None]
    y = np.concatenate([labels[ink], classes[zeros > 0]])
    w = np.concatenate([np.ones(int(ink.sum())), zeros[zeros > 0]])
    clf = LogisticRegression(tol=1e-10, max_iter=10_000).fit(x, y, sample_weight=w)
    return clf.score(column[:, None], labels)


@pytest.mark.parametrize("pair", [(3, 5), (0, 1)])
def test_published_protocol_agrees_with_sklearn_on_mnist(real_data_dir, pair):
    """Real MNIST, all train images of the pair and its test images, L2-normalized as the article does.

    scikit-learn run to convergence (tol 1e-10) is fitted on every one of the 784 pixels: each in-sample
    accuracy is our map's to within one image, its best pixel (first among ties) is ours, and at our pixel sag (the
    article's solver, converged) has our weights and test accuracy. The article's own call (sag, tol 1e-4,
    max_iter 100) stops earlier; at our pixel its accuracies stay within a few images of ours.
    """
    i, j = pair
    train, test = (
        load("mnist", split="train", data_dir=real_data_dir),
        load("mnist", split="test", data_dir=real_data_dir),
    )
    fit, held = np.isin(train.labels, pair), np.isin(test.labels, pair)
    res = fit_one_pixel_published(
        train.images[fit], train.labels[fit], test.images[held], test.labels[held], train.classes
    )
    assert res.pairs() == [pair] and (res.n_fit, res.n_val) == (fit.sum(), held.sum())
    x, y = l2_normalized(train.images[fit]), train.labels[fit]
    x_test, y_test = l2_normalized(test.images[held]), test.labels[held]
    ours = int(res.pixel[i, j][0] * 28 + res.pixel[i, j][1])
    flat = res.pixel_accuracy[i, j].ravel()
    scores = np.array([_converged_score(x[:, p], y) for p in range(784)])
    # every pixel within one image (an image exactly on the decision threshold can fall either side: 2 of the
    # 1,568 pixels of the two pairs here); our map is float32
    np.testing.assert_allclose(scores, flat, atol=1 / len(y) + 1e-6)
    assert int(np.argmax(scores)) == ours
    clf = _article_sag(tol=1e-10, max_iter=10_000).fit(x[:, ours : ours + 1], y)
    assert clf.score(x[:, ours : ours + 1], y) == res.train_accuracy[i, j]
    assert clf.score(x_test[:, ours : ours + 1], y_test) == res.val_accuracy[i, j]
    assert clf.coef_[0, 0] == pytest.approx(res.weight[i, j], rel=1e-4)
    assert clf.intercept_[0] == pytest.approx(res.bias[i, j], rel=1e-4, abs=1e-4)
    article = _article_sag().fit(x[:, ours : ours + 1], y)
    assert abs(article.score(x[:, ours : ours + 1], y) - res.train_accuracy[i, j]) <= 3 / len(y)
    assert abs(article.score(x_test[:, ours : ours + 1], y_test) - res.val_accuracy[i, j]) <= 2 / len(y_test)


def test_cli_json(tmp_path):
    images, labels = _synthetic(60)
    path = tmp_path / "toy.npz"
    np.savez(path, images=images, labels=labels)
    env = {"DSVIZ_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-m", "dsviz", "onepixel", str(path), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    data = json.loads(out.stdout)
    assert {"classes", "val_accuracy", "train_accuracy", "pixel", "seconds"} <= data.keys()
    assert data["protocol"] == "heldout"
    assert data["classes"] == ["0", "1", "2"]
    acc = data["val_accuracy"]
    assert all(acc[k][k] is None and data["pixel"][k][k] is None for k in range(3))
    assert all(acc[i][j] == acc[j][i] for i in range(3) for j in range(3))
    assert data["pixel"][0][1] == [5, 7] and acc[0][1] == 1.0
    bad = subprocess.run(
        [sys.executable, "-m", "dsviz", "onepixel", str(tmp_path / "missing.npz")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    # the command says it started (before torch loads), then one line of error, no traceback
    lines = bad.stderr.splitlines()
    assert bad.returncode == 2 and len(lines) == 2 and "Traceback" not in bad.stderr
    assert (
        lines[0].endswith("starting (loading torch and POT)")
        and lines[1].startswith("dsviz: ")
        and "no such .npz file" in lines[1]
    )
    one_split = subprocess.run(
        [sys.executable, "-m", "dsviz", "onepixel", str(path), "--protocol", "published"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert one_split.returncode == 2 and "heldout" in one_split.stderr and "Traceback" not in one_split.stderr


def test_cli_published_protocol_fits_train_and_scores_test(tmp_path):
    """A registered name in a scratch data folder with both splits: ``protocol`` key, train -> test sizes."""
    images, labels = _synthetic(60)
    test_images, test_labels = _synthetic(20, seed=1)
    (tmp_path / "data" / "mnist").mkdir(parents=True)
    np.savez(tmp_path / "data" / "mnist" / "train.npz", images=images, labels=labels)
    np.savez(tmp_path / "data" / "mnist" / "test.npz", images=test_images, labels=test_labels)
    env = {
        "DSVIZ_CACHE_DIR": str(tmp_path / "cache"),
        "DSVIZ_DATA_DIR": str(tmp_path / "data"),
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-m", "dsviz", "onepixel", "mnist", "--protocol", "published", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    data = json.loads(out.stdout)
    assert data["protocol"] == "published" and data["split_used"] == "train+test"
    assert (data["n_fit"], data["n_val"]) == (180, 60)
    assert data["pixel"][0][1] == [5, 7] and data["val_accuracy"][0][1] == 1.0
    # the threshold is on the L2-normalized scale: between the noise and the bright pixel over the image norm
    assert 0 < data["threshold"][0][1] < 1


def test_page_switches_protocol(real_data_dir):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    at.run()
    at.switch_page("pages/one_pixel.py").run()
    assert not at.exception, at.exception
    assert at.button_group(key="protocol").value == "published"
    assert [s.value for s in at.subheader] == [
        "Test accuracy of the best pixel",
        "Summary",
        "Average pixel-density differences",
    ]
    labels = [m.label for m in at.metric]
    assert labels.count("Pairs ≥ 0.95") == 2
    assert len(at.get("plotly_chart")) == 2
    assert "L2-normalized" in at.caption[0].value
    # the article's figures (prose and chart) beside ours, for both datasets; ours are measured, not copied
    tables = [t.value for t in at.table if "article (prose)" in t.value.columns]
    assert len(tables) == 2
    mnist = tables[0]
    assert mnist.loc["pairs ≥ 0.90", "article (prose)"] == str(ARTICLE_FIGURES["mnist"].at_least[0.9])
    assert mnist.loc["pairs ≥ 0.90", "article (chart)"] == str(article_counts(article_chart("mnist")).at_least[0.9])
    ours = one_pixel_dataset("mnist", protocol="published", data_dir=real_data_dir).result
    assert mnist.loc["pairs ≥ 0.90", "ours (published)"] == str(article_counts(ours.val_accuracy).at_least[0.9])
    agree = chart_agreement(ours.val_accuracy, article_chart("mnist"))
    assert any(f"{agree.equal} of {agree.n_pairs} pairs" in c.value for c in at.caption)
    assert any("prose" in e.label for e in at.expander)

    at.button_group(key="protocol").set_value("heldout").run()
    assert not at.exception, at.exception
    assert at.subheader[0].value == "Validation accuracy of the best pixel"
    assert "50,000" in at.caption[0].value
    tables = [t.value for t in at.table if "article (prose)" in t.value.columns]
    assert len(tables) == 2 and all("ours (heldout)" in t.columns for t in tables)
    missing = [name for name, status in availability().items() if not status.available]
    if missing:
        at.multiselect(key="datasets").set_value(missing[:1]).run()
        assert not at.exception
        assert any("Not in the data folder" in i.value and missing[0] in i.value for i in at.info)


def test_a_fit_after_a_measured_one_says_how_long_it_will_take(tmp_path):
    """The first fit records its cost; the next uncached fit announces ``about N s`` before fitting."""
    from dsviz.runtime import timings
    from dsviz.studies.onepixel import ESTIMATE_PREFIX

    first: list[str] = []
    one_pixel_dataset("digits", cache=Cache(tmp_path), progress=lambda done, total, what: first.append(what))
    assert not any(w.startswith(ESTIMATE_PREFIX) for w in first)
    assert timings.estimate("onepixel_heldout", 1.0, root=tmp_path) is not None
    for entry in tmp_path.rglob("*.npz"):  # forget the result, keep the measured cost
        entry.unlink()
    second: list[str] = []
    one_pixel_dataset("digits", cache=Cache(tmp_path), progress=lambda done, total, what: second.append(what))
    assert second[0].startswith(ESTIMATE_PREFIX) and second[0].split()[2] == "s"
