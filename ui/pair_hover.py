"""The hover pair view of one dataset pair (joint UMAP, coupling lines, hover images, pinned matches).

Shared by the dataset-pairs page and the compare-your-dataset page. ``names``
overrides the dataset names shown (an uploaded dataset is read from a cache
path that means nothing to the user).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
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
    return sprite_sheet(np.concatenate([_view.comparison.src.images, _view.comparison.tgt.images]))


def renamed(view: PairView, names: tuple[str, str]) -> PairView:
    """The same view with the two datasets shown under ``names``."""
    cmp = replace(view.comparison, src=replace(view.comparison.src, name=names[0]),
                  tgt=replace(view.comparison.tgt, name=names[1]))
    return replace(view, comparison=cmp)


def pair_hover_view(view: PairView, identity: tuple, n_lines: int, key: str) -> tuple[HoverPayload, go.Figure]:
    """Draw the hover scatter and, when a point is pinned, its matches; returns what was sent to the browser.

    ``identity`` names what the view depends on (e.g. the pair and its settings); it keys the sprite cache.
    """
    res = view.comparison.result
    src, tgt = view.comparison.src.name, view.comparison.tgt.name
    figure, highlight = embedding_figure(view, int(n_lines))
    payload = HoverPayload(
        datasets=(src, tgt),
        class_names=(list(res.src_classes), list(res.tgt_classes)),
        cls=np.concatenate([np.unique(view.comparison.src.labels, return_inverse=True)[1],
                            np.unique(view.comparison.tgt.labels, return_inverse=True)[1]]),
        best=np.concatenate([np.where(view.src_best >= 0, view.src_best + res.n_src, -1),
                             np.where(view.tgt_best >= 0, view.tgt_best, -1)]),
        mass=np.concatenate([view.src_best_mass, view.tgt_best_mass]),
        xy=view.embedding,
        sprite=_sprite(identity, view),
        n_src=res.n_src,
    )
    pinned = hover_scatter(payload, figure, highlight, key=key)
    if pinned is not None and 0 <= pinned < len(payload.cls):
        side, local = (0, pinned) if pinned < res.n_src else (1, pinned - res.n_src)
        top_idx = (res.src_top_index if side == 0 else res.tgt_top_index)[local]
        top_mass = (res.src_top_mass if side == 0 else res.tgt_top_mass)[local]
        other = view.comparison.tgt if side == 0 else view.comparison.src
        other_names = res.tgt_classes if side == 0 else res.src_classes
        codes = np.unique(other.labels, return_inverse=True)[1]
        keep = top_idx >= 0
        st.markdown(f"**Pinned:** {(src, tgt)[side]} point {local} "
                    f"({(res.src_classes, res.tgt_classes)[side][payload.cls[pinned]]}); its matches:")
        st.dataframe(pd.DataFrame({"partner": top_idx[keep], "class": [other_names[codes[j]] for j in top_idx[keep]],
                                   "mass": top_mass[keep]}), width="content", hide_index=True)
    return payload, figure
