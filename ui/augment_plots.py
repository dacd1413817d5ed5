"""Figures of the augmentations page (no Streamlit calls; the page renders them)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from ui.transfer_plots import transfer_scatter

OTDD_COLOR = "#d62728"


def transfer_scatter_figure(
    otdd: np.ndarray,
    drop_mean: np.ndarray,
    drop_std: np.ndarray,
    labels: Sequence[str],
    slope: float,
    intercept: float,
    selected: int | None = None,
) -> go.Figure:
    """Mean relative drop in USPS test error (%, ± std over seeds) against OTDD, one point per
    setting, fitted line, labels that do not overlap (:func:`ui.transfer_plots.transfer_scatter`).

    Each point's ``customdata`` is its setting index, so a click identifies it.
    """
    return transfer_scatter(
        otdd,
        drop_mean,
        drop_std,
        labels,
        slope,
        intercept,
        x_title="OTDD (transformed MNIST, USPS)",
        y_title="relative drop in USPS test error (%)",
        color=OTDD_COLOR,
        selected=selected,
    )
