"""Method agreement: do OTDD, SimEx, AAD and plain sample MSE rank dataset pairs alike?"""

from __future__ import annotations

import ui.cold_start  # noqa: F401 - first, before any other import: ui/cold_start.py says why

# isort: split
import pandas as pd
import streamlit as st

from dsviz.data import DATASETS, DataError
from dsviz.data.derived import choose_datasets, dataset_status
from dsviz.methods import METHODS
from dsviz.simex import runs
from dsviz.studies.agreement import compare_methods, estimate_seconds
from ui.data_notice import data_notice
from ui.export import show_chart, table_downloads
from ui.navigation import page_intro
from ui.settings import number_row
from ui.shared_jobs import shared
from ui.simex_plots import heatmap
from ui.url_state import UrlNumber

OPTIONS = (*runs.BETWEEN_DATASETS, "usps", "kmnist", "mnist-5k", "digits")
N_TRAIN = UrlNumber(
    "n",
    "Images per dataset",
    50,
    6000,
    runs.DEFAULT_N,
    50,
    help="Every method compares the same class-balanced samples of this many images per dataset; the autoencoder methods hold out the held-out images below and train on the rest.",
)
N_EVAL = UrlNumber(
    "n_eval",
    "Held-out images per dataset",
    10,
    1000,
    runs.DEFAULT_N_EVAL,
    10,
    help="Images per dataset the autoencoder methods are measured on (held out of their training).",
)
EPOCHS = UrlNumber(
    "epochs",
    "Autoencoder epochs",
    1,
    200,
    runs.DEFAULT_EPOCHS,
    1,
    help=f"RMSprop, learning rate 2e-4, batch 32; {runs.DEFAULT_EPOCHS} = the settled fleets of SimEx §5.2.",
)
# (n, n_eval, epochs) of the preview computed by itself when the default settings are not cached
PREVIEW = (100, 30, runs.PREVIEW_EPOCHS)

page_intro(
    "Method agreement",
    f"{len(METHODS)} ways to say how far apart two datasets are, computed on the same samples: every method of the "
    "registry (OTDD exact and Gaussian, Alvarez-Melis & Fusi 2020; s-OTDD, Nguyen et al. 2025; SimEx with MSE and with "
    "iSSIM, Hwang et al. 2020; the autoencoder average distance AAD; the plain mean pairwise sample MSE). Each method "
    "orders the dataset pairs from closest to farthest; the heatmap of Spearman ρ shows how far those orderings agree. "
    "None of the sources makes this comparison. s-OTDD uses its default "
    f"{METHODS['sotdd'].settings().n_projections} random projections (seed 0).",
)

with st.container(key="settings"):
    c1, *sizes = st.columns([4, 2, 2, 1.4])
    with c1:
        defaults, default_missing, _ = choose_datasets(list(runs.BETWEEN_DATASETS), 3)
        chosen = st.multiselect("Datasets", OPTIONS, default=defaults, key="datasets", bind="query-params")
    n, n_eval, epochs = number_row((N_TRAIN, N_EVAL, EPOCHS), sizes)


status = dataset_status(list(chosen))
data_notice(
    {**default_missing, **{name: note for name, (ok, note) in status.items() if not ok}},
    {name: note for name, (ok, note) in status.items() if ok and note},
    [name for name in chosen if name in DATASETS and DATASETS[name].bundled],
)
usable = [name for name in chosen if status[name][0]]

report = None
if len(usable) < 2:
    st.error("Choose at least two datasets that are available.")
