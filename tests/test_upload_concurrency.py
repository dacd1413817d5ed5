"""Five sessions at once: each sees its own upload's results, and a shared computation runs once."""

from __future__ import annotations

import io
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

import dsviz.compare
from dsviz.cache import Cache
from dsviz.closest import rank_references
from dsviz.data import load
from dsviz.pairs import PairSettings
from dsviz.upload import read_upload, save_upload

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "pages/compare_upload.py"


@pytest.fixture
def counted_otdd(monkeypatch):
    """Count OTDD computations (cache misses) made through :func:`dsviz.compare.compare_datasets`."""
    calls: list[tuple[int, int]] = []
    lock = threading.Lock()
    original = dsviz.compare.compute_otdd

    def counting(x1, y1, x2, y2, **kwargs):
        with lock:
            calls.append((len(x1), len(x2)))
        return original(x1, y1, x2, y2, **kwargs)

    monkeypatch.setattr(dsviz.compare, "compute_otdd", counting)
    return calls


def _zip_of(images: np.ndarray, names: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for i, (image, name) in enumerate(zip(images, names, strict=True)):
            png = io.BytesIO()
            Image.fromarray(255 - image).save(png, "PNG")  # dark strokes on white, as a scan would be
            archive.writestr(f"{name}/{i}.png", png.getvalue())
    return buf.getvalue()


def test_same_upload_in_five_threads_is_computed_once(tmp_path, real_data_dir, counted_otdd):
    mnist = load("mnist", split="test", n=60, seed=11, data_dir=real_data_dir)
    path = save_upload(read_upload("mine.npz", _npz_bytes(mnist.images, mnist.labels)), tmp_path)
    settings = PairSettings(n=100)
    barrier = threading.Barrier(5)

    def session(_):
        barrier.wait()
        return rank_references(path, settings, ("mnist", "usps"), data_dir=real_data_dir, cache=Cache(tmp_path))

    with ThreadPoolExecutor(5) as pool:
        rankings = list(pool.map(session, range(5)))
    assert len(counted_otdd) == 2  # one OTDD per reference, not one per session
    assert sum(not row.cache_hit for r in rankings for row in r.rows) == 2
    assert {tuple((row.name, row.otdd) for row in r.rows) for r in rankings} == {
        tuple((row.name, row.otdd) for row in rankings[0].rows)
    }
    assert rankings[0].closest == "mnist"


def _npz_bytes(images, labels) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, images=images, labels=labels)
    return buf.getvalue()


def test_five_app_sessions_get_their_own_results(tmp_path, monkeypatch, real_data_dir, counted_otdd):
    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(tmp_path))
    mnist = load("mnist", split="test", n=400, seed=13, data_dir=real_data_dir)
    fashion = load("fashion-mnist", split="test", n=60, seed=13, data_dir=real_data_dir)
    digit_names = np.array(mnist.classes)[mnist.labels]
    uploads = []
    for first in (0, 3, 6):  # three different digit subsets, renamed so each session's classes are its own
        keep = np.flatnonzero(np.isin(mnist.labels, [first, first + 1, first + 2]))[:45]
        uploads.append(_zip_of(mnist.images[keep], [f"s{first}-digit{d}" for d in digit_names[keep]]))
    uploads.append(_zip_of(fashion.images, [n.replace("/", "-") for n in np.array(fashion.classes)[fashion.labels]]))
    uploads.append(uploads[-1])  # the fifth session uploads the same data as the fourth
    expected = [read_upload("u.zip", data) for data in uploads]

    def session(i: int) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=400)
        at.query_params["n"] = "250"
        at.run()
        at.switch_page(PAGE).run()
        at.file_uploader(key="upload").set_value((f"session{i}.zip", uploads[i], "application/zip")).run()
        return at

    with ThreadPoolExecutor(5) as pool:
        sessions = list(pool.map(session, range(5)))

    references = None
    for i, (at, up) in enumerate(zip(sessions, expected, strict=True)):
        assert not at.exception, at.exception
        assert not at.error, [e.value for e in at.error]
        (success,) = at.success
        assert f"session{i}.zip" in success.value and up.sha256[:12] in success.value
        (ranking,) = [d.value for d in at.dataframe if "dataset" in d.value.columns]
        references = references or sorted(ranking["dataset"])
        assert sorted(ranking["dataset"]) == references and list(ranking["OTDD"]) == sorted(ranking["OTDD"])
        (metric,) = at.metric
        assert metric.value == ("fashion-mnist" if i >= 3 else "mnist")
        heatmap = at.get("plotly_chart")
        rows = [c for c in heatmap if c.proto.id and "label_distances" in c.proto.id]
        assert rows, "label-distance heatmap missing"
        figure = rows[0].proto.spec
        assert all(name in figure for name in up.classes)  # this session's classes, nobody else's
        others = {c for j, e in enumerate(expected) if e.sha256 != up.sha256 for c in e.classes}
        assert not any(f'"{name}"' in figure for name in others)
    # 4 distinct uploads x the available references, each computed once (sessions 4 and 5 share theirs)
    distinct = len({e.sha256 for e in expected})
    assert distinct == 4
    n_refs = len(references)
    ranking_calls = [c for c in counted_otdd]
    assert len(ranking_calls) == distinct * n_refs
