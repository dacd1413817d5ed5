"""Augmentations: transform MNIST, compare it with USPS, and check OTDD against measured transfer.

Without MNIST and USPS in the data folder, the bundled ``mnist-5k`` is transformed against the
bundled ``digits`` (the page says so); the transferability study needs the real pair.
"""

from __future__ import annotations

import ui.cold_start  # noqa: F401 - first, before any other import: ui/cold_start.py says why

# isort: split
import numpy as np
import pandas as pd
import streamlit as st

from dsviz import methods
from dsviz.data import DataError, availability
from dsviz.data.transforms import TRANSFORMS
from dsviz.figures.augmentations import augmentations_payload
from dsviz.figures.images import image_grid
from dsviz.runtime.cache import Cache, default_cache_dir
from dsviz.runtime.device import resolve_device
from dsviz.studies.augment_otdd import TransformedPair, load_pair, transformed_otdd
from dsviz.studies.transfer import (
    DEFAULT_SETTINGS,
    PAPER_PEARSON_R,
    TransferConfig,
    TransferStudy,
    estimate_study_seconds,
    load_seed_data,
    most_seeded_study,
    protocol_settings,
    transfer_study,
)
from dsviz.studies.transfer_stats import interval_sentence, leave_one_out_pearson, power_sentence
from ui.augment_plots import transfer_scatter_figure
from ui.correlation_metrics import correlation_metrics
from ui.data_notice import data_notice
from ui.estimates import time_estimate
from ui.export import clickable_chart, otdd_table_downloads, table_downloads
from ui.figure_component import download_figure_button, show_figure
from ui.navigation import require_app_navigation

N_PER_SIDE = 1000
SEED = 0
# The in-page study: the default settings and seeds with a much smaller training budget.
SMALL_STUDY = TransferConfig(
    pretrain_n=2000, pretrain_epochs=1, finetune_per_class=50, finetune_epochs=5, seeds=(0, 1, 2)
)


REAL = ("mnist", "usps")
BUNDLED = ("mnist-5k", "digits")
LABELS = {"mnist": "MNIST", "usps": "USPS", "mnist-5k": "mnist-5k", "digits": "digits"}
DESCRIBED = {
    REAL: ("MNIST (train)", "USPS (train, resized to 28×28)"),
    BUNDLED: (
        "The bundled **mnist-5k** (the first 500 MNIST training images of each digit)",
        "the bundled **digits** (UCI handwritten digits, 8×8 brought to MNIST's 28×28 layout; in place of "
        "MNIST and USPS, which are not in the data folder)",
    ),
}


@st.cache_resource(show_spinner=False)
def _pair(names: tuple[str, str]):
    return load_pair(N_PER_SIDE, SEED, source=names[0], target=names[1])


@st.cache_resource(show_spinner=False)
def _memo() -> dict[tuple[str, str, str, float], TransformedPair]:
    """Results already read or computed in this server process, by (source, target, transform, magnitude)."""
    return {}


def _about(names: tuple[str, str], count: int) -> str:
    """How long ``count`` OTDDs of the pair take, from the last one measured here ("" if never measured)."""
    src, tgt = _pair(names)
    seconds = methods.estimate_seconds(methods.get("otdd-exact"), [(len(src.labels), len(tgt.labels))] * count)
    if seconds is None:
        return ""
    return f", about {seconds:.0f} s (from the last one measured here; Stop cancels, nothing partial is cached)"


def _grid(names: tuple[str, str], transform: str) -> list[TransformedPair]:
    """Every magnitude of ``transform``: from memory, else the disk cache, else computed under a progress bar."""
    pair = _pair(names)
    grid = [float(m) for m in TRANSFORMS[transform].grid]
    memo = _memo()
    for m in grid:  # what is on disk is read first, so the estimate counts only what is computed
        if (*names, transform, m) not in memo:
            found = transformed_otdd(transform, m, n=N_PER_SIDE, seed=SEED, pair=pair, compute=False)
            if found is not None:
                memo[(*names, transform, m)] = found
    missing = [m for m in grid if (*names, transform, m) not in memo]
    if missing:
        about = _about(names, len(missing))
        bar = st.progress(0.0, text=f"Computing OTDD at {len(missing)} magnitudes{about}")
        for k, m in enumerate(missing):
            bar.progress(k / len(missing), text=f"Computing OTDD: magnitude {m:g} ({k + 1} of {len(missing)}){about}")
            memo[(*names, transform, m)] = transformed_otdd(transform, m, n=N_PER_SIDE, seed=SEED, pair=pair)
        bar.empty()
    return [memo[(*names, transform, m)] for m in grid]


