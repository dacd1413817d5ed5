"""Compare your dataset: upload labeled images, see which reference dataset is closest and what matches what."""

from __future__ import annotations

import ui.cold_start  # noqa: F401 - first, before any other import: ui/cold_start.py says why

# isort: split
import hashlib

import pandas as pd
import streamlit as st

from dsviz.data import DataError
from dsviz.data.upload import FORMATS, Upload, UploadLimits, read_upload, save_upload
from dsviz.data.upload_example import ExampleFile, example_upload
from dsviz.embedding import warm_up_in_background
from dsviz.simex.runs import between_datasets
from dsviz.studies.closest import (
    FleetDelta,
    Ranking,
    rank_references,
    reference_fleet,
    simex_under_fleet,
    upload_pair_view,
)
from dsviz.studies.pairs import PAIR_DATASETS, PairSettings, PairView
from ui.data_notice import data_notice
from ui.export import show_chart, table_downloads
from ui.heatmaps import class_coupling_heatmap, label_distance_heatmap
from ui.navigation import page_intro
from ui.pair_hover import pair_view_figure, renamed
from ui.settings import sidebar_sample_size
from ui.shared_jobs import shared
from ui.upload_plots import class_grid, ranking_figure

SAMPLE_SIZES = [250, 500, 1000, 2000]
YOURS = "your data"
LIMITS = UploadLimits(max_upload_bytes=int(st.get_option("server.maxUploadSize")) * 2**20)


@st.cache_data(show_spinner=False, max_entries=16)
def _read(filename: str, digest: str, _data: bytes, invert: bool) -> Upload:
    """Convert an upload once per (name, bytes, switch); ``digest`` (SHA-256 of the bytes) is the cache key."""
    return read_upload(filename, _data, invert=invert, limits=LIMITS)


@st.cache_resource(show_spinner=False)
def _example() -> ExampleFile:
    """The bundled dataset that stands in for an upload until there is one (built once per server; frozen, so
    shared rather than copied into every run as st.cache_data would)."""
    return example_upload()


def _ranking(path: str, settings: PairSettings) -> Ranking:
    """The ranking, computed once per server (ui.shared_jobs: progress while it runs, nothing drawn once it is in
    memory, so every rerun redraws the page the same way)."""
    return shared(
        ("upload ranking", path, settings),
        "OTDD to each reference dataset",
        lambda progress: rank_references(path, settings, progress=progress),
    )


def _view(path: str, reference: str, settings: PairSettings) -> PairView:
    """The pair view against ``reference``, computed once per server like :func:`_ranking`."""

    def compute(progress) -> PairView:
        warm_up_in_background().join()  # UMAP's kernels, compiled once per process
        return upload_pair_view(path, reference, settings, progress=progress)

    return shared(
        ("upload pair view", path, reference, settings),
        f"{YOURS} vs {reference}: coupling and joint embedding",
        compute,
    )


@st.cache_resource(show_spinner=False, max_entries=2, ttl=60)
def _fleet(loss: str):
    """The reference fleet from the disk cache (``None`` when absent), looked up again after a minute."""
    return reference_fleet(loss)


@st.cache_resource(show_spinner=False, max_entries=16)
def _simex(path: str, loss: str, _fleet_run) -> FleetDelta:
    return simex_under_fleet(path, _fleet_run)


page_intro(
    "Compare your dataset",
    "Upload a labeled image dataset to see which reference dataset is closest to it under OTDD (Alvarez-Melis & Fusi, "
    "NeurIPS 2020) — the one to pretrain on — which of its classes match which, and how the SimEx autoencoders "
    "trained on the references reconstruct it (Hwang et al., 2020).",
)

n = sidebar_sample_size(SAMPLE_SIZES, 500, "Class-balanced sample drawn from your data and from each reference.")
with st.sidebar:
    invert = st.toggle(
        "Invert light backgrounds",
        value=True,
        key="invert",
        bind="query-params",
        help="Images whose border is mostly light are inverted so strokes are bright, as in MNIST.",
    )

