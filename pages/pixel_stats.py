"""Pixel statistics and PCA of one dataset (after the Fashion-MNIST machine-learning report)."""

from __future__ import annotations

import ui.cold_start  # noqa: F401 - first, before any other import: ui/cold_start.py says why

# isort: split
import numpy as np
import streamlit as st

from dsviz.data import DATASETS, DataError, availability
from dsviz.data.derived import choose_datasets
from dsviz.studies.pixelstats import DatasetPixelStats, dataset_pixel_stats
from ui.data_notice import data_notice
from ui.export import show_chart
from ui.hover_images import hover_images
from ui.navigation import page_intro
from ui.onepixel_plots import mosaic_figure
from ui.pixelstats_plots import pc_scatter, variance_figure
from ui.url_state import UrlNumber

COMPONENTS = UrlNumber(
    "k",
    "Components used for the reconstructions",
    1,
    784,
    50,
    1,
    help="Each sample image is rebuilt as mean + its projection on the first k components.",
)


@st.cache_resource(show_spinner=False)
def _stats_store() -> dict[str, DatasetPixelStats]:
    """Statistics already read or computed in this server process, by dataset name."""
    return {}


def _stats(name: str) -> DatasetPixelStats | None:
    store = _stats_store()
    if name not in store:
        with st.status(
            f"{DATASETS[name].title}: pixel statistics and PCA (read from the cache, or computed now)…", expanded=True
        ) as status:
            try:
                store[name] = dataset_pixel_stats(name)
            except DataError as exc:
                status.update(label="not available", state="error")
                st.warning(str(exc))
                return None
            status.update(label=f"{DATASETS[name].title}: done", state="complete", expanded=False)
    return store[name]


