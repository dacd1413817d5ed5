"""SimEx: how similar are classes and datasets, judged by a fleet of autoencoders (Hwang et al., 2020)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import streamlit as st

from dsviz.data import DataError
from dsviz.derived import DERIVED, dataset_status
from dsviz.simex import LOSSES, ordering_agreement, reconstruct, sample_mse_matrix, settling_curve
from dsviz.simex import runs
from ui.simex_plots import heatmap, pair_strip, settling_figure
from ui.url_state import UrlNumber
from ui.navigation import require_app_navigation

CLASS_DATASETS = ("mnist", "fashion-mnist", "usps", "emnist-letters", "kmnist", *DERIVED)
LOSS_LABELS = {"mse": "MSE", "issim": "iSSIM = 1 − SSIM"}
N_TRAIN = UrlNumber("n", "Training images per part", 50, 6000, runs.DEFAULT_N, 50,
                    help="Images each autoencoder trains on (per class, or per dataset in section c).")  # fmt: skip
N_EVAL = UrlNumber("n_eval", "Held-out images per part", 10, 1000, runs.DEFAULT_N_EVAL, 10,
                   help="Images of each part that Δ and the baseline are measured on (never trained on).")  # fmt: skip
EPOCHS = UrlNumber("epochs", "Epochs", 1, 50, runs.DEFAULT_EPOCHS, 1, help="RMSprop, learning rate 2e-4, batch 32.")
SAMPLES = UrlNumber("samples", "Samples per class", 1, 12, 6, 1, help="How many held-out samples each row of the grid shows.")


@st.cache_data(show_spinner=False, max_entries=16)
def _class_parts(dataset: str, n: int, n_eval: int) -> runs.Parts:
    return runs.class_parts(dataset, n=n, n_eval=n_eval)


@st.cache_data(show_spinner=False, max_entries=8)
def _dataset_parts(n: int, n_eval: int) -> runs.Parts:
    return runs.dataset_parts(runs.BETWEEN_DATASETS, n=n, n_eval=n_eval)


@st.cache_data(show_spinner=False, max_entries=32)
def _reconstructions(dataset: str, n: int, n_eval: int, loss: str, epochs: int, member: int, samples: int):
    parts = _class_parts(dataset, n, n_eval)
    fleet, _ = runs.simex(parts, loss, epochs, cached_only=True)
    model = fleet.model("auto")
    inputs = [images[:samples] for images in parts.evaluate]
    return inputs, [reconstruct(model, x, member) for x in inputs]


def _compute_button(what: str, cli: str, key: str, compute: Callable[[Callable[[int, int], None]], object]) -> None:
    """Say that ``what`` is not cached, how to precompute it, and offer to compute it here with a progress bar."""
    st.info(f"{what[0].upper()}{what[1:]} is not in the cache at these settings. Precompute it with `{cli}`, or train it here.")
    if st.button(f"Train {what}", key=key):
        with st.status(f"Training {what}…", expanded=True) as status:
            bar = st.progress(0.0, text="loading data")

            def progress(done: int, total: int, what: str) -> None:
                bar.progress(done / total, text=f"step {done} of {total}")

            compute(progress)
            status.update(label=f"{what}: done", state="complete")
        st.rerun()


require_app_navigation()
st.title("SimEx: similarity by a fleet of autoencoders")
st.caption(
    "SimEx (Hwang et al., 2020) trains one small autoencoder A(Y_k) per part Y_k of the known data — one class, or one "
    "dataset. Data X is similar to Y_k when A(Y_k) reconstructs it well: Δ(X | Y_k) is the mean reconstruction error of "
    "X's samples through A(Y_k), with the loss it was trained with (MSE, or iSSIM = 1 − SSIM). Each autoencoder has a "
    "LeNet-5 encoder (conv–pool–conv–pool–dense, 84-d bottleneck) and a mirrored decoder; all of a fleet train together "
    "as one batched model (RMSprop, learning rate 2e-4)."
)

with st.container(key="settings"):
    c1, c2, c3, c4, c5 = st.columns([2, 2, 2, 2, 1.4])
    with c1:
        dataset = st.selectbox("Dataset (sections a, b, d)", CLASS_DATASETS, key="dataset", bind="query-params")
    with c2:
        loss = st.radio("Loss", LOSSES, format_func=LOSS_LABELS.get, key="loss", bind="query-params", horizontal=True)
    with c3:
        n = int(N_TRAIN.number_input())
    with c4:
        n_eval = int(N_EVAL.number_input())
    with c5:
        epochs = int(EPOCHS.number_input())

status = dataset_status([dataset])[dataset]
st.header("a · Classes within a dataset")
fleet = parts = None
if not status[0]:
    st.warning(f"**{dataset}** cannot be used here: {status[1]}")
else:
    if status[1]:
        st.info(f"**{dataset}**: {status[1]}. The fleet has one autoencoder per class that is present.")
    try:
        parts = _class_parts(dataset, n, n_eval)
    except DataError as exc:
        st.error(str(exc))
    if parts is not None:
        fleet, _ = runs.simex(parts, loss, epochs, cached_only=True)
        if fleet is None:
            _compute_button(
                f"the {dataset} {LOSS_LABELS[loss]} fleet ({len(parts.names)} autoencoders)",
                f"python -m dsviz simex {dataset} --loss {loss} --epochs {epochs} --n {n} --n-eval {n_eval}",
                "train_class_fleet",
                lambda progress: runs.simex(parts, loss, epochs, progress=progress),
            )
if fleet is not None:
    baseline = sample_mse_matrix(parts.evaluate, parts.train)
    rho = ordering_agreement(fleet.delta, baseline)
    left, right = st.columns(2)
    with left:
        st.plotly_chart(
            heatmap(fleet.delta, parts.names, parts.names, title=f"SimEx Δ ({LOSS_LABELS[loss]})",
                    x_title="autoencoder trained on", y_title="samples of"),
            key="delta_heatmap", config={"displayModeBar": False},
        )  # fmt: skip
    with right:
        st.plotly_chart(
            heatmap(baseline, parts.names, parts.names, title="Sample-space baseline: mean pairwise MSE",
                    x_title="training samples of", y_title="held-out samples of"),
            key="baseline_heatmap", config={"displayModeBar": False},
        )  # fmt: skip
    with st.container(key="metric_rho"):
        st.metric("Spearman ρ, Δ vs. baseline (row orderings, mean over rows)", f"{rho:.3f}")
    st.caption(
        f"Row i orders the {len(parts.names)} parts by how well they explain class {parts.names[0]}…{parts.names[-1]}'s "
        "held-out samples; ρ compares that ordering between Δ and the baseline, averaged over rows. "
        f"{n} training and {n_eval} held-out images per class, {epochs} epochs: trained in {fleet.seconds:.0f} s."
    )

    st.header("b · Reconstructions")
    member_name = st.selectbox("Autoencoder trained on", parts.names, key="ae", bind="query-params")
    samples = int(SAMPLES.slider())
    member = parts.names.index(member_name)
    inputs, recons = _reconstructions(dataset, n, n_eval, loss, epochs, member, samples)
    order = np.argsort(fleet.delta[:, member], kind="stable")
    st.caption(
        f"Held-out samples of every class (left of each pair) and their reconstruction by the autoencoder trained on "
        f"**{member_name}** (right), classes ordered by Δ(class | {member_name}), best reconstructed first — the "
        "SimEx paper's Figure 1a."
    )
    with st.container(key="recon_grid"):
        for rank, i in enumerate(order, start=1):
            label_col, strip_col = st.columns([1, 6], vertical_alignment="center")
            with label_col:
                st.markdown(f"**{rank}. {parts.names[i]}**  \nΔ = {fleet.delta[i, member]:.4f}")
            with strip_col:
                st.image(pair_strip(inputs[i], recons[i]), width=min(900, 100 * samples + 20))

st.header("c · Between datasets")
between = dataset_status(list(runs.BETWEEN_DATASETS))
for name, (ok, note) in between.items():
    if note:
        (st.info if ok else st.warning)(f"**{name}**: {note}" + ("" if ok else " — left out."))
normalize = st.toggle("Normalize Δ by each reference dataset's mean L2 norm (SimEx §5.3)", key="norm", bind="query-params")
dfleet = daad = dparts = None
try:
    dparts = _dataset_parts(n, n_eval)
except DataError as exc:
    st.error(str(exc))
if dparts is not None:
    dfleet, _ = runs.simex(dparts, loss, epochs, cached_only=True)
    daad, _ = runs.aad(dparts, epochs, cached_only=True)
    if dfleet is None or daad is None:
        def _train_between(progress: Callable[[int, int], None]) -> None:
            runs.simex(dparts, loss, epochs, progress=progress)
            runs.aad(dparts, epochs, progress=progress)

        _compute_button(
            f"the between-dataset {LOSS_LABELS[loss]} fleet and the AAD autoencoder",
            f"python -m dsviz simex {' '.join(runs.BETWEEN_DATASETS)} --per dataset --loss {loss} --epochs {epochs} "
            f"--n {n} --n-eval {n_eval}" + (" --agreement" if loss == "mse" else ""),
            "train_dataset_fleet",
            _train_between,
        )
if dfleet is not None and daad is not None:
    left, right = st.columns(2)
    shown = dfleet.normalized_delta() if normalize else dfleet.delta
    with left:
        st.plotly_chart(
            heatmap(shown, dparts.names, dparts.names,
                    title=f"SimEx Δ ({LOSS_LABELS[loss]}{', normalized' if normalize else ''})",
                    x_title="autoencoder trained on", y_title="samples of"),
            key="between_heatmap", config={"displayModeBar": False},
        )  # fmt: skip
    with right:
        st.plotly_chart(
            heatmap(daad.matrix, dparts.names, dparts.names, title="AAD: distance of mean latent codes",
                    x_title="dataset", y_title="dataset", fmt=".2f"),
            key="aad_heatmap", config={"displayModeBar": False},
        )  # fmt: skip
    st.caption(
        "Normalized Δ divides column k by the mean L2 norm of the images A(Y_k) was trained on "
        f"({', '.join(f'{p} {v:.1f}' for p, v in zip(dparts.names, dfleet.ref_norm, strict=True))}), so references "
        "with more ink do not look far from everything. AAD trains one autoencoder on all five datasets and measures "
        f"‖mean code of A − mean code of B‖. Trained in {dfleet.seconds:.0f} s (fleet) and {daad.seconds:.0f} s (AAD)."
    )

st.header("d · How the orderings settle during training")
curves = {}
if fleet is not None:
    curves[f"{dataset}, per class"] = settling_curve(fleet.history)
if dfleet is not None:
    curves["between datasets"] = settling_curve(dfleet.history)
if curves:
    st.plotly_chart(settling_figure(curves), key="settling", config={"displayModeBar": False})
    st.caption(
        "After every epoch Δ is measured again; each point is Spearman ρ between that epoch's row orderings and the "
        "final ones, averaged over rows (the SimEx paper's Figure 6). It reaching ~1 early means a few epochs already "
        "give the final answer."
    )
else:
    st.info("Train a fleet above to see how its orderings settle.")
