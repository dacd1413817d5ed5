"""The hover pair view of one dataset pair (joint UMAP, coupling lines, hover images, pinned matches).

Shared by the dataset-pairs page and the compare-your-dataset page. ``names``
overrides the dataset names shown (an uploaded dataset is read from a cache
path that means nothing to the user).
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dsviz.pairs import PairView
from dsviz.thumbnails import SpriteSheet, sprite_sheet
from ui.hover_scatter import HoverPayload, hover_scatter
from ui.pair_plots import embedding_figure


@st.cache_data(show_spinner=False, max_entries=16)
def _sprite(identity: tuple, _view: PairView) -> SpriteSheet:
    """One sprite sheet of both datasets' images, cached by ``identity`` (what the view depends on)."""
    return sprite_sheet(_view.images())


def renamed(view: PairView, names: tuple[str, str]) -> PairView:
    """The same view with the two datasets shown under ``names``."""
    cmp = replace(view.comparison, src=replace(view.comparison.src, name=names[0]),
                  tgt=replace(view.comparison.tgt, name=names[1]))
    return replace(view, comparison=cmp)


def pair_hover_view(view: PairView, identity: tuple, n_lines: int, key: str) -> tuple[HoverPayload, go.Figure]:
    """Draw the hover scatter and, when a point is pinned, its matches; returns what was sent to the browser.

    ``identity`` names what the view depends on (e.g. the pair and its settings); it keys the sprite cache.
    """
    src, tgt = view.comparison.src.name, view.comparison.tgt.name
    figure, highlight = embedding_figure(view, int(n_lines))
    payload = HoverPayload.from_view(view, _sprite(identity, view))
    pinned = hover_scatter(payload, figure, highlight, key=key)
    if pinned is not None and 0 <= pinned < len(payload.cls):
        side, local, partners = view.partners(pinned)
        st.markdown(f"**Pinned:** {(src, tgt)[side]} point {local} "
                    f"({payload.class_names[side][payload.cls[pinned]]}); its matches:")
        st.dataframe(pd.DataFrame(partners, columns=["partner", "class", "mass"]), width="content", hide_index=True)
    return payload, figure
