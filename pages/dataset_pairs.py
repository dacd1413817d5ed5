"""Dataset pairs: a distance matrix over datasets (any pairwise registered method); click a cell to explore that pair."""

from __future__ import annotations

import ui.cold_start  # noqa: F401 - first, before any other import: ui/cold_start.py says why

# isort: split
from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from dsviz import methods
from dsviz.data import DataError
from dsviz.embedding import warm_up_in_background
from dsviz.figures.pair_view import with_matrix
from dsviz.methods import METHODS
from dsviz.otdd import OUTER_CHOICES
from dsviz.runtime.device import resolve_device
from dsviz.studies.pairs import (
    PAIR_DATASETS,
    PairMatrix,
    PairSettings,
    PairView,
    available_pair_datasets,
    matrix_jobs,
    pair_matrix,
    pair_view,
)
from dsviz.studies.transfer_pairs import (
    PAPER_PEARSON_R,
    PairsConfig,
    PairsStudy,
    estimate_study_seconds,
    latest_study,
)
from dsviz.studies.transfer_stats import interval_sentence, power_sentence
from ui.correlation_metrics import correlation_metrics
from ui.data_notice import data_notice
from ui.estimates import time_estimate
from ui.export import chart_config, clickable_chart, otdd_table_downloads, show_chart, table_downloads
from ui.figure_component import download_figure_button
from ui.heatmaps import class_coupling_heatmap, label_distance_heatmap
from ui.navigation import page_intro
from ui.pair_hover import pair_view_figure
from ui.pair_plots import matrix_figure
from ui.settings import sidebar_sample_size
from ui.shared_jobs import is_ready, shared, shared_figure
from ui.study_labels import pairs_study_label
from ui.transfer_plots import transfer_scatter
from ui.url_state import UrlNumber

SAMPLE_SIZES = [250, 500, 1000, 2000, 5000]
SEED = UrlNumber("seed", "Seed", 0, 9999, 0, 1, help="Which class-balanced sample is drawn from each dataset.")
PICK_SENTINEL = "matrix_pick_handled"
# Methods computed pair by pair (the autoencoder methods train on all datasets at once: see Method agreement).
PAIR_METHODS = [name for name, m in METHODS.items() if m.matrix is None]
SCATTER_SENTINEL = "transfer_pick_handled"


def _matrix_job(names: tuple[str, ...], settings: PairSettings, first: tuple[str, str]):
    """The matrix job (computed once per server for every session, ui.shared_jobs): the pair ``first`` (the one the
    pair view shows, a cache hit by then) first, a partial matrix published after each computed cell."""
    return (
        ("matrix", names, settings),
        f"{settings.method} matrix over {len(names)} datasets",
        lambda p, publish: pair_matrix(names, settings, progress=p, first=first, on_cell=_computed_cells(publish)),
    )


def _computed_cells(publish: Callable[[PairMatrix], None]) -> Callable[[PairMatrix], None]:
    """``publish`` for the partial matrices whose last cell was computed. Cells read from the disk cache come in a
    burst (a warm matrix in a fraction of a second) that would only redraw the partial matrix in every waiting
    session; they show with the next computed cell, or the finished matrix."""
    hits = [0]

    def on_cell(partial: PairMatrix) -> None:
        if partial.cache_hits == hits[0]:
            publish(partial)
        hits[0] = partial.cache_hits

    return on_cell


def _view_job(src: str, tgt: str, settings: PairSettings):
    def compute(progress):
        otdd_stage = f"OTDD {src} vs {tgt}"

        def report(done: float, total: int, what: str) -> None:
            # The OTDD's own stages mean it is computed, not read from the cache: start compiling UMAP's kernels
            # beside it (once per server). Read from a warm cache, the view never waits for them, and neither does
            # the first viewer of a fresh server (their compilation would compete with the page for both cores).
            if what.startswith(otdd_stage + ":") and "read from the cache" not in what:
                warm_up_in_background()
            progress(done, total, what)

        return pair_view(src, tgt, settings, progress=report)

    return (("view", src, tgt, settings), f"{src} vs {tgt}: coupling and joint embedding", compute)


def _apply_matrix_click(names: list[str]) -> None:
    """A click on a matrix cell selects that pair (before the select boxes are drawn).

    The clicked marker's axis labels name the pair: y is the source, x the target.
    """
    event = st.session_state.get("matrix_chart")
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if not points:
        return
    src, tgt = points[0].get("y"), points[0].get("x")
    if src not in names or tgt not in names or st.session_state.get(PICK_SENTINEL) == (src, tgt):
        return
    st.session_state[PICK_SENTINEL] = (src, tgt)
    st.session_state["src"], st.session_state["tgt"] = src, tgt