@st.cache_resource(show_spinner=False, max_entries=32)
def _payload(names: tuple[str, str], transform: str) -> dict:
    """The explorer's data for every magnitude of ``transform`` (built once per server process)."""
    states = {found.magnitude: found for found in _grid(names, transform)}
    return augmentations_payload(
        _pair(names),
        [transform],
        n=N_PER_SIDE,
        seed=SEED,
        compute=lambda _t, m: states[m],
        names=(LABELS[names[0]], LABELS[names[1]]),
    )


def _url_magnitude(grid: tuple[float, ...]) -> float:
    """``?magnitude=`` when it is on ``grid``, else the grid's first magnitude (0, the identity)."""
    try:
        value = float(st.query_params.get("magnitude", grid[0]))
    except ValueError:
        return float(grid[0])
    return value if value in grid else float(grid[0])


@st.cache_data(show_spinner=False, max_entries=64)
def _setting_grid(index: int, config: TransferConfig) -> np.ndarray:
    data = load_seed_data(config, 0)
    images = DEFAULT_SETTINGS[index].apply(data.mnist.images, 0, "auto")
    return image_grid(images, data.mnist.labels)


PROTOCOL_NOTE = (
    "**From the sources** (the paper's Sec. 6 and the MSR blog): MNIST transformed, pretrain, fine-tune on USPS, "
    "relative drop in test error vs a from-scratch baseline, Pearson r with its p-value; the network is the "
    "authors' LeNet-5 (their code, `otdd/pytorch/nets.py`), whose classifier their code re-initialises for "
    "fine-tuning. **Not recoverable here**: the paper's full text could not be read beyond its opening in this "
    "environment, so its exact list of transformations and magnitudes, sample sizes, epochs and number of seeds "
    "are not checked; the transformations are dsviz's fixed grid (chosen before any result, never tuned), and the "
    "budget is the one this page has always used."
)


def verdict(study: TransferStudy, corr: dict) -> str:
    """One paragraph: does the measured correlation reproduce the paper's, and what drives it."""
    r, p = corr["pearson_r"], corr["pearson_p"]
    if not np.isfinite(r):
        return "The correlation is undefined for this study (too few settings or constant values)."
    loo = leave_one_out_pearson(study.otdd, study.drop_mean)
    worst = int(np.nanargmin(loo)) if np.isfinite(loo).any() else None
    noise = float(np.mean(study.drop_std))
    spread = float(np.std(study.drop_mean, ddof=1))
    strong = r <= -0.7 and p < 0.05
    head = (
        f"**Reproduced**: r = {r:.2f} (p = {p:.2g}) against the paper's {PAPER_PEARSON_R}."
        if strong
        else f"**Not reproduced at the paper's strength**: measured r = {r:.2f} (p = {p:.2g}), Spearman ρ = "
        f"{corr['spearman_rho']:.2f} (95 % interval [{corr['spearman_rho_ci_low']:.2f}, "
        f"{corr['spearman_rho_ci_high']:.2f}]), against the paper's r = {PAPER_PEARSON_R}."
    )
    parts = [
        head,
        f"Seed-to-seed standard deviation of the drop averages {noise:.1f} % against a spread of "
        f"{spread:.1f} % between settings.",
    ]
    if worst is not None and not strong:
        s = study.settings[worst]
        residual = study.drop_mean[worst] - (corr["slope"] * study.otdd[worst] + corr["intercept"])
        parts.append(
            f"The setting that most weakens the trend is **{s.label}** (OTDD {study.otdd[worst]:.0f}, "
            f"drop {study.drop_mean[worst]:+.1f} %, {residual:+.1f} % from the fitted line: it transfers "
            f"{'better' if residual > 0 else 'worse'} than its OTDD predicts); without it r would be "
            f"{loo[worst]:.2f}. OTDD compares raw pixels, while a network pretrained on the source "
            "keeps only what its convolutions learned, so a transformation can move pixels far "
            "without changing what transfers, or the reverse."
        )
    return " ".join(parts)


@st.cache_data(show_spinner=False, ttl=30)
def _cached_study(config: TransferConfig) -> TransferStudy | None:
    """The cached study or None; rechecked every 30 s so a finished precompute shows up."""
    return transfer_study(DEFAULT_SETTINGS, config, compute=False)


@st.cache_data(show_spinner=False, ttl=30)
def _most_seeded(config: TransferConfig, cache_root: str) -> TransferStudy | None:
    """The study in the cache at ``cache_root`` with ``config``'s budget and the most seeds (any seeds), or None;
    rechecked every 30 s. The folder is part of the key: a server (or test) that switches caches sees its own."""
    return most_seeded_study(DEFAULT_SETTINGS, config, Cache(cache_root))


def study_label(config: TransferConfig) -> str:
    """Which budget and how many seeds the shown study used."""
    return (
        f"Study shown: pretraining on {config.pretrain_n} MNIST images × {config.pretrain_epochs} epochs, fine-tuning "
        f"and from-scratch training on {config.finetune_per_class} USPS images per class × {config.finetune_epochs} "
        f"epochs, OTDD on {config.otdd_n} images per side; {len(config.seeds)} seeds "
        f"({', '.join(map(str, config.seeds))})."
    )


