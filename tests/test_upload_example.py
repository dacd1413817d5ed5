"""Compare your dataset before any upload: the bundled digits stand in for the upload, through the upload's code path.

On first open the page shows its figures for the example; an upload replaces it and clearing the upload brings it
back. Run on the bundled data only (an empty data folder) and on the real data folder.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits
from streamlit.testing.v1 import AppTest

from dsviz.data.upload import read_upload, save_upload
from dsviz.data.upload_example import example_upload
from dsviz.studies.closest import Ranking, rank_references
from dsviz.studies.pairs import PairSettings

ROOT = Path(__file__).resolve().parents[1]
PAGE = "pages/compare_upload.py"
N = 250
LABEL = "Example: the bundled digits dataset (1,797 images) stands in for your upload; upload a file to compare yours."
CHARTS = ("ranking_chart", "label_distances", "class_coupling")


@pytest.fixture(params=["bundled only", "real data"])
def data_dir(request, tmp_path, monkeypatch) -> str:
    """An empty data folder (only the bundled datasets exist) or the real one, with an empty cache folder."""
    if request.param == "bundled only":
        folder = tmp_path / "data"
        folder.mkdir()
    else:
        folder = Path(request.getfixturevalue("real_data_dir"))
    monkeypatch.setenv("DSVIZ_DATA_DIR", str(folder))
    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(tmp_path / "cache"))
    return str(folder)


def _ranking(filename: str, data: bytes, data_dir: str) -> Ranking:
    """:func:`rank_references` of a file read and stored as the page does."""
    path = save_upload(read_upload(filename, data))
    return rank_references(path, PairSettings(n=N), data_dir=data_dir)


def _shown(at: AppTest) -> dict:
    """The ranking the page shows (table and bar chart), its charts, and its info and success texts."""
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    (table,) = [d.value for d in at.dataframe if "OTDD" in d.value.columns]
    charts = {key: json.loads(c.proto.spec) for c in at.get("plotly_chart") for key in CHARTS if key in c.proto.id}
    (bars,) = charts["ranking_chart"]["data"]
    return {
        "table": table[["dataset", "OTDD", "plain OT"]].to_dict("list"),
        "chart": {"dataset": bars["y"], "OTDD": bars["x"]},
        "charts": sorted(charts),
        "info": [i.value for i in at.info],
        "success": [s.value for s in at.success],
    }


def _expected(ranking: Ranking) -> dict:
    rows = ranking.rows
    return {
        "table": {
            "dataset": [r.name for r in rows],
            "OTDD": [r.otdd for r in rows],
            "plain OT": [r.ot for r in rows],
        },
        "chart": {"dataset": [r.name for r in rows], "OTDD": [r.otdd for r in rows]},
    }


def _upload_bytes() -> bytes:
    """200 of scikit-learn's raw 8 x 8 digits (levels x 15) as an npz: other data than the example's."""
    digits = load_digits()
    buf = io.BytesIO()
    np.savez(buf, images=(digits.images[:200] * 15).astype(np.uint8), labels=digits.target[:200])
    return buf.getvalue()


def test_example_stands_in_until_an_upload_and_returns_when_it_is_removed(data_dir):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["n"] = str(N)
    at.run()
    at.switch_page(PAGE).run()
    example = example_upload()
    expected_example = _expected(_ranking(example.filename, example.data, data_dir))

    shown = _shown(at)
    assert any(LABEL in text and f"Samples of {N} images" in text for text in shown["info"]), shown["info"]
    assert shown["charts"] == sorted(CHARTS) and not shown["success"]
    assert {k: shown[k] for k in ("table", "chart")} == expected_example
    assert len(expected_example["table"]["dataset"]) >= 2
    at.radio(key="loss").set_value("issim").run()  # a rerun with the results in memory draws the same page
    assert {k: _shown(at)[k] for k in ("table", "chart", "charts")} == {
        k: shown[k] for k in ("table", "chart", "charts")
    }

    mine = _upload_bytes()
    at.file_uploader(key="upload").set_value(("mine.npz", mine, "application/octet-stream")).run()
    shown = _shown(at)
    assert not any(LABEL in text for text in shown["info"])
    (success,) = shown["success"]
    assert "mine.npz" in success and "200 images in 10 classes" in success
    assert {k: shown[k] for k in ("table", "chart")} == _expected(_ranking("mine.npz", mine, data_dir))
    assert shown["chart"]["OTDD"] != expected_example["chart"]["OTDD"]  # the example's chart is gone

    at.file_uploader(key="upload").clear().run()
    shown = _shown(at)
    assert any(LABEL in text for text in shown["info"]) and not shown["success"]
    assert {k: shown[k] for k in ("table", "chart")} == expected_example


def test_class_heatmaps_read_as_on_dataset_pairs(tmp_path, monkeypatch):
    """The example's class heatmaps: coupling mass in % with one decimal (raw masses such as 0.003000 and 4.5e-17
    overlapped their neighbours) and label distances as whole numbers, as the Dataset pairs page draws them."""
    (tmp_path / "data").mkdir()
    monkeypatch.setenv("DSVIZ_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(tmp_path / "cache"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["n"] = str(N)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    charts = {key: json.loads(c.proto.spec) for c in at.get("plotly_chart") for key in CHARTS if key in c.proto.id}
    (coupling,) = charts["class_coupling"]["data"]
    assert coupling["texttemplate"] == "%{z:.1f}" and "%" in charts["class_coupling"]["layout"]["title"]["text"]
    z = np.frombuffer(base64.b64decode(coupling["z"]["bdata"]), dtype=coupling["z"]["dtype"])  # plotly's typed array
    assert z.sum() == pytest.approx(100.0)
    (distances,) = charts["label_distances"]["data"]
    assert distances["texttemplate"] == "%{z:.0f}"
