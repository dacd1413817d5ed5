"""One pixel per class pair: how well the single best pixel separates two classes.

After "Distinguishing pairs of classes on MNIST and Fashion-MNIST with just one pixel".
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dsviz.data import DATASETS, DataError, availability
from dsviz.onepixel import OnePixelRun, one_pixel_dataset, summarize
from ui.hover_images import hover_images, panel_key
from ui.navigation import require_app_navigation
from ui.onepixel_plots import accuracy_heatmaps, accuracy_panels, mean_difference_figure

DEFAULT_DATASETS = ["mnist", "fashion-mnist"]


@st.cache_resource(show_spinner=False)
def _runs() -> dict[str, OnePixelRun]:
    """Results already read or computed in this server process, by dataset name."""
    return {}


def _run(name: str) -> OnePixelRun | None:
    """The cached fits of ``name`` (computed with a progress bar when missing); None with a warning on error."""
    runs = _runs()
    if name not in runs:
        title = DATASETS[name].title
        slot = st.empty()
        with slot.status(f"{title}: one-pixel fits (read from the cache, or fitted now)…", expanded=True) as status:
            bar = st.progress(0.0)

            def progress(done: int, total: int, what: str) -> None:
                bar.progress(done / max(total, 1), text=f"{done} of {total} class pairs fitted")

            try:
                runs[name] = one_pixel_dataset(name, progress=progress)
            except DataError as exc:
                status.update(label=f"{title}: not available", state="error")
                st.warning(str(exc))
                return None
            status.update(label=f"{title}: done", state="complete")
        slot.empty()
    return runs[name]


require_app_navigation()
st.title("One pixel per class pair")
st.caption(
    "For every pair of classes and every pixel, a logistic regression on that single pixel "
    "(intensity scaled to [0, 1]; scikit-learn's default L2 penalty, C = 1) is fitted on 50,000 training "
    "images; the pixel with the best in-sample accuracy is kept and scored on the other 10,000 "
    "(fixed seed 0). Chance is 0.5. After \"Distinguishing pairs of classes on MNIST and "
    "Fashion-MNIST with just one pixel\"; all 45 × 784 models are fitted at once with batched Newton in torch."
)

status = availability()
usable = [name for name, s in status.items() if s.available]
chosen = st.multiselect(
    "Datasets",
    options=list(DATASETS),
    default=[n for n in DEFAULT_DATASETS if n in usable],
    format_func=lambda n: DATASETS[n].title,
    key="datasets",
    bind="query-params",
    help="Any registered dataset; MNIST and Fashion-MNIST by default, side by side.",
)
for name in chosen:
    if name not in usable:
        st.warning(f"{DATASETS[name].title} is not on disk: {status[name].message}")
    elif status[name].message:
        st.info(f"{DATASETS[name].title}: {status[name].message}")
runs = {DATASETS[n].title: r for n in chosen if n in usable and (r := _run(n)) is not None}
if not runs:
    st.info("Choose at least one available dataset.")
    st.stop()
results = {title: run.result for title, run in runs.items()}

st.subheader("Validation accuracy of the best pixel")
images, panels = accuracy_panels(results)
first = next(iter(results.values()))
worst = summarize(first).ranked[-1]
hover_images(
    accuracy_heatmaps(results),
    images,
    panels,
    key="onepixel_hover",
    initial=panel_key(0, (max(worst[:2]), min(worst[:2]))),
    hint="Hover a cell: the two class means with the chosen pixel boxed in red.",
    height=600,
)
st.caption(
    "Lower triangle: row class vs column class. Colours run from 0.5 (chance) to 1 on one scale for all datasets. "
    + " ".join(
        f"{title}: {run.result.n_fit:,} fitting / {run.result.n_val:,} validation images ({run.split_used} split), "
        f"fitted in {run.result.seconds:.1f} s{' (read from the cache)' if run.cache_hit else ''}."
        for title, run in runs.items()
    )
)

st.subheader("Summary")
columns = st.columns(len(results), gap="large")
for col, (title, res) in zip(columns, results.items(), strict=True):
    summary = summarize(res)
    with col:
        st.markdown(f"**{title}**")
        a, b, c = st.columns(3)
        a.metric("Mean accuracy", f"{sum(r[2] for r in summary.ranked) / max(summary.n_pairs, 1):.3f}")
        b.metric("Pairs ≥ 0.90", f"{summary.at_least[0.9]} / {summary.n_pairs}")
        c.metric("Pairs ≥ 0.95", f"{summary.at_least[0.95]} / {summary.n_pairs}")

        def table(rows: list[tuple[int, int, float]], res=res) -> pd.DataFrame:
            return pd.DataFrame(
                [(f"{res.classes[i]} vs {res.classes[j]}", f"({res.pixel[i, j][0]}, {res.pixel[i, j][1]})", acc,
                  res.train_accuracy[i, j]) for i, j, acc in rows],
                columns=["pair", "pixel (row, col)", "validation", "in-sample"],
            )

        st.markdown("Best pairs")
        st.dataframe(table(summary.ranked[:5]), hide_index=True)
        st.markdown("Worst pairs")
        st.dataframe(table(summary.ranked[::-1][:5]), hide_index=True)
        present = [k for k in range(len(res.classes)) if any(k in r[:2] for r in summary.ranked)]
        st.markdown(
            f"Partners each class is separated from at ≥ {summary.partner_level:.2f} "
            f"(of {len(present) - 1}): "
            + " · ".join(f"{res.classes[k]} **{int(summary.partners[k])}**" for k in present)
        )

st.subheader("Average pixel-density differences")
st.caption(
    "Cell (row a, column b): mean image of class a minus mean image of class b on the [0, 1] scale, over the "
    "fitting images. Red: brighter on average in the row class; blue: in the column class."
)
columns = st.columns(len(results), gap="medium")
for k, (col, (title, res)) in enumerate(zip(columns, results.items(), strict=True)):
    with col:
        st.markdown(f"**{title}**")
        st.plotly_chart(mean_difference_figure(res), key=f"meandiff_{k}", config={"displayModeBar": False})
