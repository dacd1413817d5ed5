"""The pair view of one dataset pair in a page: the client-side component ``pair_view`` (joint UMAP, coupling
lines with their slider, hover image + best match, pinned partners), the same one the exported file runs.

Shared by the dataset-pairs page and the compare-your-dataset page. ``names`` in :func:`renamed` overrides the
dataset names shown (an uploaded dataset is read from a cache path that means nothing to the user).

The payload (sprite sheets, per-point arrays: about 1 MB per 1000 points) is built once per server for each view
and shared by every session (``st.cache_resource``, read-only): thirty viewers of one pair cost one build.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dsviz.figures.pair_view import DEFAULT_LINES, pair_view_payload, payload_bytes
from dsviz.studies.pairs import PairView
from ui.export import chart_config
from ui.figure_component import keep_in_url, show_figure, url_view

LINES_CONTROL = {"lines": {"min": 0, "max": 4000, "step": 50}}
"""The component's coupling-lines slider as a URL parameter (``?lines=800``)."""


@st.cache_resource(show_spinner=False, max_entries=32)
def _payload(identity: tuple, _view: PairView) -> tuple[dict, int]:
    """(the component's payload, its JSON size in bytes) for one view, cached by ``identity``."""
    payload = pair_view_payload([_view])
    return payload, payload_bytes(payload)


def renamed(view: PairView, names: tuple[str, str]) -> PairView:
    """The same view with the two datasets shown under ``names``."""
    cmp = replace(
        view.comparison,
        src=replace(view.comparison.src, name=names[0]),
        tgt=replace(view.comparison.tgt, name=names[1]),
    )
    return replace(view, comparison=cmp)


def pair_view_figure(view: PairView, identity: tuple, key: str) -> tuple[dict, int]:
    """Draw the pair view; returns its payload with the view on screen (for the download) and its JSON bytes.

    ``identity`` names what the view depends on (e.g. the pair and its settings); with the names shown it keys
    the shared cache. The coupling-lines slider moves in the browser; its value is kept in the page URL
    (``lines``). The chart's camera saves ``dsviz-<page>-<key>``.
    """
    src, tgt = view.comparison.src.name, view.comparison.tgt.name
    shared, n_bytes = _payload((*identity, src, tgt), view)
    defaults = {"lines": DEFAULT_LINES}
    filename = chart_config(key)["toImageButtonOptions"]["filename"]
    payload = {**shared, "initial": url_view(LINES_CONTROL, defaults), "filename": filename}
    reported = show_figure("pair_view", payload, key=key, shared=(*identity, src, tgt, filename))
    if reported and "lines" in reported:
        keep_in_url({"lines": reported["lines"]}, defaults)
        payload["initial"] = {"lines": int(reported["lines"])}
    return payload, n_bytes
