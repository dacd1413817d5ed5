"""The transfer studies' correlation, as both pages show it beside their scatter: r and ρ with p and interval."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st


def correlation_metrics(corr: Mapping[str, float], paper_r: float) -> None:
    """Pearson r and Spearman ρ of :func:`dsviz.studies.transfer_stats.correlations`, each with its p-value and
    bootstrap 95 % interval; r beside the paper's ``paper_r``."""
    st.metric("Pearson r", corr["pearson_r"], format="%.2f", help=f"p = {corr['pearson_p']:.2g}")
    st.caption(
        f"p = {corr['pearson_p']:.2g}; bootstrap 95 % interval [{corr['pearson_r_ci_low']:.2f}, "
        f"{corr['pearson_r_ci_high']:.2f}] (paper: r = {paper_r})"
    )
    st.metric("Spearman ρ", corr["spearman_rho"], format="%.2f", help=f"p = {corr['spearman_p']:.2g}")
    st.caption(
        f"p = {corr['spearman_p']:.2g}; bootstrap 95 % interval "
        f"[{corr['spearman_rho_ci_low']:.2f}, {corr['spearman_rho_ci_high']:.2f}]"
    )
