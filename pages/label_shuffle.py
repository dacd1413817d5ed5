"""Label shuffle: OT ignores labels, OTDD does not (after the MSR blog figure on OTDD)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from dsviz.otdd import OTDDResult
from dsviz.studies.toy import ShuffleCurve, ToyPair, pair_distances, shuffle_curve
from ui.export import chart_config
from ui.live_plotly import live_plotly_chart
from ui.navigation import require_app_navigation
from ui.plots import clouds_figure, shuffle_curve_figure
from ui.url_state import UrlNumber

ROTATION_A = UrlNumber("rot_a", "Rotation of A (degrees)", 0, 360, 0, 5, help="Counter-clockwise, about A's centroid.")
SHUFFLE_A = UrlNumber(
    "shuffle_a", "Label shuffle of A", 0.0, 1.0, 0.0, 0.05, help="Fraction of A's points that get a random label."
)
ROTATION_B = UrlNumber("rot_b", "Rotation of B (degrees)", 0, 360, 0, 5, help="Counter-clockwise, about B's centroid.")
SHUFFLE_B = UrlNumber(
    "shuffle_b", "Label shuffle of B", 0.0, 1.0, 0.0, 0.05, help="Fraction of B's points that get a random label."
)
N_POINTS = UrlNumber(
    "n", "Points per cloud", 20, 500, 200, 10, help="Points in each dataset, split over its two blobs."
)
SEED = UrlNumber("seed", "Seed", 0, 9999, 0, 1, help="Draws the points and which labels get shuffled.")


@st.cache_data(show_spinner=False, max_entries=512)
def _distances(pair: ToyPair) -> OTDDResult:
    return pair_distances(pair)


@st.cache_data(show_spinner=False, max_entries=64)
def _curve(pair: ToyPair) -> ShuffleCurve:
    return shuffle_curve(pair, distances=_distances)


@st.fragment
def _explorer() -> None:
    """Controls, clouds, metrics and curve: a slider move reruns only this part of the page."""
    col_a, col_b, col_data = st.columns(3, gap="large")
    with col_a:
        st.markdown("**Dataset A** &nbsp; ● circles")
        rotation_a = ROTATION_A.slider()
        shuffle_a = SHUFFLE_A.slider()
    with col_b:
        st.markdown("**Dataset B** &nbsp; ◆ diamonds")
        rotation_b = ROTATION_B.slider()
        shuffle_b = SHUFFLE_B.slider()
    with col_data:
        st.markdown("**Data**")
        n_points = N_POINTS.slider()
        seed = SEED.number_input()

    # fractions rounded like the curve's (dsviz.studies.toy.SHUFFLE_FRACTIONS), so a slider value that came
    # back as 0.15000000000000002 finds the curve's cached result for 0.15
    pair = ToyPair(
        int(n_points),
        int(seed),
        float(rotation_a),
        float(rotation_b),
        round(float(shuffle_a), 10),
        round(float(shuffle_b), 10),
    )
    x_a, y_a, x_b, y_b = pair.datasets()
    result = _distances(pair)
    unshuffled = _distances(replace(pair, shuffle_b=0.0))

    plot_col, metric_col = st.columns([3, 1], gap="medium")
    with plot_col:
        live_plotly_chart(
            clouds_figure(x_a, y_a, x_b, y_b, result.plan_rows, result.plan_cols, result.plan_mass),
            key="clouds",
            config=chart_config("clouds"),
        )
    with metric_col:
        for key, label, value, base, meaning in (
            (
                "metric_otdd",
                "OTDD",
                result.otdd,
                unshuffled.otdd,
                "Optimal transport with cost ‖x − x′‖² + W₂²(P_y, P_y′), exact solver.",
            ),
            (
                "metric_ot",
                "OT",
                result.ot,
                unshuffled.ot,
                "Optimal transport with cost ‖x − x′‖² only; labels play no part.",
            ),
        ):
            with st.container(key=key):
                st.metric(
                    label,
                    value,
                    delta=round(value - base, 3),
                    delta_color="off",
                    delta_description="vs. B unshuffled",
                    format="%.3f",
                    help=meaning,
                )
        st.markdown("**W₂²(P_y, P_y′) between classes**")
        # a static table: the interactive data grid cost more browser time per rerun than the 2x2 needs
        st.table(
            pd.DataFrame(
                result.label_distances,
                index=[f"A · class {c}" for c in result.src_classes],
                columns=[f"B · class {c}" for c in result.tgt_classes],
            ).style.format("{:.2f}"),
        )
        st.caption(
            "Grey lines: the OTDD coupling, darker for more transported mass. "
            f"Computed in {result.seconds * 1000:.0f} ms."
        )

    st.subheader("Distance vs. label shuffle")
    curve = _curve(replace(pair, shuffle_b=0.0))
    live_plotly_chart(
        shuffle_curve_figure(curve.fractions, curve.ot, curve.otdd, pair.shuffle_b, result.ot, result.otdd),
        key="curve",
        config=chart_config("curve"),
    )
    st.caption(
        "Dataset B's shuffle fraction runs from 0 to 1 while everything else stays as set above "
        "(rotations, dataset A's shuffle, points, seed); the stars mark the current setting of B's slider. "
        "OT is flat because it never sees labels. OTDD follows how well B's classes line up with A's: "
        "with A unrotated and unshuffled it rises steadily as B's classes turn into mixtures of both blobs."
    )


require_app_navigation()
st.title("Label shuffle")
st.caption(
    "Two toy datasets of 2-D points, each a blue blob (class 0) above a green blob (class 1). "
    "Plain **OT** matches points with ground cost ‖x − x′‖² and never looks at labels. "
    "**OTDD** matches labeled points with cost ‖x − x′‖² + W₂²(P_y, P_y′), where W₂²(P_y, P_y′) is the "
    "optimal-transport distance between the point clouds of class y in one dataset and class y′ in the other. "
    "Shuffling labels leaves OT exactly unchanged but makes the classes overlap, so OTDD grows "
    "(Alvarez-Melis & Fusi, NeurIPS 2020; Microsoft Research blog, 2020)."
)

_explorer()
