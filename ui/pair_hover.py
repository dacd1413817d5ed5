"""The hover pair view of one dataset pair (joint UMAP, coupling lines, hover images, pinned matches).

Shared by the dataset-pairs page and the compare-your-dataset page. ``names``
overrides the dataset names shown (an uploaded dataset is read from a cache
path that means nothing to the user).

What the browser receives (figure JSON, sprite sheet, per-point arrays: about
1 MB per 1000 points) is built once per server for each view and line count and
shared by every session (``st.cache_resource``, read-only): thirty viewers of
one pair cost one build, not thirty, and no session keeps its own copy.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pandas as pd
import streamlit as st

from dsviz.data.thumbnails import SpriteSheet, sprite_sheet
from dsviz.studies.pairs import PairView
from ui.hover_scatter import HoverPayload, hover_scatter_data
from ui.pair_plots import embedding_figure
from ui.presenter import presenting


@st.cache_resource(show_spinner=False, max_entries=16)
def _sprite(identity: tuple, _view: PairView) -> SpriteSheet:
    """One sprite sheet of both datasets' images, cached by ``identity`` (what the view depends on)."""
    return sprite_sheet(_view.images())


@st.cache_resource(show_spinner=False, max_entries=32)
def _hover_data(identity: tuple, n_lines: int, _view: PairView) -> tuple[HoverPayload, dict, int]:
    """(payload, the component's data with nothing pinned, its JSON size in bytes) for one view and line count."""
    figure, highlight = embedding_figure(_view, n_lines)
    payload = HoverPayload.from_view(_view, _sprite(identity, _view))
    data = payload.as_data(figure, highlight, None)
    return payload, data, len(json.dumps(data).encode())


def renamed(view: PairView, names: tuple[str, str]) -> PairView:
    """The same view with the two datasets shown under ``names``."""
    cmp = replace(
        view.comparison,
        src=replace(view.comparison.src, name=names[0]),
        tgt=replace(view.comparison.tgt, name=names[1]),
    )
    return replace(view, comparison=cmp)


def pair_hover_view(view: PairView, identity: tuple, n_lines: int, key: str) -> tuple[HoverPayload, int]:
    """Draw the hover scatter and, when a point is pinned, its matches; returns the payload and its JSON bytes.

    ``identity`` names what the view depends on (e.g. the pair and its settings); with the names
    shown and presenter mode (larger markers) it keys the shared caches.
    """
    src, tgt = view.comparison.src.name, view.comparison.tgt.name
    payload, data, n_bytes = _hover_data((*identity, src, tgt, presenting()), int(n_lines), view)
    pinned = hover_scatter_data(data, key=key)
    if pinned is not None and 0 <= pinned < len(payload.cls):
        side, local, partners = view.partners(pinned)
        st.markdown(
            f"**Pinned:** {(src, tgt)[side]} point {local} "
            f"({payload.class_names[side][payload.cls[pinned]]}); its matches:"
        )
        st.dataframe(pd.DataFrame(partners, columns=["partner", "class", "mass"]), width="content", hide_index=True)
    return payload, n_bytes