def _grid(images: np.ndarray, labels: list[str], cols: int) -> tuple[np.ndarray, list[str], list[str]]:
    """Lay N x H x W images into rows of ``cols`` (NaN padding); row labels list the tiles' names."""
    n, h, w = images.shape
    rows = -(-n // cols)
    tiles = np.full((rows * cols, h, w), np.nan)
    tiles[:n] = images
    names = labels + [""] * (rows * cols - n)
    row_labels = [" · ".join(x for x in names[r * cols : (r + 1) * cols] if x) for r in range(rows)]
    return tiles.reshape(rows, cols, h, w), row_labels, [""] * cols


def _image_grid(
    images: np.ndarray,
    labels: list[str],
    cols: int,
    key: str,
    *,
    diverging: bool = False,
    zmax: float = 1.0,
    title: str = "",
    height: int = 260,
) -> None:
    tiles, row_labels, col_labels = _grid(images, labels, cols)
    if diverging:
        limit = float(np.nanmax(np.abs(images))) or 1.0
        fig = mosaic_figure(
            tiles,
            row_labels,
            col_labels,
            colorscale="RdBu_r",
            zmin=-limit,
            zmax=limit,
            zmid=0.0,
            colorbar_title=title,
            height=height,
        )
    else:
        fig = mosaic_figure(
            tiles, row_labels, col_labels, colorscale="gray", zmin=0.0, zmax=zmax, colorbar_title=title, height=height
        )
    fig.update_yaxes(showticklabels=False)
    fig.update_xaxes(showticklabels=False)
    show_chart(fig, key)
    st.caption(" | ".join(row_labels))


page_intro(
    "Pixel statistics and PCA",
    "Per-pixel mean and standard deviation (intensity on [0, 1]), overall and per class, and a principal component "
    "analysis of the flattened images: the eigenvectors of the pixel covariance by decreasing variance "
    "(computed with torch, cached). After the Fashion-MNIST machine-learning report.",
)

status = availability()
first = (choose_datasets(["mnist"], 1)[0] or ["mnist"])[0]
name = st.selectbox(
    "Dataset",
    options=list(DATASETS),
    index=list(DATASETS).index(first),
    format_func=lambda n: DATASETS[n].title,
    key="dataset",
    bind="query-params",
)
if not status[name].available:
    data_notice({name: status[name].message})
    st.stop()
data_notice(
    {"mnist": status["mnist"].message} if DATASETS[name].bundled and not status["mnist"].available else {},
    {name: status[name].message} if status[name].message else {},
    [name] if name != "mnist" and DATASETS[name].bundled else [],
)
data = _stats(name)
if data is None:
    st.stop()
present = [c for c in range(len(data.classes)) if data.stats.class_counts[c] > 0]
names = [data.classes[c] for c in present]
st.caption(
    f"{data.n:,} images of the {data.split_used} split; PCA in {data.pca.seconds:.1f} s"
    f"{' (read from the cache)' if data.cache_hit else ''}."
)

st.subheader("Mean and standard deviation")
left, _ = st.columns(2)
with left:
    st.markdown("**All images**")
    _image_grid(np.stack([data.stats.mean, data.stats.std]), ["mean", "std"], 2, "overall", title="intensity")
cols = 10 if len(present) <= 10 else 13
st.markdown(f"**Mean per class** ({len(present)} of {len(data.classes)} classes present)")
grid_height = 200 * -(-len(present) // cols)
_image_grid(data.stats.class_mean[present], names, cols, "class_mean", title="mean", height=grid_height)
st.markdown("**Standard deviation per class**")
_image_grid(
    data.stats.class_std[present],
    names,
    cols,
    "class_std",
    zmax=float(np.nanmax(data.stats.class_std)),
    title="std",
    height=grid_height,
)

st.subheader("Explained variance")
pca = data.pca
needed = pca.n_components_for(0.95)
show_chart(variance_figure(pca), "variance")
st.markdown(
    f"**{needed}** of {len(pca.explained_variance)} components explain 95% of the variance; "
    f"PC1 alone {pca.explained_variance_ratio[0]:.1%}, "
    f"the first 10 {pca.explained_variance_ratio[:10].sum():.1%}."
)

st.subheader("Reconstructions")
k = int(COMPONENTS.slider())
pick = [int(np.flatnonzero(data.sample_labels == c)[0]) for c in present[:10]]
originals = data.sample_images[pick].reshape(len(pick), -1) / 255.0
rebuilt = np.clip(pca.reconstruct(originals, k), 0, 1)
h, w = data.sample_images.shape[1:]
tiles = np.stack([originals, rebuilt]).reshape(2, len(pick), h, w)
fig = mosaic_figure(
    tiles,
    ["original", f"{k} components"],
    [data.classes[data.sample_labels[i]] for i in pick],
    colorscale="gray",
    zmin=0.0,
    zmax=1.0,
    colorbar_title="intensity",
    height=260,
)
show_chart(fig, "reconstructions")
err = float(np.mean((pca.reconstruct(originals, k) - originals) ** 2))
st.caption(
    f"Mean squared reconstruction error of these images with k = {k}: {err:.4f} "
    f"({np.cumsum(pca.explained_variance_ratio)[k - 1]:.1%} of the variance kept)."
)

st.subheader("PC1 against PC2")
flat = data.sample_images.reshape(len(data.sample_images), -1) / 255.0
coords = pca.project(flat, 2)
class_coords = np.zeros((len(data.classes), 2))
class_coords[present] = pca.project(data.stats.class_mean[present].reshape(len(present), -1), 2)
fig, panels = pc_scatter(coords, data.sample_labels, data.classes, class_coords)
hover_images(fig, data.sample_images, panels, key="pca_hover", hint="Hover a point to see its image.", height=560)
st.caption(
    f"{len(flat):,} class-balanced sample images projected on the first two components; crosses: the class means."
)

st.subheader("Components")
chosen = [0, 1, 2, 3, len(pca.components) // 2, len(pca.components) - 1]
weights = pca.components[chosen]
weights = weights / np.abs(weights).max(1, keepdims=True)
_image_grid(
    weights.reshape(len(chosen), h, w),
    [f"PC{i + 1}" for i in chosen],
    len(chosen),
    "components",
    diverging=True,
    title="weight / max",
)
st.caption(
    "Component images, each scaled by its largest absolute weight, on a diverging scale (the sign is "
    "arbitrary; fixed so the largest entry is positive). The first components are broad strokes and "
    "silhouettes; the middle one is fine, high-frequency detail; the last spans the direction of least "
    "variance, often a single almost-constant border pixel."
)
