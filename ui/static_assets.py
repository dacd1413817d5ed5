"""Files the browser loads from this app's own server (``server.enableStaticServing``).

plotly.js is copied from the installed ``plotly`` Python package into
``static/`` (gitignored) so the hover components work offline, at a talk,
with exactly the plotly.js version that the Python package was built for.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import plotly
import streamlit as st

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
PLOTLY_JS = STATIC_DIR / "plotly.min.js"


def plotly_js_source() -> Path:
    """plotly.min.js inside the installed plotly package."""
    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


def ensure_plotly_js() -> Path:
    """Copy plotly.min.js into ``static/`` unless an identical-size copy is there; return its path."""
    source = plotly_js_source()
    if not PLOTLY_JS.exists() or PLOTLY_JS.stat().st_size != source.stat().st_size:
        STATIC_DIR.mkdir(exist_ok=True)
        tmp = PLOTLY_JS.with_suffix(".tmp")
        shutil.copyfile(source, tmp)
        tmp.replace(PLOTLY_JS)
    return PLOTLY_JS


ASSETS_DIR = Path(__file__).resolve().parents[1] / "assets"


def component_js(filename: str) -> str:
    """A component's ES module from ``assets/`` with the shared plotly.js loader in front."""
    return (ASSETS_DIR / "plotly_loader.js").read_text() + (ASSETS_DIR / filename).read_text()


def plotly_component(name: str, with_css: bool = True):
    """Register the Streamlit (v2) component ``dsviz_<name>``: ``assets/<name>.js`` behind the plotly.js loader,
    with ``assets/<name>.css`` when ``with_css``. Styles are not isolated: plotly.js puts its stylesheet in the
    document head, which a shadow root would hide."""
    ensure_plotly_js()
    css = (ASSETS_DIR / f"{name}.css").read_text() if with_css else None
    return st.components.v2.component(f"dsviz_{name}", js=component_js(f"{name}.js"), css=css, isolate_styles=False)