else:
    try:
        report = compare_methods(usable, n=n, n_eval=n_eval, epochs=epochs, cached_only=True)
    except DataError as exc:
        st.error(str(exc))
        st.stop()
    full = (n, n_eval, epochs)
    preview = report is None and full == (N_TRAIN.default, N_EVAL.default, EPOCHS.default)
    if preview:
        n, n_eval, epochs = PREVIEW
        report = shared(
            ("agreement-preview", tuple(usable), n, n_eval, epochs),
            f"Computing the preview: {len(METHODS)} methods on {len(usable)} datasets, {n} images each",
            lambda progress: compare_methods(usable, n=n, n_eval=n_eval, epochs=epochs, progress=progress),
        )
        with st.container(key="preview_note"):
            st.warning(
                f"**Preview: {n} images per dataset ({n_eval} held out), {epochs} autoencoder epochs**, computed on "
                f"this server when the page first opened. The settings above ({full[0]} and {full[1]} images, "
                f"{full[2]} epochs) are not in the cache: precompute them with `python -m dsviz simex "
                f"{' '.join(usable)} --per dataset --agreement`, or change a setting to compute it here. Below "
                f"{runs.DEFAULT_EPOCHS} epochs the autoencoder orderings are mostly seed noise (SimEx §5.2), so their "
                "agreement with OTDD is too."
            )
    elif epochs < runs.DEFAULT_EPOCHS:
        st.warning(
            f"**Fast preview: {epochs} epochs.** The SimEx and AAD autoencoders settle at {runs.DEFAULT_EPOCHS} epochs "
            "(SimEx §5.2); below that their orderings are mostly seed noise, so their agreement with OTDD is too."
        )
    if report is None:
        cli = (
            f"python -m dsviz simex {' '.join(usable)} --per dataset --agreement --epochs {epochs} "
            f"--n {n} --n-eval {n_eval}"
        )
        seconds = estimate_seconds(len(usable), n, epochs)
        cost = (
            ""
            if seconds is None
            else f" Computing here takes about {seconds:.0f} s (scaled from the last "
            "comparison measured on this machine); Stop (top right) cancels it and leaves no partial result."
        )
        st.info(
            f"The comparison is not in the cache at these settings. Precompute it with `{cli}`, or compute it "
            f"here.{cost}"
        )
        if st.button("Compute all methods", key="compute_agreement"):
            with st.status(f"Computing the {len(METHODS)} methods…", expanded=True) as progress_box:
                bar = st.progress(0.0, text="loading data")

                def progress(done: int, total: int, what: str) -> None:
                    bar.progress(min(done / max(total, 1), 1.0), text=f"{what} ({done} of {total})")

                compare_methods(usable, n=n, n_eval=n_eval, epochs=epochs, progress=progress)
                progress_box.update(label="done", state="complete")
            st.rerun()

if report is not None:
    names = list(report.names)
    st.subheader("Distances between the datasets")
    columns = st.columns(2)
    for i, method in enumerate(report.methods):
        with columns[i % 2]:
            figure = heatmap(
                report.matrices[method],
                names,
                names,
                title=method,
                x_title="",
                y_title="",
                fmt=METHODS[method].value_format,
            )
            show_chart(figure, f"matrix_{i}")
    st.caption(
        "SimEx rows are the data evaluated and columns the autoencoder's training data; for the ranking each pair's two "
        "directions are averaged. Diagonals are ignored: the ranking uses the pairs of different datasets."
    )
    table_downloads(
        "method distances",
        pd.DataFrame(
            [
                (method, a, b, report.matrices[method][i, j])
                for method in report.methods
                for i, a in enumerate(names)
                for j, b in enumerate(names)
            ],
            columns=["method", "row", "column", "distance"],
        ),
        {"datasets": names, "n": n, "n_eval": n_eval, "epochs": epochs},
    )
    table_downloads(
        "spearman between methods",
        report.spearman,
        {"datasets": names, "n": n, "n_eval": n_eval, "epochs": epochs},
        index=report.methods,
        columns=report.methods,
    )
    left, right = st.columns([1, 1])
    with left:
        st.subheader("Spearman ρ between the methods' orderings")
        pairs = f"{len(names) * (len(names) - 1) // 2} dataset pairs"
        figure = heatmap(
            report.spearman,
            report.methods,
            report.methods,
            title=pairs,
            x_title="",
            y_title="",
            colorscale="RdBu",
            fmt=".2f",
            zmin=-1.0,
            zmax=1.0,
        )
        show_chart(figure, "agreement_heatmap")
    with right:
        st.subheader("What each method does, and its cost")
        table = pd.DataFrame(
            {
                "method": report.methods,
                "what it measures": [METHODS[m].description for m in report.methods],
                "source": [METHODS[m].source for m in report.methods],
                "seconds": [round(report.seconds[m], 2) for m in report.methods],
            }
        )
        with st.container(key="cost_table"):
            st.table(table.set_index("method"))
        st.caption(
            f"Seconds measured on this machine when each result was computed at these settings ({n} images per dataset, "
            f"{epochs} epochs): training time for the autoencoder methods, the sum over pairs for OTDD."
        )
