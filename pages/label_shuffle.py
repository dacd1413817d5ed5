"""Label shuffle: OT ignores labels, OTDD does not (after the MSR blog figure on OTDD).

The figure is the client-side component ``label_shuffle`` (dsviz/figures): the browser solves
every rotation and shuffle setting itself; the page only chooses the data (points, seed).
"""

from __future__ import annotations

import ui.cold_start  # noqa: F401 - first, before any other import: ui/cold_start.py says why

# isort: split
import streamlit as st

from dsviz.figures.label_shuffle import CONTROLS, label_shuffle_payload
from dsviz.studies.toy import ToyPair
from ui.figure_component import download_figure_button, keep_in_url, show_figure, url_view
from ui.navigation import page_intro
from ui.url_state import UrlNumber

N_POINTS = UrlNumber(
    "n", "Points per cloud", 20, 500, 200, 10, help="Points in each dataset, split over its two blobs."
)
SEED = UrlNumber("seed", "Seed", 0, 9999, 0, 1, help="Draws the points and which labels get shuffled.")
DEFAULTS = {"rot_a": 0.0, "shuffle_a": 0.0, "rot_b": 0.0, "shuffle_b": 0.0}


@st.cache_data(show_spinner=False, max_entries=64)
def _payload(n_points: int, seed: int) -> dict:
    return label_shuffle_payload(ToyPair(n_points, seed))


page_intro(
    "Label shuffle",
    "Two toy datasets of 2-D points, each a blue blob (class 0) above a green blob (class 1). "
    "Plain **OT** matches points with ground cost ‖x − x′‖² and never looks at labels. "
    "**OTDD** matches labeled points with cost ‖x − x′‖² + W₂²(P_y, P_y′), where W₂²(P_y, P_y′) is the "
    "optimal-transport distance between the point clouds of class y in one dataset and class y′ in the other. "
    "Shuffling labels leaves OT exactly unchanged but makes the classes overlap, so OTDD grows "
    "(Alvarez-Melis & Fusi, NeurIPS 2020; Microsoft Research blog, 2020). "
    "Every slider setting is solved exactly in your browser.",
)

data_col, download_col = st.columns([3, 1], gap="large")
with data_col:
    points_col, seed_col = st.columns(2)
    with points_col:
        n_points = int(N_POINTS.slider())
    with seed_col:
        seed = int(SEED.number_input())

payload = dict(_payload(n_points, seed))
payload["initial"] = url_view(CONTROLS, DEFAULTS)
view = show_figure("label_shuffle", payload, key="label_shuffle") or payload["initial"]
keep_in_url(view, DEFAULTS)
with download_col:
    download_figure_button(
        "label_shuffle",
        {**payload, "initial": view},
        title="Label shuffle: OT ignores labels, OTDD does not",
        settings={"points per cloud": n_points, "seed": seed, **view},
        provenance={"data": "two toy 2-D clouds of two Gaussian blobs each (dsviz.studies.toy), drawn with the seed"},
        file_name=f"dsviz-label-shuffle-n{n_points}-seed{seed}.html",
        key="download_label_shuffle",
    )