@st.cache_data(show_spinner=False, ttl=30)
def _transfer_study() -> PairsStudy | None:
    """The last precomputed transfer-pairs study; rechecked every 30 s so a finished precompute shows up."""
    return latest_study()


def _apply_scatter_click(names: list[str], study: PairsStudy | None) -> None:
    """A click on a point of the transfer scatter selects that directed pair (like a matrix cell)."""
    event = st.session_state.get("transfer_pairs_scatter")
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if study is None or not points or "customdata" not in points[0]:
        return
    index = int(points[0]["customdata"])
    if not 0 <= index < len(study.pairs):
        return
    src, tgt = study.pairs[index]
    if src not in names or tgt not in names or st.session_state.get(SCATTER_SENTINEL) == (src, tgt):
        return
    st.session_state[SCATTER_SENTINEL] = (src, tgt)
    st.session_state["src"], st.session_state["tgt"] = src, tgt


def _transfer_section(study: PairsStudy | None, selected_pair: tuple[str, str], datasets: list[str]) -> None:
    st.subheader("Does OTDD predict transferability?")
    st.caption(
        "The paper's *NIST experiment (Alvarez-Melis & Fusi, NeurIPS 2020, Sec. 6; the MSR blog's "
        "“OTDD is highly predictive of transferability”, left panel): for every directed pair, the OTDD authors' "
        "LeNet-5 is pretrained on the source, given a fresh classifier and fine-tuned on a small labeled sample "
        "of the target; **transferability** is the relative drop in the target's test error against the same "
        "network trained on that sample alone with the same budget, 100 · (err_scratch − err_finetuned) / "
        f"err_scratch, mean ± std over seeds. The paper reports Pearson r = {PAPER_PEARSON_R}. "
        "Click a point to open that pair below."
    )
    if study is None:
        config = PairsConfig()
        seconds = estimate_study_seconds(datasets, config)
        st.info(
            "No transfer-pairs study is cached yet. Run `python -m dsviz precompute transfer-pairs` "
            f"({len(datasets)} datasets, {len(config.seeds)} seeds; {time_estimate(seconds, resolve_device('auto'))}; "
            "`--device cuda` on a GPU), then reload this page."
        )
        return
    label, is_default = pairs_study_label(study.config, PairsConfig())
    (st.caption if is_default else st.warning)(label)
    corr = study.correlations()
    chosen = study.pairs.index(selected_pair) if selected_pair in study.pairs else None
    names = [f"{a} → {b}" for a, b in study.pairs]
    plot_col, side_col = st.columns([3, 1], gap="medium")
    with plot_col:
        clickable_chart(
            transfer_scatter(
                study.otdd,
                study.gain_mean,
                study.gain_std,
                study.labels(),
                corr["slope"],
                corr["intercept"],
                x_title="OTDD (source, target)",
                y_title="relative drop in test error (%)",
                color="#1f77b4",
                selected=chosen,
                hover_names=names,
            ),
            "transfer_pairs_scatter",
        )
    with side_col:
        correlation_metrics(corr, PAPER_PEARSON_R)
        letters = sorted({(lab.split("→")[0], a) for lab, (a, _) in zip(study.labels(), study.pairs)})
        st.caption(
            f"{len(study.pairs)} directed pairs × {len(study.config.seeds)} seeds, computed on "
            f"{', '.join(study.devices)} in {study.seconds / 60:.1f} min. "
            + ", ".join(f"{k} = {name}" for k, name in letters)
            + "."
        )
    with st.container(key="transfer_pairs_evidence"):
        st.markdown(
            f"{interval_sentence(corr, PAPER_PEARSON_R)} {power_sentence(study.power(), PAPER_PEARSON_R)} "
            "The 12 directed pairs are not independent points (both directions share one OTDD, and each source and "
            "target appears in three pairs), so the true reach is weaker than stated."
        )
    with st.expander("Study settings"):
        st.table({k: [str(v)] for k, v in study.settings().items() if k != "config"})


page_intro(
    "Dataset pairs",
    "Distances between the *NIST-like datasets, OTDD by default (Alvarez-Melis & Fusi, NeurIPS 2020, Fig. 3): smaller "
    "and lighter means more similar. Click a cell, or pick a pair below, to see both datasets in one UMAP embedding with "
    "the coupling, and hover any point to see its image and its best match in the other dataset.",
)