require_app_navigation()
needed = availability()
real = needed["mnist"].available and needed["usps"].available
names = REAL if real else BUNDLED
SRC, TGT = (LABELS[n] for n in names)
st.title(f"Augmentations: {SRC} against {TGT}")
st.caption(
    f"{DESCRIBED[names][0]} goes through one transformation at a chosen magnitude; {DESCRIBED[names][1]} stays "
    "fixed. **OTDD** (Alvarez-Melis & Fusi, NeurIPS 2020) compares the two as labeled datasets: the cost of moving "
    f"one {SRC} image onto one {TGT} image is ‖x − x′‖² plus W₂² between their classes. "
    f"{N_PER_SIDE} class-balanced images per side, seed {SEED}, exact OT. "
    "The Microsoft Research blog on OTDD (2020) shows cropping MNIST making the class coupling more diagonal and "
    "rotating it less so; here that is continuous, and checked against measured transfer below."
)

data_notice(
    {name: needed[name].message for name in REAL if not needed[name].available}, shown_instead=() if real else BUNDLED
)
try:
    pair = _pair(names)
except DataError as exc:
    st.error(f"{SRC} and {TGT} are needed here: {exc}")
    st.stop()

control_col, download_col = st.columns([2, 1], gap="large")
with control_col:
    # Options are shown by name: a bound selectbox writes the shown text into the URL.
    transform = st.selectbox("Transformation", list(TRANSFORMS), key="transform", bind="query-params")
spec = TRANSFORMS[transform]
st.caption(
    f"Every magnitude of {spec.label.lower()} is computed here once (or read from the cache that "
    "`python -m dsviz precompute augment` fills); the magnitude slider then redraws in your browser."
)
payload = dict(_payload(names, transform))
payload["initial"] = {"transform": transform, "magnitude": _url_magnitude(spec.grid)}
view = show_figure("augmentations", payload, key="augmentations") or payload["initial"]
magnitude = float(view["magnitude"]) if view.get("transform") == transform else payload["initial"]["magnitude"]
if magnitude == spec.grid[0]:
    st.query_params.pop("magnitude", None)
else:
    st.query_params["magnitude"] = f"{magnitude:g}"
result = _memo()[(*names, transform, magnitude)].result
aug_settings = {
    "transform": transform,
    "magnitude": magnitude,
    "n": N_PER_SIDE,
    "seed": SEED,
    "otdd": result.otdd,
    "src": names[0],
    "tgt": names[1],
}
with download_col:
    download_figure_button(
        "augmentations",
        {**payload, "initial": {"transform": transform, "magnitude": magnitude}},
        title=f"Augmentations: {SRC} against {TGT}",
        settings={"transformation": transform, "magnitude": magnitude, "images per side": N_PER_SIDE, "seed": SEED},
        provenance={"source": DESCRIBED[names][0], "target": DESCRIBED[names][1], "distance": "OTDD, exact OT"},
        file_name=f"dsviz-augmentations-{transform}.html",
        key="download_augmentations",
    )
otdd_table_downloads(result, f"{transform} {magnitude:g}", aug_settings)
st.caption(
    f"Left: W₂² between the images of {SRC} class y (transformed) and {TGT} class y′; small on the diagonal means "
    f"each digit looks like its {TGT} counterpart. Right: how much of the optimal coupling moves {SRC} class y onto "
    f"{TGT} class y′ (10 % per row when every class goes to its own counterpart)."
)

st.header("Does OTDD predict transfer?")
st.caption(
    "The paper's augmentation experiment (Alvarez-Melis & Fusi, NeurIPS 2020, Sec. 6; the MSR blog's third figure): "
    "for each setting (plain MNIST and 14 transformations), the OTDD authors' LeNet-5 is pretrained on the "
    "transformed MNIST sample; its classifier is replaced by a fresh one and the whole network fine-tuned on a "
    "small labeled USPS sample, then tested on the USPS test split. **Transferability** is the paper's measure, the "
    "*relative drop in test error* brought by pretraining: 100 · (err_scratch − err_finetuned) / err_scratch, where "
    "the scratch network is trained on the same USPS sample alone with the same budget; mean over seeds, error "
    f"bars one standard deviation. The paper reports Pearson r = {PAPER_PEARSON_R} here. "
    "Click a point to see that setting's images."
)

if not real:
    st.info(
        "The transferability study pretrains on MNIST and fine-tunes and tests on USPS (train and test splits), "
        "so it needs the real datasets: `python -m dsviz download mnist usps`, or set `DSVIZ_DATA_DIR`."
    )
    st.stop()

