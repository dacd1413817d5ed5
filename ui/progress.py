"""Visible progress for long work in a page (never a frozen page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from dsviz.runtime.progress import Progress

T = TypeVar("T")


def with_status(label: str, work: Callable[[Progress], T]) -> T:
    """Run ``work(progress)`` inside ``st.status`` with a progress bar; returns its value.

    ``progress(done, total, what)`` moves the bar and shows what is being done.
    """
    with st.status(label, expanded=False) as status:
        bar = st.progress(0.0)

        def progress(done: int, total: int, what: str) -> None:
            bar.progress(min(done / max(total, 1), 1.0), text=what)

        value = work(progress)
        status.update(label=label + " — done", state="complete")
    return value