n = sidebar_sample_size(SAMPLE_SIZES, 2000, "Class-balanced sample of the train split (test if train is missing).")
with st.sidebar:
    seed = SEED.number_input()
    method = st.selectbox(
        "Method",
        PAIR_METHODS,
        key="method",
        bind="query-params",
        help="otdd-exact: OT between class samples; otdd-gaussian: Bures–Wasserstein closed form; "
        "sotdd: sliced OTDD, near-linear in n. The pair view below always shows an OTDD coupling.",
    )
    st.caption(f"{METHODS[method].description} Source: {METHODS[method].source}.")
    is_otdd = METHODS[method].family == "otdd"
    outer = st.selectbox(
        "Outer OT solver",
        OUTER_CHOICES,
        index=OUTER_CHOICES.index("auto"),
        key="outer",
        bind="query-params",
        disabled=not is_otdd,
        help="auto: exact up to 2000 x 2000 points, scaling beyond; exact: network simplex; "
        "sinkhorn: entropic (eps 0.05 of the mean cost), debiased; scaling: the authors' "
        "debiased Sinkhorn divergence with epsilon-scaling.",
    )
    show_ot = st.toggle("Show plain OT side by side", key="show_ot", bind="query-params", disabled=not is_otdd)

settings = PairSettings(n=int(n), seed=int(seed), method=method, outer=outer)
available, missing, partial = available_pair_datasets()
data_notice(missing, partial, [name for name in available if name not in PAIR_DATASETS])
if len(available) < 2:
    st.error("At least two datasets are needed. Set `DSVIZ_DATA_DIR` or run `python -m dsviz download NAME`.")
    st.stop()

names = list(available)  # the matrix's rows (pair_matrix picks the same datasets)
_apply_matrix_click(names)
transfer = _transfer_study()
_apply_scatter_click(names, transfer)


def _current(key: str, default: str) -> str:
    value = st.session_state.get(key) or st.query_params.get(key) or default
    return value if value in names else default


first_pair = (_current("src", names[0]), _current("tgt", names[-1]))
selected = (names.index(first_pair[0]), names.index(first_pair[1]))
show_ot = show_ot and is_otdd
# From an empty cache the pair view comes first (its OTDD run is also the matrix's first cell, read back from the
# cache), then the matrix, cell by cell. The matrix job is queued only once the pair view is drawn: queued earlier,
# it would take both cores while the hover view is built and rendered, and delay it by more than it gains.
matrix_args = _matrix_job(tuple(names), settings, first_pair)
matrix_ready = is_ready(matrix_args[0])
cols = st.columns(2 if show_ot else 1)
with cols[0]:
    matrix_slot = st.empty()
if show_ot:
    with cols[1]:
        ot_slot = st.empty()
if not matrix_ready:
    n_cells = len(matrix_jobs(len(names)))  # the cells pair_matrix computes, floors included
    seconds = (
        methods.estimate_seconds(METHODS[method], [(settings.n, settings.n)] * n_cells)
        if settings.n is not None
        else None
    )
    took = (
        f" From the last measured {method} run here it takes about {seconds:.0f} s if no cell is cached yet."
        if seconds is not None
        else ""
    )
    matrix_slot.info(
        f"The {method} matrix fills in here cell by cell once the pair view below is drawn "
        f"({first_pair[0]} vs {first_pair[1]} first: its OTDD run is that cell too).{took}"
    )
progress_area = st.container()
matrix_details = st.container()


def _draw_partial(partial: PairMatrix) -> None:
    """A matrix still being computed: done cells coloured, the rest grey (clickable once complete)."""
    done = int(np.isfinite(partial.distance).sum() + np.isfinite(partial.floor).sum())  # grows with each cell
    matrix_slot.plotly_chart(
        matrix_figure(partial.distance, names, f"{method} (filling in)", selected),
        key=f"matrix_partial_{done}",
        config=chart_config("matrix_partial"),
        width="content",
    )


