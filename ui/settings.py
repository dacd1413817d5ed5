"""Where a page draws its settings: a row of number inputs across the page, or the sidebar under "Settings"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from ui.url_state import UrlNumber, sample_size


def number_row(specs: Sequence[UrlNumber], columns: Sequence[Any]) -> list[int]:
    """Each integer spec's number input in its own column, in order; their current values."""
    values = []
    for spec, column in zip(specs, columns, strict=True):
        with column:
            values.append(int(spec.number_input()))
    return values


def sidebar_sample_size(sizes: list[int], default: int, help: str) -> int:
    """The sidebar's "Settings" header and its first setting, the sample size (:func:`ui.url_state.sample_size`);
    the page adds its other settings below it (``with st.sidebar:``)."""
    with st.sidebar:
        st.header("Settings")
        return sample_size(sizes, default, help)
