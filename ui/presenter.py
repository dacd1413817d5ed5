"""Presenter mode (sidebar switch, kept in the URL as ``?presenter=true``): for a projector.

Larger text everywhere (Streamlit sizes its elements in rem, so the root font size
scales them), larger chart text and marker outlines, and no explanatory captions.
Applied by CSS from ``app.py`` on every page, so pages need no change.
"""

from __future__ import annotations

import streamlit as st

PRESENTER_CSS = """
<style>
html { font-size: 20px; }
[data-testid="stCaptionContainer"] { display: none; }
.js-plotly-plot .main-svg text { font-size: 17px !important; }
.js-plotly-plot .scatterlayer .point { stroke-width: 2px !important; }
</style>
"""


def presenter_switch() -> bool:
    """Draw the sidebar switch; when on, apply the presenter styles. Returns whether it is on."""
    on = st.sidebar.toggle("Presenter mode", key="presenter", bind="query-params",
                           help="Larger text and charts, no explanatory captions: for a projector.")
    if on:
        st.html(PRESENTER_CSS)
    return bool(on)