def _pair_view_section(view: PairView, src: str, tgt: str, matrix: PairMatrix | None) -> None:
    """The pair view (metrics, joint embedding, hover), class heatmaps and downloads of one pair; the interactive
    HTML download holds the pair view and, once computed, the matrix."""
    res = view.comparison.result
    payload, payload_bytes = pair_view_figure(view, (src, tgt, settings), key="pair_hover")
    download_figure_button(
        "pair_view",
        payload if matrix is None else with_matrix(payload, matrix),
        title=f"Dataset pairs: {src} vs {tgt}",
        settings={"pair": f"{src} → {tgt}", **vars(settings)},
        provenance={
            f"{src} → {tgt}": f"{res.n_src} + {res.n_tgt} class-balanced images ({view.comparison.split_used['src']}"
            f" / {view.comparison.split_used['tgt']} split), seed {settings.seed}",
            "coupling": "OTDD, exact label distances (registry method otdd-exact unless an OTDD method is chosen)",
            "embedding": "joint UMAP of both samples' pixels (dsviz.embedding, seeded)",
            **({"matrix": f"{method} over {', '.join(matrix.datasets)}"} if matrix is not None else {}),
        },
        file_name=f"dsviz-dataset-pairs-{src}-{tgt}.html",
    )

    left, right = st.columns(2)
    with left:
        show_chart(
            shared_figure(
                label_distance_heatmap, res.label_distances, list(res.src_classes), list(res.tgt_classes), src, tgt
            ),
            "label_distances",
        )
    with right:
        show_chart(
            shared_figure(
                class_coupling_heatmap, res.plan.class_coupling, list(res.src_classes), list(res.tgt_classes), src, tgt
            ),
            "class_coupling",
        )

    pair_settings = {
        **vars(settings),
        "src": src,
        "tgt": tgt,
        "otdd": res.otdd,
        "split_used": view.comparison.split_used,
    }
    otdd_table_downloads(res, f"{src} {tgt}", pair_settings)
    st.caption(
        f"Pair-view payload: {payload_bytes / 1e6:.2f} MB ({res.n_src + res.n_tgt} thumbnails in "
        f"{len(payload['images'])} PNG sprite sheets, drawn in the browser)."
    )


def _matrix_section(matrix: PairMatrix) -> None:
    """The finished matrix (clickable), its settings, downloads and the self-distance check."""
    clickable_chart(shared_figure(matrix_figure, matrix.distance, names, method, selected), "matrix_chart", matrix_slot)
    if show_ot:
        ot_figure = shared_figure(matrix_figure, matrix.ot, names, "plain OT (features only)", selected)
        show_chart(ot_figure, "matrix_ot_chart", ot_slot, width="content")
    with matrix_details:
        if METHODS[method].family == "sliced-otdd":
            off = ~np.eye(len(names), dtype=bool)
            rel = matrix.stderr[off] / matrix.distance[off]
            st.caption(
                f"s-OTDD over {settings.method_settings()[1].n_projections} random projections (projection "
                f"seed = the sample seed {settings.seed}). Monte Carlo standard error of the cells, from the "
                f"spread of their per-projection values: {100 * rel.min():.1f}–{100 * rel.max():.1f} % of "
                "the value. Over projection seeds at n = 2000 see bench/sotdd_bench.py (README)."
            )
        st.caption(
            f"Settings: {settings.describe()}. Splits used: "
            + ", ".join(f"{k} {v}" for k, v in matrix.split_used.items())
            + "."
        )
        table_downloads(
            f"{method} matrix",
            matrix.distance,
            {**vars(settings), "split_used": matrix.split_used},
            index=names,
            columns=names,
        )
        with st.expander("Sanity check: self-distances"):
            st.markdown(
                f"The diagonal is each dataset against **the same sample** ({method} must be 0). The sampling floor "
                "is each dataset against **an independent sample of itself** (seed + 1): differences smaller than "
                "this are noise."
            )
            st.dataframe(
                pd.DataFrame(
                    {
                        f"{method} same sample": np.diag(matrix.distance),
                        f"{method} independent sample": matrix.floor,
                        "OT independent sample": matrix.floor_ot,
                    },
                    index=names,
                ),
                width="content",
            )


ready_matrix = None
if matrix_ready:  # in memory: drawn (and clickable) at once, before a new pair view is computed
    ready_matrix = shared(*matrix_args, show_partial=_draw_partial)
    _matrix_section(ready_matrix)
_transfer_section(transfer, (names[selected[0]], names[selected[1]]), names)

st.subheader("Pair view")
pick_a, pick_b = st.columns(2)
with pick_a:
    src = st.selectbox("Source", names, index=0, key="src", bind="query-params")
with pick_b:
    tgt = st.selectbox("Target", names, index=len(names) - 1, key="tgt", bind="query-params")

try:
    if src == tgt:
        st.info("Pick two different datasets (or click an off-diagonal cell).")
    else:
        if not is_otdd:
            st.caption(
                f"The pair view shows the OTDD (exact label distances) coupling: {method} has no coupling to draw."
            )
        with progress_area:
            view = shared(*_view_job(src, tgt, settings))
        _pair_view_section(view, src, tgt, ready_matrix)
    if not matrix_ready:
        with progress_area:
            _matrix_section(shared(*matrix_args, show_partial=_draw_partial))
except DataError as exc:
    st.error(f"Could not compute: {exc}")
