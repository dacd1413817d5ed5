"""Heavy results shared by every session of the server, with visible progress and queue position.

A page asks :func:`shared` for a keyed result. The server's one
:class:`dsviz.runtime.jobs.JobBoard` (``st.cache_resource``) computes each key once, at
most ``DSVIZ_HEAVY_JOBS`` (default 1: the app runs on two cores) heavy jobs at a
time; every session waiting for a key sees the same job's progress, and a job
still queued shows how many are ahead of it, so the page is never frozen.
Results are shared objects: pages read them and never mutate them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TypeVar

import streamlit as st

from dsviz.runtime.jobs import JobBoard

T = TypeVar("T")
POLL_S = 0.25


@st.cache_resource(show_spinner=False)
def job_board() -> JobBoard:
    """The server process's job board."""
    return JobBoard(workers=max(int(os.environ.get("DSVIZ_HEAVY_JOBS", "1")), 1))


def _describe(board: JobBoard, state) -> tuple[float, str, str]:
    """(bar fraction, bar text, status-label suffix) of a job's state."""
    if state.queued_ahead:
        return (
            0.0,
            (f"waiting for a free worker: the server runs {board.workers} heavy job(s) at a time"),
            f" — queued, {state.queued_ahead} job(s) ahead",
        )
    return min(state.done / max(state.total, 1), 1.0), state.what or "starting", ""


def is_ready(key: Hashable) -> bool:
    """True when the result of ``key`` is in memory (:func:`shared` returns it without waiting)."""
    return job_board().finished(key)


def shared(
    key: Hashable,
    label: str,
    compute: Callable[..., T],
    lock_params: Mapping | None = None,
    show_partial: Callable[[object], None] | None = None,
) -> T:
    """``compute(progress)``'s value for ``key``, computed once across sessions, shown in ``st.status``.

    A result already in memory is returned without drawing anything. Otherwise, while the
    job waits for a worker its queue position is in the status label (visible with the
    status collapsed); while it runs, the bar shows its progress. With ``show_partial``,
    ``compute`` is called as ``compute(progress, publish)`` and each partial result it
    publishes is passed to ``show_partial`` (to draw it) while the job runs. Raises what
    ``compute`` raised (the next call retries it).
    """
    board = job_board()
    job = board.submit(key, label, compute, lock_params, partial=show_partial is not None)
    if job.future.done() and job.future.exception() is None:
        return job.result()  # already in memory: no status element to draw
    with st.status(label, expanded=False) as status:
        bar = st.progress(0.0)
        shown, drawn = None, 0
        while True:
            count, partial = job.partial()
            if show_partial is not None and count != drawn:
                drawn = count
                show_partial(partial)
            try:
                value = job.result(timeout=0 if shown is None else POLL_S)
                break
            except FutureTimeout:
                now = _describe(board, job.state())
                if now != shown:
                    bar.progress(now[0], text=now[1])
                    if shown is None or now[2] != shown[2]:
                        status.update(label=label + now[2])
                    shown = now
        status.update(label=label + " — done", state="complete")
    return value


@st.cache_resource(show_spinner=False, max_entries=64)
def _shared_figure(name: str, _builder: Callable[..., object], *args, **kwargs) -> object:
    return _builder(*args, **kwargs)


def shared_figure(builder: Callable[..., object], *args, **kwargs) -> object:
    """``builder(*args, **kwargs)`` (a figure) built once per server for each argument set and shared by sessions.

    Read-only, like every shared result: ``st.plotly_chart`` serialises a figure without changing it.
    """
    return _shared_figure(f"{builder.__module__}.{builder.__qualname__}", builder, *args, **kwargs)
