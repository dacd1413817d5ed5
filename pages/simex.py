"""SimEx: how similar are classes and datasets, judged by a fleet of autoencoders (Hwang et al., 2020)."""

from __future__ import annotations

import ui.cold_start  # noqa: F401 - first, before any other import: ui/cold_start.py says why

# isort: split
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import streamlit as st

from dsviz.data import DATASETS, DataError
from dsviz.data.derived import DERIVED, choose_datasets, dataset_status
from dsviz.runtime.cache import Cache, default_cache_dir
from dsviz.runtime.device import resolve_device
from dsviz.runtime.progress import Progress
from dsviz.simex import LOSSES, ordering_agreement, reconstruct, runs, sample_mse_matrix, settling_curve
from dsviz.simex.ranking import STABLE_RHO, seed_stability
from dsviz.studies.simex_baselines.confusion import confusion_baseline, confusion_spearman
from dsviz.studies.simex_baselines.retrain import RetrainBaseline, retrain_baseline, spearman_per_base
from dsviz.studies.simex_baselines.settling import settling_against_baseline
from ui.data_notice import data_notice
from ui.export import show_chart, table_downloads
from ui.navigation import page_intro
from ui.retrain_view import retrain_evidence
from ui.settings import number_row
from ui.shared_jobs import shared
from ui.simex_plots import (
    DELTA_AXES,
    SAMPLE_AXES,
    pair_strip,
    retrain_heatmap,
    settling_band_figure,
    settling_figure,
    square_heatmap,
)
from ui.simex_text import resnet_confusion_cell, table1_findings
from ui.url_state import UrlNumber

CLASS_DATASETS = ("mnist", "fashion-mnist", "usps", "emnist-letters", "kmnist", *DERIVED, "mnist-5k", "digits")
LOSS_LABELS = {"mse": "MSE", "issim": "iSSIM = 1 − SSIM"}
N_TRAIN = UrlNumber(
    "n",
    "Training images per part",
    50,
    6000,
    runs.DEFAULT_N,
    50,
    help="Images each autoencoder trains on (per class, or per dataset in section c).",
)
N_EVAL = UrlNumber(
    "n_eval",
    "Held-out images per part",
    10,
    1000,
    runs.DEFAULT_N_EVAL,
    10,
    help="Images of each part that Δ and the baseline are measured on (never trained on).",
)
EPOCHS = UrlNumber(
    "epochs",
    "Epochs",
    1,
    200,
    runs.DEFAULT_EPOCHS,
    1,
    help=f"RMSprop, learning rate 2e-4, batch 32. {runs.DEFAULT_EPOCHS} = settled (SimEx §5.2, Fig. 6a); "
    f"{runs.PREVIEW_EPOCHS} = fast preview.",
)
# (n, n_eval, epochs) of the preview trained by itself when the default settings are not cached (sections a, c);
# a comment, not a docstring: Streamlit's magic would print a bare string on the page
PREVIEW = (100, 30, runs.PREVIEW_EPOCHS)
SEEDS = (0, 1, 2)  # repeated between-dataset fleets looked up for error bars and the stability check
CONFUSION_N = 300  # training images per class of the MNIST fleet compared with the confusion baseline (CPU budget)
PAPER_SETTLED = (50, 0.92)  # SimEx §5.2, Fig. 6a: RMSprop at lr 2e-4 reaches ρ = 0.92 against the baseline at 50 epochs
PAPER_ORDER_M = "M, R, E, F, B"  # SimEx §5.1: A(MNIST)'s order of MNIST, rotated, EMNIST, Fashion, background
SHORT = {"mnist": "M", "mnist-rotated": "R", "mnist-background": "B", "fashion-mnist": "F", "emnist-letters": "E"}
SAMPLES = UrlNumber(
    "samples", "Samples per class", 1, 12, 6, 1, help="How many held-out samples each row of the grid shows."
)


@st.cache_data(show_spinner=False, max_entries=16)
def _class_parts(dataset: str, n: int, n_eval: int) -> runs.Parts:
    return runs.class_parts(dataset, n=n, n_eval=n_eval)


@st.cache_data(show_spinner=False, max_entries=8)
def _dataset_parts(names: tuple[str, ...], n: int, n_eval: int) -> runs.Parts:
    return runs.dataset_parts(names, n=n, n_eval=n_eval)