with st.expander("Formats and how images are converted", expanded=False):
    st.markdown(
        f"""
**Formats** (up to {LIMITS.max_upload_bytes // 2**20} MB, `server.maxUploadSize` in `.streamlit/config.toml`):
* `.npz` with arrays `images` (N×H×W or N×H×W×C) and `labels` (N numbers or strings);
* `.zip` with one folder per class holding PNG or JPEG files (other files are skipped and listed);
* `.csv` in the MNIST-csv layout: one image per row, the label first, then the pixel values (784 for 28×28), an optional header.

**Conversion to 28×28 grayscale**: colour → luminance 0.299 R + 0.587 G + 0.114 B (transparent = white);
if the median of an image's border is light (> 127.5) the image is inverted so strokes are bright like MNIST
(switch in the sidebar); the longer side is scaled to 28 pixels keeping the aspect ratio and the other side
is padded with the background.

**Rules**: 2 to {LIMITS.max_classes} classes, at least {LIMITS.min_per_class} images per class, at most
{LIMITS.max_images:,} images; zip archives at most {LIMITS.max_members:,} entries and
{LIMITS.max_decompressed_bytes // 2**20} MB decompressed. Your data are stored under their content hash in the
cache folder and never overwrite anything else.
"""
    )

uploaded = st.file_uploader("Your dataset (" + ", ".join(FORMATS) + ")", key="upload")
example = _example() if uploaded is None else None
filename, data = (example.filename, example.data) if example else (uploaded.name, uploaded.getvalue())
try:
    upload = _read(filename, hashlib.sha256(data).hexdigest(), data, bool(invert))
    path = str(save_upload(upload))
except DataError as exc:
    st.error(f"**This file cannot be used.** {exc}", icon=":material/error:")
    st.stop()
except OSError as exc:
    st.error(f"Could not store the converted data in the cache folder: {exc}", icon=":material/error:")
    st.stop()

counts = upload.counts
if example:
    st.info(
        f"**Example: {example.description} ({len(upload.images):,} images) stands in for your upload; upload a "
        f"file to compare yours.** Samples of {int(n):,} images per dataset (sidebar).",
        icon=":material/lightbulb:",
    )
else:
    st.success(
        f"**{filename}**: {len(upload.images):,} images in {len(upload.classes)} classes, "
        f"{upload.inverted:,} inverted to bright strokes. Id `{upload.sha256[:12]}`.",
        icon=":material/check_circle:",
    )
for note in upload.notes:
    st.warning(note, icon=":material/aspect_ratio:")
if upload.skipped:
    with st.expander(f"{len(upload.skipped)} file(s) skipped"):
        st.markdown("\n".join(f"* `{s}`" for s in upload.skipped[:200]))

grid_col, count_col = st.columns([3, 1])
shown = min(len(upload.classes), 30)
with grid_col:
    per_class = min(10, max(counts.values()))
    st.image(
        class_grid(upload.images, upload.labels, shown, per_class),
        width=min(600, 60 * per_class),
        caption=f"First images of each class after conversion (one row per class"
        f"{'' if shown == len(upload.classes) else f'; first {shown} classes'}).",
    )
with count_col:
    st.dataframe(
        pd.DataFrame({"class": list(counts), "images": list(counts.values())}),
        hide_index=True,
        width="content",
        height=min(420, 35 * (len(counts) + 1)),
    )

settings = PairSettings(n=int(n))
try:
    ranking = _ranking(path, settings)
except (DataError, OSError) as exc:
    st.error(f"Could not compare: {exc}")
    st.stop()
data_notice(ranking.missing, ranking.partial, [r.name for r in ranking.rows if r.name not in PAIR_DATASETS])
if not ranking.rows:
    st.error("No reference dataset is available. Set `DSVIZ_DATA_DIR` or run `python -m dsviz download NAME`.")
    st.stop()

