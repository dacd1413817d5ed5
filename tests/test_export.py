"""ui.export: chart file names, and tables written with their settings (CSV and JSON read back)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from ui.export import chart_config, slug, table_csv, table_json


def _matrix() -> pd.DataFrame:
    return pd.DataFrame(
        np.array([[0.0, 1221.4], [1221.4, 0.0]]), index=["digits", "mnist-5k"], columns=["digits", "mnist-5k"]
    )


APP = str(Path(__file__).resolve().parents[1] / "app.py")
SETTINGS = {"n": 250, "seed": np.int64(0), "split_used": {"digits": "test"}, "seeds": (0, 1)}


def test_chart_config_saves_a_named_png_by_default():
    config = chart_config("OTDD matrix: digits/mnist-5k")
    assert config["modeBarButtons"] == [["toImage"]]
    options = config["toImageButtonOptions"]
    assert options["format"] == "png" and options["scale"] == 2
    assert options["filename"].endswith("-otdd-matrix-digits-mnist-5k")
    assert slug("Δ  (MSE) ") == "mse"


def test_chart_config_saves_svg_when_asked():
    options = chart_config("OTDD matrix", "svg")["toImageButtonOptions"]
    assert options["format"] == "svg" and "scale" not in options  # a vector image has no pixel scale
    assert options["filename"].endswith("-otdd-matrix")


def test_the_sidebar_choice_sets_the_format_of_every_chart():
    """app.py draws the "Chart downloads" radio (PNG by default); the page's charts follow its value.

    (AppTest runs a switched-to page without app.py, so the value is put in the session directly; the
    browser test in test_first_run_browser.py picks SVG in the sidebar and keeps it across pages.)
    """
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert at.radio(key="chart_format").value == "PNG"
    at.session_state["chart_format"] = "SVG"
    at.switch_page("pages/pixel_stats.py").run()
    assert not at.exception, at.exception
    options = [json.loads(chart.proto.config)["toImageButtonOptions"] for chart in at.get("plotly_chart")]
    assert options and all(o["format"] == "svg" for o in options)
    assert {o["filename"] for o in options} >= {"dsviz-page-variance", "dsviz-page-reconstructions"}


def test_csv_has_the_settings_and_reads_back():
    text = table_csv(_matrix(), SETTINGS)
    assert text.startswith('# n: 250\n# seed: 0\n# split_used: {"digits": "test"}\n# seeds: [0, 1]\n')
    back = pd.read_csv(io.StringIO(text), comment="#", index_col=0)
    pd.testing.assert_frame_equal(back, _matrix())


def test_json_has_the_settings_and_reads_back():
    data = json.loads(table_json(_matrix(), SETTINGS))
    assert data["settings"] == {"n": 250, "seed": 0, "split_used": {"digits": "test"}, "seeds": [0, 1]}
    assert data["index"] == data["columns"] == ["digits", "mnist-5k"]
    np.testing.assert_array_equal(data["data"], _matrix().to_numpy())


def test_otdd_tables_get_csv_and_json_buttons_with_their_settings():
    def page() -> None:
        import numpy as np

        from dsviz.otdd.engine import compute_otdd
        from ui.export import otdd_table_downloads

        x, y = np.random.default_rng(0).normal(size=(12, 3)), np.arange(12) % 3
        otdd_table_downloads(compute_otdd(x, y, x, y), "a b", {"n": 12})

    at = AppTest.from_function(page, default_timeout=120).run()
    assert not at.exception, at.exception
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == [
        f"{table} a b · {ext}" for table in ("label distances", "class coupling") for ext in ("CSV", "JSON")
    ]