@st.cache_data(show_spinner=False, max_entries=8)
def _cached_retrain(names: tuple[str, ...], cache_root: str) -> RetrainBaseline | None:
    """The cached retraining baseline, or None. Looking it up loads and fingerprints every dataset's splits
    (about 1 s), so each rerun reads this memo; computing the baseline clears it."""
    return retrain_baseline(list(names), cached_only=True, cache=Cache(cache_root))[0]


def _compute_retrain(names: list[str], progress) -> RetrainBaseline:
    result, _ = retrain_baseline(names, progress=progress)
    _cached_retrain.clear()
    return result


@st.cache_data(show_spinner=False, max_entries=32)
def _reconstructions(dataset: str, n: int, n_eval: int, loss: str, epochs: int, member: int, samples: int):
    parts = _class_parts(dataset, n, n_eval)
    fleet, _ = runs.simex(parts, loss, epochs, cached_only=True)
    model = fleet.model("auto")
    inputs = [images[:samples] for images in parts.evaluate]
    return inputs, [reconstruct(model, x, member) for x in inputs]


def _delta_downloads(name: str, delta: np.ndarray, names: Sequence[str], computed_on: dict) -> None:
    """CSV and JSON of a Δ matrix: what it was ``computed_on``, the page's sizes and epochs, and its axes."""
    sizes = {"n": n, "n_eval": n_eval, "epochs": epochs}
    axes = {"rows": DELTA_AXES["y_title"], "columns": DELTA_AXES["x_title"]}
    table_downloads(name, delta, {**computed_on, **sizes, **axes}, index=names, columns=names)


