"""What users take away: every chart as a PNG, every table behind a chart as CSV and JSON.

* :func:`chart_config` is the Plotly ``config`` of every ``st.plotly_chart`` (:func:`show_chart`, and
  the hover components' plotly.js charts): a toolbar with only the camera button, saving
  ``dsviz-<page>-<chart>.png`` (2x) or ``.svg`` (Plotly's ``toImageButtonOptions``, drawn
  in the browser, no kaleido), as picked by :func:`chart_format_setting` in the sidebar.
* :func:`table_downloads` draws "CSV" and "JSON" download buttons for a matrix or
  table, with the settings it was computed with written into the file: the CSV starts
  with ``# key: value`` comment lines (``pandas.read_csv(..., comment="#")`` reads it
  back), the JSON holds ``{"settings", "index", "columns", "data"}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import streamlit as st

from dsviz import __version__

if TYPE_CHECKING:
    from dsviz.otdd.result import OTDDResult


def slug(text: str) -> str:
    """A readable file-name part: lower case, runs of other characters become one ``-``."""
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-") or "chart"


def _page() -> str:
    """The current page's URL path (``dataset_pairs``), or ``overview``."""
    try:
        return slug(st.context.url.rstrip("/").rsplit("/", 1)[-1].split("?")[0]) or "overview"
    except Exception:  # noqa: BLE001 - no request context (bare mode, AppTest): a generic name
        return "page"


CHART_FORMATS = ("PNG", "SVG")
CHART_FORMAT_KEY = "chart_format"


def chart_format_setting() -> str:
    """The sidebar's "Chart downloads" choice (drawn on every page from ``app.py``, so it holds across pages)."""
    return st.sidebar.radio(
        "Chart downloads",
        CHART_FORMATS,
        key=CHART_FORMAT_KEY,
        horizontal=True,
        help="What the camera button in each chart's toolbar saves: PNG (twice the "
        "screen size) or SVG (vector, for slides and papers).",
    )


def chart_format() -> str:
    """``"png"`` or ``"svg"``: the sidebar choice, PNG when there is none (bare mode, a page run alone)."""
    try:
        chosen = st.session_state.get(CHART_FORMAT_KEY)
    except Exception:  # noqa: BLE001 - no session (bare mode): the default
        chosen = None
    return "svg" if chosen == "SVG" else "png"


def chart_config(name: str, image_format: str | None = None) -> dict[str, Any]:
    """Plotly config: the camera button only, saving ``dsviz-<page>-<name>.<png|svg>``.

    ``image_format`` overrides the sidebar choice (:func:`chart_format`); a PNG is saved at twice the size.
    """
    image_format = image_format or chart_format()
    options: dict[str, Any] = {"format": image_format, "filename": f"dsviz-{_page()}-{slug(name)}"}
    if image_format == "png":
        options["scale"] = 2
    return {"displaylogo": False, "modeBarButtons": [["toImage"]], "toImageButtonOptions": options}


def show_chart(figure: Any, key: str, where: Any = st, **options: Any) -> Any:
    """``where.plotly_chart`` (the page, or a column or slot) of ``figure`` under ``key``, its camera button
    saving the chart named after ``key`` (:func:`chart_config`); ``options`` go to ``plotly_chart``."""
    return where.plotly_chart(figure, key=key, config=chart_config(key), **options)


def clickable_chart(figure: Any, key: str, where: Any = st) -> Any:
    """:func:`show_chart` at the figure's own width whose points can be clicked: a click reruns the page with
    the selection in the chart's return value (and in ``st.session_state[key]``)."""
    return show_chart(figure, key, where, on_select="rerun", selection_mode="points", width="content")


def _frame(
    table: pd.DataFrame | np.ndarray, index: Sequence[str] | None, columns: Sequence[str] | None
) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):
        return table
    return pd.DataFrame(
        np.asarray(table),
        index=None if index is None else list(index),
        columns=None if columns is None else list(columns),
    )


def _plain(value: Any) -> Any:
    """JSON-ready: numpy scalars and arrays become Python numbers and lists."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def table_csv(frame: pd.DataFrame, settings: Mapping[str, Any]) -> str:
    """The table as CSV after one ``# key: value`` line per setting."""
    header = "".join(f"# {key}: {json.dumps(_plain(value), ensure_ascii=False)}\n" for key, value in settings.items())
    return header + frame.to_csv()


def table_json(frame: pd.DataFrame, settings: Mapping[str, Any]) -> str:
    """The table as ``{"settings", "index", "columns", "data"}``."""
    split = json.loads(frame.to_json(orient="split", double_precision=15))
    return json.dumps({"settings": _plain(dict(settings)), **split}, ensure_ascii=False, indent=1)


def table_downloads(
    name: str,
    table: pd.DataFrame | np.ndarray,
    settings: Mapping[str, Any],
    *,
    index: Sequence[str] | None = None,
    columns: Sequence[str] | None = None,
    key: str | None = None,
) -> None:
    """CSV and JSON download buttons for ``table`` (a DataFrame, or a matrix with row/column labels).

    Each file is written when its button is clicked (a deferred download), not in every run of every session:
    three tables' files took 20 ms of each viewer's run of Dataset pairs, most of it pandas' CSV writer.
    """
    settings = {"dsviz_version": __version__, **settings}
    stem = f"dsviz-{_page()}-{slug(name)}"
    key = key or slug(name)

    def written(write: Callable[[pd.DataFrame, Mapping[str, Any]], str]) -> Callable[[], str]:
        return lambda: write(_frame(table, index, columns), settings)

    with st.container(horizontal=True, key=f"{key}_downloads"):
        for ext, write, mime, what in (
            ("csv", table_csv, "text/csv", "with the settings it was computed with, as # comment lines"),
            ("json", table_json, "application/json", '{"settings", "index", "columns", "data"}'),
        ):
            st.download_button(
                f"{name} · {ext.upper()}",
                written(write),
                file_name=f"{stem}.{ext}",
                mime=mime,
                key=f"{key}_{ext}",
                on_click="ignore",
                icon=":material/download:",
                type="tertiary",
                help=what,
            )


def otdd_table_downloads(result: OTDDResult, what: str, settings: dict) -> None:
    """:func:`table_downloads` of an OTDD result's label distances and class coupling (rows: source classes),
    named ``label distances <what>`` and ``class coupling <what>``."""
    for name, table in (("label distances", result.label_distances), ("class coupling", result.plan.class_coupling)):
        table_downloads(f"{name} {what}", table, settings, index=result.src_classes, columns=result.tgt_classes)
