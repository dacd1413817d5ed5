"""One self-contained HTML document per exported figure.

The document inlines plotly.js (the copy bundled in the installed ``plotly`` package),
``js/common.js``, the component's helpers and ``js/<component>.js``, and the payload as JSON
(``<script type="application/json" id="dsviz-payload">``), so it draws from ``file://`` with
networking off: nothing in it names a URL to fetch. The settings, the data provenance and the
dsviz version are printed in the page.
"""

from __future__ import annotations

import html
import json
import math
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import plotly

from dsviz import __version__

JS_DIR = files("dsviz.figures") / "js"

COMPONENTS: dict[str, tuple[str, ...]] = {
    "label_shuffle": ("emd.js", "label_shuffle.js"),
    "augmentations": ("augmentations.js",),
    "pair_view": ("pair_view.js",),
    "one_pixel": ("one_pixel.js",),
}
"""Each component and the files under ``js/`` it needs after ``common.js``, its own file last."""


@cache
def plotly_js() -> str:
    """plotly.min.js from the installed ``plotly`` package (the version the Python side was built for)."""
    return (Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js").read_text(encoding="utf-8")


def component_script(component: str) -> str:
    """``common.js`` followed by ``component``'s files: the script that registers ``dsvizFigures[component]``."""
    if component not in COMPONENTS:
        raise ValueError(f"unknown figure component {component!r}; choose one of {', '.join(COMPONENTS)}")
    return "\n".join((JS_DIR / name).read_text(encoding="utf-8") for name in ("common.js", *COMPONENTS[component]))


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities replaced by None (JSON has no NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def payload_json(payload: dict) -> str:
    """``payload`` as compact JSON that is safe inside a ``<script>`` element (no ``</`` in it); NaN and infinities
    become ``null``."""
    try:
        text = json.dumps(payload, separators=(",", ":"), allow_nan=False)
    except ValueError:  # a NaN or an infinity: only then the pure-Python walk that replaces them (it costs as
        # much as the encoding itself, 7 ms for a pair view, in every session that draws the figure)
        text = json.dumps(_finite(payload), separators=(",", ":"), allow_nan=False)
    return text.replace("</", "<\\/")


def _script(source: str) -> str:
    return "<script>\n" + source.replace("</script", "<\\/script") + "\n</script>"


def _rows(mapping: dict) -> str:
    return "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>" for k, v in mapping.items())


STYLE = """
body { font-family: "Source Sans Pro", "Helvetica Neue", Arial, sans-serif; color: rgb(49, 51, 63); margin: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 0.5rem; }
.dsviz-about { font-size: 0.85rem; color: #555; margin-top: 1.5rem; }
.dsviz-about table { border-collapse: collapse; margin: 0.3rem 0 0.8rem; }
.dsviz-about th, .dsviz-about td { text-align: left; padding: 0.1rem 0.8rem 0.1rem 0; vertical-align: top; }
"""


def figure_html(component: str, payload: dict, *, title: str, settings: dict, provenance: dict) -> str:
    """One HTML document that draws ``component`` with ``payload`` and needs nothing else.

    Parameters
    ----------
    component : str
        A key of :data:`COMPONENTS`.
    payload : dict
        JSON-serialisable data the component draws (images as ``data:`` URIs).
    title : str
        Page heading and ``<title>``.
    settings : dict
        The settings the payload was computed with, printed in the page.
    provenance : dict
        Where the data came from (datasets, splits, samples), printed in the page.

    Returns
    -------
    str
        The document; write it to a ``.html`` file.
    """
    script = component_script(component)
    boot = (
        "document.addEventListener('DOMContentLoaded', function () {\n"
        "  const payload = JSON.parse(document.getElementById('dsviz-payload').textContent);\n"
        "  const root = document.getElementById('dsviz-figure');\n"
        f"  window.dsvizFigureKit.mount(root, {json.dumps(component)}, payload);\n"
        "  // only a figure with controls can show a view other than the one the settings describe\n"
        "  if (root.querySelector('input, select')) document.querySelector('.dsviz-controls-note').textContent =\n"
        "    ' (as the file opens; the controls above change the view)';\n"
        "});"
    )
    return "\n".join(
        (
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{html.escape(title)}</title>",
            f"<style>{STYLE}</style>",
            _script(plotly_js()),
            _script(script),
            "</head><body>",
            f"<h1>{html.escape(title)}</h1>",
            f'<div id="dsviz-figure" class="dsviz-figure" data-component="{html.escape(component)}"></div>',
            '<div class="dsviz-about">',
            f'<strong>Settings<span class="dsviz-controls-note"></span></strong><table>{_rows(settings)}</table>',
            f"<strong>Data</strong><table>{_rows(provenance)}</table>",
            f"<div>Made with dsviz {html.escape(__version__)}, plotly.js {html.escape(plotly_version())}; "
            "this file needs no server and no network.</div>",
            "</div>",
            f'<script type="application/json" id="dsviz-payload">{payload_json(payload)}</script>',
            _script(boot),
            "</body></html>",
        )
    )


@cache
def plotly_version() -> str:
    """Version of the bundled plotly.js (read from its banner comment)."""
    head = plotly_js()[:200]
    marker = "plotly.js v"
    start = head.find(marker)
    return head[start + len(marker) :].split()[0] if start >= 0 else "unknown"