def _compute_button(
    what: str, cli: str, key: str, compute: Callable[[Progress], object], seconds: float | None = None
) -> None:
    """Say that ``what`` is not cached, how to precompute it and how long it takes, and offer to compute it here."""
    cost = (
        ""
        if seconds is None
        else f" Training here takes about {seconds:.0f} s (scaled from the last run measured on this machine); "
        "Stop (top right) cancels it and leaves no partial result."
    )
    st.info(
        f"{what[0].upper()}{what[1:]} is not in the cache at these settings. Precompute it with `{cli}`, or train "
        f"it here.{cost}"
    )
    if st.button(f"Train {what}", key=key):
        with st.status(f"Training {what}…", expanded=True) as status:
            bar = st.progress(0.0, text="loading data")

            def progress(done: int, total: int, stage: str = "") -> None:
                epoch = min(epochs, 1 + done * epochs // max(total, 1))
                bar.progress(done / total, text=f"epoch {epoch} of {epochs} (step {done} of {total})")

            compute(progress)
            status.update(label=f"{what}: done", state="complete")
        st.rerun()


page_intro(
    "SimEx: similarity by a fleet of autoencoders",
    "SimEx (Hwang et al., 2020) trains one small autoencoder A(Y_k) per part Y_k of the known data — one class, or one "
    "dataset. Data X is similar to Y_k when A(Y_k) reconstructs it well: Δ(X | Y_k) is the mean reconstruction error of "
    "X's samples through A(Y_k), with the loss it was trained with (MSE, or iSSIM = 1 − SSIM). Each autoencoder has a "
    "LeNet-5 encoder (conv–pool–conv–pool–dense, 84-d bottleneck) and a mirrored decoder; all of a fleet train together "
    "as one batched model (RMSprop, learning rate 2e-4).",
)

with st.container(key="settings"):
    c1, c2, *sizes = st.columns([2, 2, 2, 2, 1.4])
    with c1:
        first = (choose_datasets(["mnist"], 1)[0] or ["mnist"])[0]
        dataset = st.selectbox(
            "Dataset (sections a, b, d)",
            CLASS_DATASETS,
            index=CLASS_DATASETS.index(first),
            key="dataset",
            bind="query-params",
        )
    with c2:
        loss = st.radio("Loss", LOSSES, format_func=LOSS_LABELS.get, key="loss", bind="query-params", horizontal=True)
    n, n_eval, epochs = number_row((N_TRAIN, N_EVAL, EPOCHS), sizes)


def _untrained_warning(fleet, names, key: str) -> None:
    """Name the members whose training loss never fell below their mean image's; they are left out of orderings."""
    if fleet.untrained_members:
        bad = ", ".join(f"**{names[k]}**" for k in fleet.untrained_members)
        with st.container(key=key):  # one per fleet: a page can warn about several
            st.warning(
                f"These autoencoders did not train: {bad} (final training loss not below 97 % of the loss of their "
                "training images' mean image). Their columns are left out of every ordering and ρ on this page."
            )


status = dataset_status([dataset])[dataset]
between_names, between_missing, between_partial = choose_datasets(list(runs.BETWEEN_DATASETS), 3)
data_notice(
    {**between_missing, **({} if status[0] else {dataset: status[1]})},
    {**between_partial, **({dataset: status[1]} if status[0] and status[1] else {})},
    [name for name in between_names if name in DATASETS and DATASETS[name].bundled],
)


def _full_settings_cached() -> bool:
    """True unless the page is at its default settings and section a's fleet is not in the cache at them."""
    if (n, n_eval, epochs) != (N_TRAIN.default, N_EVAL.default, EPOCHS.default) or not status[0]:
        return True
    try:
        return runs.simex(_class_parts(dataset, n, n_eval), loss, epochs, cached_only=True)[0] is not None
    except DataError:
        return True  # the page says what is wrong with the data below


preview = not _full_settings_cached()
full = (n, n_eval, epochs)
if preview:
    n, n_eval, epochs = PREVIEW
with st.container(key="preview_note"):
    if preview:
        st.warning(
            f"**Preview: {n} training and {n_eval} held-out images per part, {epochs} epochs**, trained on this server "
            f"when the page first opened. The settings above ({full[0]} and {full[1]} images, {full[2]} epochs) are not "
            f"in the cache: precompute them with `python -m dsviz simex {dataset} --loss {loss}` (and `--per dataset` "
            f"for section c), or change a setting to train it here. Below {runs.DEFAULT_EPOCHS} epochs Δ orderings "
            "change from seed to seed (SimEx §5.2; section d)."
        )
    elif epochs < runs.DEFAULT_EPOCHS:
        st.warning(
            f"**Fast preview: {epochs} epochs.** SimEx §5.2 measured that orderings settle at {runs.DEFAULT_EPOCHS} "
            f"epochs (RMSprop, lr 2e-4); below that, Δ orderings change from seed to seed (see section d)."
        )

st.header("a · Classes within a dataset")
fleet = parts = None
if not status[0]:
    st.caption(f"{dataset} is not available: pick another dataset above.")
else:
    try:
        parts = _class_parts(dataset, n, n_eval)
    except DataError as exc:
        st.error(str(exc))
    if parts is not None:
        fleet, _ = runs.simex(parts, loss, epochs, cached_only=True)
        if fleet is None and preview:
            fleet = shared(
                ("simex-preview", "class", dataset, loss, n, n_eval, epochs),
                f"Training the preview: the {dataset} fleet ({len(parts.names)} autoencoders, {epochs} epochs)",
                lambda progress: runs.simex(parts, loss, epochs, progress=progress)[0],
            )
        if fleet is None:
            _compute_button(
                f"the {dataset} {LOSS_LABELS[loss]} fleet ({len(parts.names)} autoencoders)",
                f"python -m dsviz simex {dataset} --loss {loss} --epochs {epochs} --n {n} --n-eval {n_eval}",
                "train_class_fleet",
                lambda progress: runs.simex(parts, loss, epochs, progress=progress),
                runs.estimate_seconds(parts, loss, epochs),
            )
if fleet is not None:
    _untrained_warning(fleet, parts.names, "untrained_warning")
    baseline = sample_mse_matrix(parts.evaluate, parts.train)
    ok = fleet.trained_mask
    rho = ordering_agreement(fleet.delta[:, ok], baseline[:, ok]) if ok.sum() >= 2 else float("nan")
    left, right = st.columns(2)
    with left:
        delta_title = f"SimEx Δ ({LOSS_LABELS[loss]})"
        show_chart(square_heatmap(fleet.delta, parts.names, delta_title, DELTA_AXES), "delta_heatmap")
    with right:
        base_title = "Sample-space baseline: mean pairwise MSE"
        show_chart(square_heatmap(baseline, parts.names, base_title, SAMPLE_AXES), "baseline_heatmap")
    _delta_downloads(f"SimEx delta {dataset} {loss}", fleet.delta, parts.names, {"dataset": dataset, "loss": loss})
    with st.container(key="metric_rho"):
        st.metric(
            "Spearman ρ, Δ vs. baseline (row orderings, mean over rows)",
            f"{rho:.3f}" if np.isfinite(rho) else "—",
            help=None if np.isfinite(rho) else f"not computed: {int(ok.sum())} of the autoencoders trained, 2 needed",
        )
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
normalize = st.toggle(
    "Normalize Δ by each reference dataset's mean L2 norm (SimEx §5.3)", key="norm", bind="query-params"
)
dfleet = daad = dparts = None
try:
    dparts = _dataset_parts(tuple(between_names), n, n_eval)
except DataError as exc:
    st.error(str(exc))
if dparts is not None:
    dfleet, _ = runs.simex(dparts, loss, epochs, cached_only=True)
    daad, _ = runs.aad(dparts, epochs, cached_only=True)
    if (dfleet is None or daad is None) and preview:
        dfleet, daad = shared(
            ("simex-preview", "dataset", tuple(dparts.names), loss, n, n_eval, epochs),
            f"Training the preview: the between-dataset fleet and the AAD autoencoder ({epochs} epochs)",
            lambda progress: (
                runs.simex(dparts, loss, epochs, progress=progress)[0],
                runs.aad(dparts, epochs, progress=progress)[0],
            ),
        )
    if dfleet is None or daad is None:

        def _train_between(progress: Progress) -> None:
            if dfleet is None:
                runs.simex(dparts, loss, epochs, progress=progress)
            if daad is None:
                runs.aad(dparts, epochs, progress=progress)

        _compute_button(
            " and ".join(
                w
                for w, missing in (
                    (f"the between-dataset {LOSS_LABELS[loss]} fleet", dfleet is None),
                    ("the AAD autoencoder", daad is None),
                )
                if missing
            ),
            f"python -m dsviz simex {' '.join(between_names)} --per dataset --loss {loss} --epochs {epochs} "
            f"--n {n} --n-eval {n_eval}" + (" --agreement" if loss == "mse" else ""),
            "train_dataset_fleet",
            _train_between,
            runs.estimate_seconds(dparts, loss, epochs, with_aad=True),
        )
retrain, retrain_unavailable = None, None
if dparts is not None:
    try:
        retrain = _cached_retrain(tuple(dparts.names), str(default_cache_dir()))
    except DataError as exc:  # e.g. the bundled datasets hold fewer images than the 5:1 budget needs
        retrain_unavailable = f"The retraining baseline cannot run on these datasets: {exc}."
if dfleet is not None:
    _untrained_warning(dfleet, dparts.names, "untrained_warning_between")
    dbase = sample_mse_matrix(dparts.evaluate, dparts.train)
    st.subheader("Fig. 4 · SimEx, the sample space and retraining, between datasets")
    fa, fb, fc = st.columns(3)
    shown = dfleet.normalized_delta() if normalize else dfleet.delta
    with fa:
        title = f"(a) SimEx Δ ({LOSS_LABELS[loss]}{', normalized' if normalize else ''})"
        show_chart(square_heatmap(shown, dparts.names, title, DELTA_AXES), "between_heatmap")
    with fb:
        base_title = "(b) sample space: mean pairwise MSE"
        show_chart(square_heatmap(dbase, dparts.names, base_title, SAMPLE_AXES), "between_baseline_heatmap")
    with fc:
        if retrain is not None:
            retrain_title = "(c) retraining: normalized accuracy"
            show_chart(retrain_heatmap(retrain.accuracy, dparts.names, retrain_title), "retrain_heatmap")
        elif retrain_unavailable is not None:
            st.info(retrain_unavailable)
        else:
            _compute_button(
                "the retraining baseline (LeNet-5 per dataset, FC layers retrained on each other)",
                f"python -m dsviz simex {' '.join(between_names)} --per dataset --retrain-baseline",
                "train_retrain",
                lambda progress: _compute_retrain(list(dparts.names), progress),
            )
    _delta_downloads(
        f"SimEx delta between datasets {loss}{' normalized' if normalize else ''}",
        shown,
        dparts.names,
        {"datasets": list(dparts.names), "loss": loss, "normalized": bool(normalize)},
    )
    st.caption(
        "(c) follows SimEx §5.1: a LeNet-5 per dataset (EMNIST letters: its first 10 classes, a–j), convolution layers "
        "frozen, fully connected layers re-initialised and trained on each dataset (column = base, row = data), test "
        "accuracy divided by the base network's own test accuracy. Normalized Δ (toggle) divides column k by the mean L2 "
        f"norm of A(Y_k)'s images ({', '.join(f'{p} {v:.1f}' for p, v in zip(dparts.names, dfleet.ref_norm, strict=True))})."
    )
    if retrain is not None:
        ok = dfleet.trained_mask
        rho_simex = spearman_per_base(dfleet.delta, retrain.accuracy, ok)
        rho_sample = spearman_per_base(dbase, retrain.accuracy)

        def _order(column: np.ndarray, larger_is_closer: bool) -> str:
            idx = np.argsort(-column if larger_is_closer else column, kind="stable")
            return ", ".join(SHORT.get(dparts.names[i], dparts.names[i]) for i in idx)

        table = pd.DataFrame(
            {
                "base dataset": dparts.names,
                "ρ SimEx vs. retraining (ours)": ["—" if not np.isfinite(v) else f"{v:.2f}" for v in rho_simex],
                "ρ sample space vs. retraining (ours)": ["—" if not np.isfinite(v) else f"{v:.2f}" for v in rho_sample],
                "order by SimEx (ours)": [
                    _order(dfleet.delta[:, k], False) if ok[k] else "not trained" for k in range(len(ok))
                ],
                "order by retraining (ours)": [_order(retrain.accuracy[:, k], True) for k in range(len(ok))],
                "order by SimEx (paper)": [PAPER_ORDER_M if name == "mnist" else "—" for name in dparts.names],
            }
        )
        st.subheader("Table 1 · Spearman ρ between SimEx's and retraining's ordering, per base dataset")
        with st.container(key="table1"):
            st.table(table.set_index("base dataset"))
        st.caption(
            f"Ours: {dfleet.settings.get('epochs', epochs):.0f} epochs, {n} images per dataset, seed 0; retraining: "
            f"{retrain.config.n_train} training and {retrain.config.n_test} test images per dataset, {retrain.config.epochs} "
            "epochs, Adam lr 1e-3. The paper's per-base ρ values could not be read offline here; its text gives A(M)'s "
            f"order {PAPER_ORDER_M} (M = MNIST, R = rotated, B = background, F = Fashion, E = EMNIST). "
            + table1_findings(dparts.names, dfleet.delta, ok, retrain.accuracy, rho_simex, rho_sample, SHORT)
        )
        retrain_evidence(retrain, dfleet.delta, ok, dbase, SHORT)
if daad is not None:
    aad_axes = {"x_title": "dataset", "y_title": "dataset"}
    aad_figure = square_heatmap(daad.matrix, dparts.names, "AAD: distance of mean latent codes", aad_axes, fmt=".2f")
    show_chart(aad_figure, "aad_heatmap")
    st.caption(
        "AAD trains one autoencoder on all five datasets and measures ‖mean code of A − mean code of B‖. "
        f"Trained in {daad.seconds:.0f} s"
        + (f" (the SimEx fleet: {dfleet.seconds:.0f} s)." if dfleet is not None else ".")
    )

st.header("d · How the orderings settle during training")
curves = {}
if fleet is not None:
    curves[f"{dataset}, per class"] = settling_curve(fleet.history)
if dfleet is not None:
    curves["between datasets"] = settling_curve(dfleet.history)
if curves:
    show_chart(settling_figure(curves), "settling")
    st.caption(
        "After every epoch Δ is measured again; each point is Spearman ρ between that epoch's row orderings and the "
        "final ones, averaged over rows (the SimEx paper's Figure 6). It reaching ~1 early means a few epochs already "
        "give the final answer."
    )
else:
    st.info("Train a fleet above to see how its orderings settle.")

if dparts is not None:
    seeded = runs.seed_fleets(tuple(between_names), SEEDS, loss, epochs, n=n, n_eval=n_eval)
    if seeded:
        curve = settling_against_baseline(seeded, retrain)
        st.subheader("Fig. 6a · ρ against the baseline over training, between datasets")
        show_chart(
            settling_band_figure(
                curve["epochs"],
                curve["mean"],
                curve["std"],
                curve["per_seed"],
                reference=curve["reference"],
                paper=PAPER_SETTLED,
            ),
            "settling_baseline",
        )
        stability = seed_stability([f.delta for _, f in seeded], [f.trained_mask for _, f in seeded])
        st.caption(
            f"Each epoch's Δ ordering against the {curve['reference']} baseline ({'mean of Table 1' if retrain is not None else 'mean row ρ'}), "
            f"for the {len(seeded)} cached seed(s) of {', '.join(str(int(f.settings['seed'])) for _, f in seeded)} (grey) and their mean ± "
            f"standard deviation. The star is the paper's measured point of convergence (ρ = {PAPER_SETTLED[1]} at "
            f"{PAPER_SETTLED[0]} epochs)."
        )
        if np.isfinite(stability) and stability < STABLE_RHO:
            with st.container(key="unstable_warning"):
                st.warning(
                    f"**Orderings are not stable across seeds**: the {len(seeded)} fleets' Δ orderings agree at mean "
                    f"ρ = {stability:.2f} (< {STABLE_RHO}). Train longer (the paper settles at {runs.DEFAULT_EPOCHS} epochs) "
                    "before reading an ordering off one fleet."
                )
        elif np.isfinite(stability):
            st.caption(f"The {len(seeded)} seeds' orderings agree at mean ρ = {stability:.2f}.")
        if "mnist" in dparts.names:
            m = dparts.names.index("mnist")
            rows = []
            for sp, f in seeded:
                col = f.delta[:, m]
                order = np.argsort(col, kind="stable")
                rows.append(
                    {
                        "seed": int(f.settings["seed"]),
                        "A(M) order, most similar first": ", ".join(SHORT.get(sp.names[i], sp.names[i]) for i in order),
                        **{f"Δ({SHORT.get(p, p)}|M)": round(float(v), 4) for p, v in zip(sp.names, col, strict=True)},
                    }
                )
            st.markdown(f"**Δ(·|M) over seeds** (paper: {PAPER_ORDER_M})")
            with st.container(key="mnist_orderings"):
                st.table(pd.DataFrame(rows).set_index("seed"))

st.header("e · Table 2 · Inter-class similarity against confusion (MNIST)")
if dataset != "mnist":
    st.info("The confusion baseline of SimEx §5.4 is computed for MNIST: choose mnist above.")
else:
    cparts = _class_parts("mnist", CONFUSION_N, n_eval)
    cfleet, _ = runs.simex(cparts, loss, epochs, cached_only=True)
    confusion, _ = confusion_baseline("mnist", cached_only=True)
    if cfleet is None or confusion is None:

        def _train_confusion(progress: Progress) -> None:
            runs.simex(cparts, loss, epochs, progress=progress)
            confusion_baseline("mnist", progress=progress)

        _compute_button(
            f"the MNIST fleet ({CONFUSION_N} images per class) and the ten leave-one-class-out LeNet-5s",
            f"python -m dsviz simex mnist --per class --n {CONFUSION_N} --n-eval {n_eval} --loss {loss} --epochs {epochs} "
            "--confusion-baseline",
            "train_confusion",
            _train_confusion,
        )
    else:
        _untrained_warning(cfleet, cparts.names, "untrained_warning_confusion")
        cbase = sample_mse_matrix(cparts.evaluate, cparts.train)
        masked = np.where(cfleet.trained_mask[None, :], cfleet.delta, np.nan)
        r_simex, r_sample = confusion_spearman(masked, confusion.matrix), confusion_spearman(cbase, confusion.matrix)
        left, right = st.columns([3, 2])
        with left:
            confusion_figure = square_heatmap(
                confusion.matrix,
                confusion.classes,
                "Fig. 8 · confusion of a left-out class (LeNet-5 trained on the other nine)",
                {"x_title": "confused with", "y_title": "left-out class"},
                similarity=True,
                fmt=".2f",
            )
            show_chart(confusion_figure, "confusion_heatmap")
        with right:
            table = pd.DataFrame(
                {
                    "similarity": ["SimEx Δ", "sample space (mean pairwise MSE)"],
                    "mean ρ vs. LeNet-5 confusion (ours)": [
                        f"{np.nanmean(r):.2f}" if np.isfinite(r).any() else "—" for r in (r_simex, r_sample)
                    ],
                    "ResNet-18 confusion": [resnet_confusion_cell(resolve_device("auto"))] * 2,
                }
            )
            with st.container(key="table2"):
                st.table(table.set_index("similarity"))
            st.caption(
                f"Per class c: Spearman ρ over the nine other classes j between −Δ(c | A(j)) (or −MSE) and the mean softmax "
                f"mass the network trained without c gives j for c's test images; mean over c. SimEx fleet: {CONFUSION_N} "
                f"images per class, {epochs} epochs; classifiers: {confusion.config.n_per_class} images per class, "
                f"{confusion.config.epochs} epochs (9-class accuracies {confusion.accuracy.min():.2f}–{confusion.accuracy.max():.2f}). "
                "The paper's Table 2 values could not be read offline here."
            )