default_config = TransferConfig()
study = _most_seeded(default_config, str(default_cache_dir()))
is_small = False
if study is None:
    study = _cached_study(SMALL_STUDY)
    is_small = study is not None
if study is None:
    device = resolve_device("auto")
    full_time = time_estimate(estimate_study_seconds(DEFAULT_SETTINGS, default_config), device)
    small_time = time_estimate(estimate_study_seconds(DEFAULT_SETTINGS, SMALL_STUDY), device)
    st.info(
        "No transferability results are cached yet. Run `python -m dsviz precompute transfer` "
        f"(defaults: {default_config.pretrain_n} MNIST images × {default_config.pretrain_epochs} epochs of "
        f"pretraining, {default_config.finetune_per_class} USPS images per class × "
        f"{default_config.finetune_epochs} epochs, {len(DEFAULT_SETTINGS)} settings, "
        f"{len(default_config.seeds)} seeds; {full_time}), "
        "then reload this page — or run a small version here "
        f"({SMALL_STUDY.pretrain_n} MNIST images × {SMALL_STUDY.pretrain_epochs} epoch, "
        f"{SMALL_STUDY.finetune_per_class} USPS images per class; "
        f"{small_time})."
    )
    if st.button("Run the small study here", key="run_small_study"):
        with st.status("Running the small transferability study …", expanded=True) as status:
            bar = st.progress(0.0)

            def progress(done: int, total: int, what: str) -> None:
                bar.progress(done / total, text=f"{done} of {total}: {what}")

            study = transfer_study(DEFAULT_SETTINGS, SMALL_STUDY, threads=1, progress=progress)
            status.update(label=f"Small study done in {study.seconds:.0f} s", state="complete")
        _cached_study.clear()
        is_small = True

if study is not None:
    corr = study.correlations()
    if is_small:
        st.warning(
            "Showing the small in-page study (a much smaller training budget); "
            "`python -m dsviz precompute transfer` gives the full one."
        )
    with st.container(key="transfer_study_label"):
        st.caption(study_label(study.config))
    labels = [s.label for s in study.settings]
    selected = st.session_state.get("transfer_scatter")
    points = (selected or {}).get("selection", {}).get("points", [])
    chosen = int(points[0]["customdata"]) if points and "customdata" in points[0] else None
    scatter_col, side_col = st.columns([3, 1], gap="medium")
    with scatter_col:
        clickable_chart(
            transfer_scatter_figure(
                study.otdd, study.drop_mean, study.drop_std, labels, corr["slope"], corr["intercept"], selected=chosen
            ),
            "transfer_scatter",
        )
    table_downloads(
        "transfer study",
        pd.DataFrame(
            {
                "setting": labels,
                "otdd": study.otdd,
                "drop_mean_percent": study.drop_mean,
                "drop_std_percent": study.drop_std,
            }
        ),
        {
            "y": "relative drop in USPS test error, 100 (err_scratch - err_finetuned) / err_scratch, mean and std "
            "over seeds (the chart's y, r and verdict)",
            "config": vars(study.config),
            "small_in_page_study": is_small,
            "correlations": corr,
        },
    )
    with side_col:
        correlation_metrics(corr, PAPER_PEARSON_R)
        st.caption(
            f"Scratch accuracy: {', '.join(f'{100 * a:.1f} %' for a in study.acc_scratch)} "
            f"(seeds {', '.join(map(str, study.config.seeds))}). "
            f"Computed on {', '.join(study.devices)} in {study.seconds / 60:.1f} min."
        )
    st.markdown(verdict(study, corr))
    with st.container(key="transfer_evidence"):
        st.markdown(f"{interval_sentence(corr, PAPER_PEARSON_R)} {power_sentence(study.power(), PAPER_PEARSON_R)}")
    with st.expander("Study settings (what the paper states and what it leaves open)"):
        st.table(
            {
                k: [", ".join(map(str, v)) if isinstance(v, list) else str(v)]
                for k, v in protocol_settings(study.settings, study.config).items()
            }
        )
        st.markdown(PROTOCOL_NOTE)
    if chosen is not None:
        s = study.settings[chosen]
        st.markdown(
            f"**{s.label}**: OTDD {study.otdd[chosen]:.1f}, relative drop in test error "
            f"{study.drop_mean[chosen]:+.1f} ± {study.drop_std[chosen]:.1f} % (accuracy gain "
            f"{100 * study.gain_mean[chosen]:+.2f} points; fine-tuned accuracy "
            f"{', '.join(f'{100 * a:.1f} %' for a in study.acc_finetune[chosen])})"
        )
        st.image(_setting_grid(chosen, study.config), caption=f"Pretraining images of “{s.label}” (seed 0)")
    else:
        st.caption("Click a point in the scatter to see its pretraining images here.")
