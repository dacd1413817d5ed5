"""Five sessions at once: each sees its own upload's results, and a shared computation runs once."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

import dsviz.methods.otdd
from dsviz.data import load
from dsviz.data.upload import read_upload, save_upload
from dsviz.runtime.cache import Cache
from dsviz.studies.closest import rank_references
from dsviz.studies.pairs import PairSettings

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGE = "pages/compare_upload.py"


@pytest.fixture
def counted_otdd(monkeypatch):
    """Count OTDD computations (cache misses) made through the registry (:mod:`dsviz.methods.otdd`)."""
    calls: list[tuple[int, int]] = []
    lock = threading.Lock()
    original = dsviz.methods.otdd.compute_otdd

    def counting(x1, y1, x2, y2, **kwargs):
        with lock:
            calls.append((len(x1), len(x2)))
        return original(x1, y1, x2, y2, **kwargs)

    monkeypatch.setattr(dsviz.methods.otdd, "compute_otdd", counting)
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


def _session(upload: Path, filename: str, counter: Path) -> dict:
    """One app session (run in its own process: AppTest keeps global state, so one per process).

    Uploads ``upload`` as ``filename``, counts OTDD computations into ``counter``,
    and returns what the page showed.
    """
    original = dsviz.methods.otdd.compute_otdd

    def counting(x1, y1, x2, y2, **kwargs):
        with open(counter, "a") as fh:
            fh.write(f"{len(x1)} {len(x2)}\n")
        return original(x1, y1, x2, y2, **kwargs)

    dsviz.methods.otdd.compute_otdd = counting
    at = AppTest.from_file(APP, default_timeout=500)
    at.query_params["n"] = "250"
    at.run()
    at.switch_page(PAGE).run()
    at.file_uploader(key="upload").set_value((filename, upload.read_bytes(), "application/zip")).run()
    (ranking,) = [d.value for d in at.dataframe if "dataset" in d.value.columns]
    charts = {c.proto.id: c.proto.spec for c in at.get("plotly_chart")}
    return {
        "exception": [str(e.value) for e in at.exception],
        "error": [e.value for e in at.error],
        "success": [s.value for s in at.success],
        "ranking": ranking[["dataset", "OTDD"]].to_dict("list"),
        "closest": [m.value for m in at.metric],
        "label_distances": next(spec for key, spec in charts.items() if "label_distances" in key),
    }


def test_five_app_sessions_get_their_own_results(tmp_path, real_data_dir):
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
    counter = tmp_path / "otdd_calls.txt"
    env = {**os.environ, "DSVIZ_CACHE_DIR": str(tmp_path / "cache"), "DSVIZ_DATA_DIR": real_data_dir}
    procs = []
    for i, data in enumerate(uploads):
        (tmp_path / f"u{i}.zip").write_bytes(data)
        out = tmp_path / f"session{i}.json"
        code = (
            f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
            f"from test_upload_concurrency import _session; "
            f"json.dump(_session(*map(__import__('pathlib').Path, sys.argv[1:2]), sys.argv[2], "
            f"__import__('pathlib').Path(sys.argv[3])), open(sys.argv[4], 'w'))"
        )
        procs.append(
            (
                subprocess.Popen(
                    [
                        sys.executable,
                        "-c",
                        code,
                        str(tmp_path / f"u{i}.zip"),
                        f"session{i}.zip",
                        str(counter),
                        str(out),
                    ],
                    cwd=ROOT,
                    env=env,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
                out,
            )
        )
    results = []
    for proc, out in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-3000:]
        results.append(json.loads(out.read_text()))

    references = sorted(results[0]["ranking"]["dataset"])
    assert "mnist" in references and "fashion-mnist" in references
    for i, (shown, up) in enumerate(zip(results, expected, strict=True)):
        assert not shown["exception"] and not shown["error"], shown
        (success,) = shown["success"]
        assert f"session{i}.zip" in success and up.sha256[:12] in success  # this session's own upload
        assert sorted(shown["ranking"]["dataset"]) == references
        assert shown["ranking"]["OTDD"] == sorted(shown["ranking"]["OTDD"])
        assert shown["closest"] == ["fashion-mnist" if i >= 3 else "mnist"]
        figure = shown["label_distances"]
        assert all(f'"{name}"' in figure for name in up.classes)  # its own classes, nobody else's
        others = {c for e in expected if e.sha256 != up.sha256 for c in e.classes}
        assert not any(f'"{name}"' in figure for name in others)
    # 4 distinct uploads, and the example every session shows before its upload (the bundled digits), x the
    # references, each OTDD computed once: the 4th and 5th sessions share theirs, all five share the example's
    distinct = len({e.sha256 for e in expected})
    assert distinct == 4
    calls = counter.read_text().splitlines()
    assert len(calls) == (distinct + 1) * len(references), calls