st.subheader("Closest reference datasets")
best = ranking.rows[0]
left, right = st.columns([1, 2])
with left:
    st.metric("Closest to pretrain on", best.name, help="Smallest OTDD to your data.")
    st.dataframe(
        pd.DataFrame(
            {
                "rank": range(1, len(ranking.rows) + 1),
                "dataset": [r.name for r in ranking.rows],
                "OTDD": [r.otdd for r in ranking.rows],
                "plain OT": [r.ot for r in ranking.rows],
            }
        ),
        hide_index=True,
        width="content",
        key="ranking_table",
    )
with right:
    show_chart(ranking_figure(ranking), "ranking_chart")
table_downloads(
    "ranking",
    pd.DataFrame(
        {
            "dataset": [r.name for r in ranking.rows],
            "otdd": [r.otdd for r in ranking.rows],
            "ot": [r.ot for r in ranking.rows],
        }
    ),
    {**vars(settings), "upload_sha256": upload.sha256},
)
st.caption(
    f"Settings: {settings.describe()}. Same command line: "
    f"`python -m dsviz otdd {upload.sha256[:12]}….npz {best.name} --n {settings.n} --json` "
    "(with the file from the cache folder, or your own .npz)."
)

st.subheader(f"Your data vs {best.name}")
view = _view(path, best.name, settings)
res = view.comparison.result
shown_view = renamed(view, (YOURS, best.name))
payload, payload_bytes = pair_view_figure(shown_view, (upload.sha256, best.name, settings), key="upload_hover")
hm_left, hm_right = st.columns(2)
with hm_left:
    show_chart(
        label_distance_heatmap(res.label_distances, list(res.src_classes), list(res.tgt_classes), YOURS, best.name),
        "label_distances",
    )
with hm_right:
    show_chart(
        class_coupling_heatmap(res.plan.class_coupling, list(res.src_classes), list(res.tgt_classes), YOURS, best.name),
        "class_coupling",
    )
st.caption(
    f"Pair-view payload: {payload_bytes / 1e6:.2f} MB. Hover a point to see its image and its best match; click to "
    "pin it."
)

st.subheader("SimEx Δ under the reference fleet")
loss = st.radio(
    "Reconstruction loss",
    ["mse", "issim"],
    horizontal=True,
    key="loss",
    bind="query-params",
    format_func={"mse": "MSE", "issim": "iSSIM = 1 − SSIM"}.get,
)
with st.spinner("Reconstructing your images with each reference autoencoder…"):
    try:
        fleet_run, _ = _fleet(loss)
        fleet = None if fleet_run is None else _simex(path, loss, fleet_run)
    except DataError as exc:
        fleet = None
        st.warning(f"SimEx is not available: {exc}")
if fleet is None:
    st.info(
        "The reference fleet is not in the cache. Train it once with "
        f"`python -m dsviz simex {' '.join(between_datasets())} --per dataset --loss {loss}` (or on the SimEx "
        "page); this page looks for it again after a minute."
    )
else:
    table = pd.DataFrame(
        {
            "autoencoder trained on": list(fleet.references),
            "Δ(your data | Y_k)": fleet.delta,
            "Δ / mean ‖Y_k‖": fleet.normalized,
            "Y_k's own held-out Δ / ‖Y_k‖": fleet.reference_normalized.diagonal(),
            "Δ / Y_k's own held-out Δ": fleet.delta / fleet.reference_delta.diagonal(),
        }
    )
    st.dataframe(table.sort_values("Δ / mean ‖Y_k‖"), hide_index=True, width="content", key="simex_table")
    st.caption(
        f"Smallest normalized Δ: **{fleet.closest}**. Δ(X | Y_k) is the mean reconstruction loss of "
        f"{fleet.n_images} of your images through the autoencoder trained on Y_k, divided by the mean L2 norm of "
        "Y_k to compare references (SimEx §5.3). Autoencoders also reconstruct data unlike their own, and those "
        "trained on inky images (large ‖Y_k‖) get small normalized Δ; the last column compares Δ with the "
        "reference's own held-out data instead (1 = reconstructed as well as its own data). Where SimEx and "
        "OTDD disagree, OTDD also weighs the labels."
    )
