"""Dataset-pair explorer: the matrix on real data, thumbnails, embedding, hover payload, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dsviz.data import availability
from dsviz.data.thumbnails import read_sprite, sprite_sheet
from dsviz.embedding import UmapSettings, exact_knn, joint_embedding
from dsviz.methods.sotdd import SOTDDSettings
from dsviz.runtime.cache import Cache
from dsviz.studies.pairs import PairSettings, matrix_jobs, pair_matrix, pair_view

ROOT = Path(__file__).resolve().parents[1]


def test_sprite_sheet_round_trips_every_image():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(37, 28, 28), dtype=np.uint8)
    sheet = sprite_sheet(images)
    assert sheet.count == 37 and sheet.cols * sheet.rows >= 37 and sheet.tile == 28
    for i in (0, 5, 36):
        np.testing.assert_array_equal(read_sprite(sheet, i), images[i])
    assert sheet.data_url().startswith("data:image/png;base64,")
    with pytest.raises(ValueError):
        sprite_sheet(images.astype(np.float32))


def test_joint_embedding_is_deterministic_and_keeps_clusters_apart():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(60, 10))
    b = rng.normal(size=(60, 10)) + 12.0  # a far-away second cluster
    e1 = joint_embedding(a, b, UmapSettings(n_neighbors=10, n_epochs=50, seed=3))
    e2 = joint_embedding(a, b, UmapSettings(n_neighbors=10, n_epochs=50, seed=3))
    assert e1.shape == (120, 2)
    np.testing.assert_array_equal(e1, e2)
    within = np.linalg.norm(e1[:60] - e1[:60].mean(0), axis=1).mean()
    between = np.linalg.norm(e1[:60].mean(0) - e1[60:].mean(0))
    assert between > 2 * within


def test_exact_knn_is_umap_learns_small_data_neighbour_graph():
    """umap-learn below 4096 points: its numba ``euclidean`` on every pair, then a stable argsort per row."""
    from sklearn.metrics import pairwise_distances
    from umap.distances import euclidean
    from umap.utils import fast_knn_indices

    rng = np.random.default_rng(2)
    x = rng.normal(size=(200, 12)).astype(np.float32)
    x[7] = x[3]  # an exact duplicate: a tie at distance 0
    idx, dist = exact_knn(x, 15)
    dmat = pairwise_distances(x, metric=euclidean)
    ref = fast_knn_indices(dmat, 15)
    np.testing.assert_array_equal(idx, ref)
    np.testing.assert_allclose(dist, dmat[np.arange(200)[:, None], ref], rtol=1e-6, atol=0)
    assert (dist[:, 0] == 0).all() and list(idx[3, :2]) == [3, 7] and list(idx[7, :2]) == [3, 7]
    with pytest.raises(ValueError, match="k must be"):
        exact_knn(x, 0)


def test_joint_embedding_is_umap_learns_own_fit():
    """The precomputed exact neighbour graph changes nothing: the same embedding as umap-learn computing it."""
    import umap
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(70, 10)), rng.normal(size=(70, 10)) + 3.0
    settings = UmapSettings(n_neighbors=10, n_epochs=60, seed=5)
    x = np.concatenate([a, b]).astype(np.float32)
    reduced = PCA(n_components=10, random_state=5).fit_transform(x)
    ref = umap.UMAP(n_neighbors=10, min_dist=0.1, n_epochs=60, random_state=5, n_jobs=1).fit_transform(reduced)
    np.testing.assert_array_equal(joint_embedding(a, b, settings), ref.astype(np.float32))


def test_matrix_jobs_put_the_chosen_pair_first():
    jobs = matrix_jobs(3)
    assert jobs[:3] == [(0, 0), (0, 1), (0, 2)] and jobs[-3:] == [(0, -1), (1, -1), (2, -1)]
    first = matrix_jobs(3, (2, 1))
    assert first[0] == (1, 2) and sorted(first) == sorted(jobs) and len(first) == len(jobs) == 9


def test_matrix_fills_in_cell_by_cell_and_reuses_the_pair_views_otdd(real_data_dir, tmp_path):
    settings, cache = PairSettings(n=80, seed=0), Cache(tmp_path)
    names = ["mnist", "usps", "fashion-mnist"]
    view = pair_view(
        "usps",
        "fashion-mnist",
        settings,
        UmapSettings(n_neighbors=10, n_epochs=20),
        data_dir=real_data_dir,
        cache=cache,
    )
    partials = []
    m = pair_matrix(
        names, settings, data_dir=real_data_dir, cache=cache, first=("usps", "fashion-mnist"), on_cell=partials.append
    )
    assert len(partials) == len(matrix_jobs(3))
    done = np.isfinite(partials[0].distance)
    assert done.sum() == 2 and done[1, 2] and done[2, 1] and np.isnan(partials[0].floor).all()
    assert partials[0].distance[1, 2] == view.comparison.distance.value  # the view's OTDD run, read back
    assert m.cache_hits == 1  # ... and only that one: every other cell was computed here
    counts = [int(np.isfinite(p.distance).sum() + np.isfinite(p.floor).sum()) for p in partials]
    assert counts == sorted(counts) and counts[-1] == 9 + 3
    np.testing.assert_array_equal(partials[-1].distance, m.distance)
    again = pair_matrix(names, settings, data_dir=real_data_dir, cache=Cache(tmp_path / "fresh"))
    np.testing.assert_allclose(again.distance, m.distance, rtol=1e-9)  # the order changes no value
    np.testing.assert_allclose(again.floor, m.floor, rtol=1e-9)


def test_matrix_figure_draws_uncomputed_cells_grey():
    from ui.pair_plots import PENDING, matrix_figure

    values = np.array([[0.0, np.nan], [np.nan, 0.0]])
    fig = matrix_figure(values, ["a", "b"], "OTDD", (0, 1))
    done, pending = fig.data[0], fig.data[1]
    assert pending.name == PENDING and list(pending.text) == ["…", "…"]
    assert sorted(zip(pending.y, pending.x)) == [("a", "b"), ("b", "a")] and len(done.x) == 2
    assert len(matrix_figure(np.zeros((2, 2)), ["a", "b"], "OTDD", None).data) == 1  # complete: no grey trace


@pytest.fixture(scope="module")
def small_matrix(real_data_dir, tmp_path_factory):
    cache = Cache(tmp_path_factory.mktemp("cache"))
    names = ["mnist", "emnist-letters", "kmnist", "fashion-mnist", "usps"]
    return pair_matrix(names, PairSettings(n=120, seed=0), data_dir=real_data_dir, cache=cache)


def test_matrix_on_real_data(small_matrix, real_data_dir):
    m = small_matrix
    status = availability(real_data_dir)  # the data folder decides which datasets the matrix holds
    names = ["mnist", "emnist-letters", "kmnist", "fashion-mnist", "usps"]
    assert m.datasets == [n for n in names if status[n].available]
    assert set(m.missing) == {n for n in names if not status[n].available}
    for name in m.datasets:
        assert m.split_used[name] == ("train" if status[name].counts.get("train") else "test")
    np.testing.assert_allclose(m.distance, m.distance.T, rtol=1e-9)
    np.testing.assert_allclose(np.diag(m.distance), 0.0, atol=1e-6)
    for i in range(len(m.datasets)):
        off = np.delete(m.distance[i], i)
        assert (off > m.distance[i, i]).all()
        assert (off >= np.delete(m.ot[i], i) - 1e-9).all()  # OTDD >= OT cell by cell
    # an independent sample of the same dataset is a real but smaller distance here
    assert (m.floor > 0).all()


def test_sotdd_matrix_through_the_registry(real_data_dir, tmp_path):
    settings = PairSettings(n=100, seed=0, method="sotdd")
    m = pair_matrix(["mnist", "usps", "fashion-mnist"], settings, data_dir=real_data_dir, cache=Cache(tmp_path))
    assert m.settings.method == "sotdd" and np.isnan(m.ot).all()
    np.testing.assert_allclose(np.diag(m.distance), 0.0, atol=1e-12)
    np.testing.assert_allclose(m.distance, m.distance.T)
    off = ~np.eye(3, dtype=bool)
    assert (m.distance[off] > m.floor.max()).all()  # real differences exceed the sampling floor
    assert (m.stderr[off] > 0).all() and (m.stderr[off] < 0.2 * m.distance[off]).all()
    assert "sotdd" in settings.describe() and "n_projections" in settings.describe()


def test_precompute_pairs_cli(real_data_dir, tmp_path):
    env = dict(os.environ, DSVIZ_CACHE_DIR=str(tmp_path), DSVIZ_DATA_DIR=real_data_dir)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "dsviz",
            "precompute",
            "pairs",
            "--datasets",
            "mnist",
            "usps",
            "kmnist",
            "--n",
            "60",
            "--no-embeddings",
            "--json",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    kmnist = availability(real_data_dir)["kmnist"].available
    assert out["datasets"] == ["mnist", "usps", "kmnist"][: 2 + kmnist] and ("kmnist" in out["missing"]) != kmnist
    assert np.asarray(out["otdd"]).shape == (2 + kmnist,) * 2 and out["otdd"][0][1] > 0
    assert out["method"] == "otdd-exact" and out["settings"]["label_distance"] == "exact"
    assert {"stage_seconds", "seconds", "split_used", "floor_otdd"} <= set(out)


def test_pairs_page_offers_sotdd_and_states_its_projections_and_error(real_data_dir, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    for key, value in {"n": "250", "method": "sotdd", "src": "mnist", "tgt": "mnist"}.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/dataset_pairs.py").run()
    assert not at.exception, at.exception
    assert "sotdd" in at.selectbox(key="method").options and at.selectbox(key="method").value == "sotdd"
    captions = " ".join(c.value for c in at.caption)
    assert f"{SOTDDSettings().n_projections} random projections" in captions and "standard error" in captions
    assert at.toggle(key="show_ot").disabled  # plain OT belongs to OTDD


def test_global_matches_put_each_points_best_partner_in_global_order():
    from dsviz.data import LabeledImages
    from dsviz.methods import Comparison, Distance
    from dsviz.otdd.engine import compute_otdd
    from dsviz.studies.pairs import PairView

    rng = np.random.default_rng(3)
    images = rng.integers(0, 255, size=(6, 4, 4), dtype=np.uint8)
    labels = np.array([0, 1, 2, 0, 1, 2])
    src = LabeledImages("a", images, labels, ("x", "y", "z"), "train", "train")
    tgt = LabeledImages("b", images[::-1].copy(), labels[::-1].copy(), ("x", "y", "z"), "train", "train")
    res = compute_otdd(images.reshape(6, -1) / 255.0, labels, tgt.images.reshape(6, -1) / 255.0, tgt.labels)
    view = PairView(Comparison(src, tgt, Distance("otdd-exact", res.otdd, 0.0, {}, res), False), None, None, 0.0, False)
    cls, best, mass = view.global_matches()
    np.testing.assert_array_equal(cls, np.concatenate([labels, labels[::-1]]))
    # identical point clouds in reverse order: source i is matched to target 5 - i (global index 6 + 5 - i)
    np.testing.assert_array_equal(best, np.concatenate([11 - np.arange(6), 5 - np.arange(6)]))
    np.testing.assert_allclose(mass, 1 / 6)
