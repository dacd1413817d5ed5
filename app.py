"""dsviz: entry point of the Streamlit app (``streamlit run app.py``).

Pages live in ``pages/`` and are registered in ``PAGES``; adding a page means
adding its ``st.Page`` there, and the landing page links it automatically.
"""

from __future__ import annotations

import logging
import sys

import streamlit as st

from ui.export import chart_format_setting
from ui.navigation import mark_app_ran
from ui.presenter import presenter_switch
from ui.warm_up import loading_status_shown, page_running, start_warm_up, warming_up

start_warm_up()  # once per server: data files and heavy imports beside the first script run (cold start)


@st.cache_resource(show_spinner=False)
def _server_log() -> logging.Logger:
    """Once per server process: dsviz's INFO lines (computations, shared-job waits) go to the server's stderr."""
    log = logging.getLogger("dsviz")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return log


_server_log()

# page_icon: without it each page's :material/...: icon becomes the favicon, which the browser fetches
# from fonts.gstatic.com (an external request that fails offline); an emoji favicon is an inline data: URL
st.set_page_config(layout="wide", page_title="dsviz", page_icon="📊")
mark_app_ran()
presenter_switch()
chart_format_setting()

PAGES = [
    st.Page("pages/label_shuffle.py", title="Label shuffle", icon=":material/shuffle:"),
    st.Page("pages/augmentations.py", title="Augmentations", icon=":material/transform:"),
    st.Page("pages/dataset_pairs.py", title="Dataset pairs", icon=":material/grid_view:"),
    st.Page("pages/one_pixel.py", title="One pixel", icon=":material/filter_1:"),
    st.Page("pages/pixel_stats.py", title="Pixel statistics", icon=":material/insights:"),
    st.Page("pages/simex.py", title="SimEx", icon=":material/auto_awesome_motion:"),
    st.Page("pages/method_agreement.py", title="Method agreement", icon=":material/compare_arrows:"),
    st.Page("pages/compare_upload.py", title="Compare your dataset", icon=":material/upload_file:"),
]


def landing() -> None:
    """What the app shows, and a link to each page."""
    st.title("dsviz")
    st.markdown(
        "dsviz shows how similar two labeled datasets are under the optimal transport dataset "
        "distance (OTDD) of Alvarez-Melis & Fusi (NeurIPS 2020). "
        "OTDD moves the labeled points of one dataset onto the other and pays for both the distance "
        "between features and the distance between their classes, so it sees differences that plain "
        "optimal transport (OT) on features alone misses. "
        "Each page below sets up one small experiment and draws the distances together with the "
        "coupling behind them."
    )
    for page in PAGES:
        st.page_link(page)


page = st.navigation([st.Page(landing, title="Overview", icon=":material/home:", default=True), *PAGES])
loading = st.empty()
if warming_up():  # a freshly started server: say what the first page waits for before its imports begin
    loading.status(f"{page.title}: reading the data files and loading torch (once, when the server has just started)…")
loading_status_shown()
try:
    with page_running():
        page.run()
finally:
    loading.empty()
