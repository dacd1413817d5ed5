"""One pixel per class pair: how well the single best pixel separates two classes.

After "Distinguishing pairs of classes on MNIST and Fashion-MNIST with just one pixel"
(L. France, 2021; code: GitHub lucafrance/mnist-pixel). Two protocols: ``published``
(the article's code, the default) and ``heldout`` (a clean split of train).
"""

from __future__ import annotations

import ui.cold_start  # noqa: F401 - first, before any other import: ui/cold_start.py says why

# isort: split
import pandas as pd
import streamlit as st

from dsviz.data import DATASETS, DataError, availability
from dsviz.data.derived import choose_datasets
from dsviz.figures.one_pixel import held_out_name, one_pixel_payload
from dsviz.studies.onepixel import (
    ARTICLE_FIGURES,
    ESTIMATE_PREFIX,
    PROTOCOL_SENTENCES,
    PROTOCOLS,
    ArticleCounts,
    OnePixelResult,
    OnePixelRun,
    article_chart,
    article_counts,
    chart_agreement,
    one_pixel_dataset,
    summarize,
)
from ui.data_notice import data_notice
from ui.export import chart_config, show_chart, table_downloads
from ui.figure_component import download_figure_button, show_figure
from ui.navigation import require_app_navigation
from ui.onepixel_plots import mean_difference_figure

DEFAULT_DATASETS = ["mnist", "fashion-mnist"]
PROTOCOL_LABELS = {"published": "Published (the article's code)", "heldout": "Held-out split of train"}
# Where the article's prose and its code (evaluate_models.py, visualizations.py) differ; the page follows the code.
PROSE_VS_CODE = (
    (
        "Data",
        "“50 000 images in the training set and 10 000 in the validation set”",
        "fits on all 60 000 training images (`train-*` files) and scores on the 10 000 test images (`t10k-*`)",
    ),
    (
        "Pixel values",
        "“a number 0 to 255”",
        'every image L2-normalized as a 784-vector (`preprocessing.normalize(X, norm="l2")`): pixel / ‖image‖',
    ),
    (
        "Model",
        "“the same class vs class logistic regression”",
        '`LogisticRegression(solver="sag")` with its defaults: L2 penalty, C = 1, intercept, max_iter 100, tol 1e-4',
    ),
    (
        "Chart values",
        "accuracies on a 0.5–1 scale",
        "saved with `%.4f`, printed by seaborn's default `.2g`: two decimals",
    ),
)


@st.cache_resource(show_spinner=False)
def _runs() -> dict[tuple[str, str], OnePixelRun]:
    """Results already read or computed in this server process, by (dataset name, protocol)."""
    return {}


def _run(name: str, protocol: str) -> OnePixelRun | None:
    """The cached fits of ``name`` (computed with a progress bar when missing); None with a warning on error."""
    runs = _runs()
    if (name, protocol) not in runs:
        title = DATASETS[name].title
        slot = st.empty()
        with slot.status(
            f"{title}: one-pixel fits, {protocol} protocol (read from the cache, or fitted now)…", expanded=True
        ) as status:
            bar = st.progress(0.0)

            estimate: list[str] = []  # the fit's own "about N s" message, kept beside the count

            def progress(done: int, total: int, what: str) -> None:
                if what.startswith(ESTIMATE_PREFIX):
                    estimate[:] = [f" · {what}"]
                    return
                bar.progress(done / max(total, 1), text=f"{done} of {total} class pairs fitted{''.join(estimate)}")

            try:
                runs[name, protocol] = one_pixel_dataset(name, protocol=protocol, progress=progress)
            except DataError as exc:
                status.update(label=f"{title}: not available", state="error")
                st.warning(str(exc))
                return None
            status.update(label=f"{title}: done", state="complete")
        slot.empty()
    return runs[name, protocol]


def _pair(res: OnePixelResult, found: tuple[int, int, float] | None) -> str:
    return "—" if found is None else f"{res.classes[found[0]]} vs {res.classes[found[1]]} ({found[2]:.2f})"


def _classes(res: OnePixelResult, chosen: tuple[int, ...] | None) -> str:
    return "not stated" if chosen is None else (", ".join(res.classes[c] for c in chosen) or "none")


def _pairs(res: OnePixelResult, chosen: tuple[tuple[int, int], ...] | None, listed: int = 4) -> str:
    """The pairs by name when there are at most ``listed`` of them, else their number."""
    if chosen is None:
        return "not stated"
    if len(chosen) > listed:
        return f"{len(chosen)} pairs"
    return ", ".join(f"{res.classes[i]} vs {res.classes[j]}" for i, j in sorted(chosen)) or "none"


def article_table(res: OnePixelResult, columns: dict[str, ArticleCounts | None]) -> pd.DataFrame:
    """The article's quoted figures (prose, chart) beside ours, at the chart's two decimals; "—" where absent."""

    def column(c: ArticleCounts | None) -> list[str]:
        if c is None:
            return ["—"] * 6
        n = {level: "not stated" if v is None else str(v) for level, v in c.at_least.items()}
        return [
            n[0.9],
            n[0.95],
            _pairs(res, c.top_pairs),
            _pair(res, c.best),
            _pair(res, c.worst),
            _classes(res, c.strong_classes),
        ]

    rows = [
        "pairs ≥ 0.90",
        "pairs ≥ 0.95",
        "pairs ≥ 0.95 (which)",
        "best pair",
        "worst pair",
        "classes ≥ 0.95 against ≥ 6 others",
    ]
    return pd.DataFrame({"figure": rows, **{title: column(c) for title, c in columns.items()}})


require_app_navigation()
st.title("One pixel per class pair")
# The published protocol needs train and test; with only single-split (bundled) data, start held-out.
_both_splits = all(len(availability()[n].counts) == 2 for n in DEFAULT_DATASETS)
protocol = st.segmented_control(
    "Protocol",
    options=list(PROTOCOLS),
    default="published" if _both_splits else "heldout",
    format_func=PROTOCOL_LABELS.get,
    key="protocol",
    bind="query-params",
    help="Published: what the article's code computes (its figures). Held-out: a clean split of train.",
) or ("published" if _both_splits else "heldout")
st.caption(
    f"**{PROTOCOL_LABELS[protocol]}.** {PROTOCOL_SENTENCES[protocol]} For every pair of classes and every pixel, a "
    "logistic regression on that single pixel (scikit-learn's objective, L2 penalty on the slope, C = 1) is fitted; "
    'the pixel with the best in-sample accuracy is kept. Chance is 0.5. After "Distinguishing pairs of classes on '
    'MNIST and Fashion-MNIST with just one pixel" (L. France, 2021); all 45 × 784 models are fitted at once with '
    "batched Newton in torch, to the exact optimum (scikit-learn's sag stops at tol = 1e-4)."
)

status = availability()
usable = [name for name, s in status.items() if s.available]
defaults, default_missing, _ = choose_datasets(DEFAULT_DATASETS, 2)
chosen = st.multiselect(
    "Datasets",
    options=list(DATASETS),
    default=defaults,
    format_func=lambda n: DATASETS[n].title,
    key="datasets",
    bind="query-params",
    help="Any registered dataset; MNIST and Fashion-MNIST by default, side by side.",
)
missing = {**default_missing, **{n: status[n].message for n in chosen if n not in usable}}
data_notice(
    missing,
    {n: status[n].message for n in chosen if n in usable and status[n].message},
    [n for n in chosen if n in usable and DATASETS[n].bundled and n not in DEFAULT_DATASETS],
)
runs = {n: r for n in chosen if n in usable and (r := _run(n, protocol)) is not None}
if not runs:
    st.info("Choose at least one available dataset.")
    st.stop()
results = {DATASETS[n].title: run.result for n, run in runs.items()}
first = next(iter(results.values()))

st.subheader(f"{held_out_name(first).capitalize()} of the best pixel")
worst = summarize(first).ranked[-1]
figure = one_pixel_payload(
    results,
    split_used={DATASETS[n].title: run.split_used for n, run in runs.items()},
    initial=(0, max(worst[:2]), min(worst[:2])),
) | {"filename": chart_config("onepixel_hover")["toImageButtonOptions"]["filename"]}
show_figure("one_pixel", figure, key="onepixel_hover")
download_figure_button(
    "one_pixel",
    figure,
    title=f"One pixel per class pair: {', '.join(results)}",
    settings={"datasets": ", ".join(runs), "protocol": protocol},
    provenance={
        DATASETS[n].title: f"{run.result.n_fit:,} fitting / {run.result.n_val:,} held-out images ({run.split_used})"
        for n, run in runs.items()
    }
    | {"protocol": PROTOCOL_SENTENCES[protocol]},
    file_name=f"dsviz-one-pixel-{'-'.join(runs)}-{protocol}.html",
)
st.caption(
    "Lower triangle: row class vs column class, two decimals as in the article's charts. Colours run from 0.5 "
    "(chance) to 1 on one scale for all datasets. "
    + " ".join(
        f"{DATASETS[n].title}: {run.result.n_fit:,} fitting / {run.result.n_val:,} held-out images "
        f"({run.split_used}), fitted in {run.result.seconds:.1f} s{' (read from the cache)' if run.cache_hit else ''}."
        for n, run in runs.items()
    )
)

for run in runs.values():
    res = run.result
    table_downloads(
        f"one pixel {run.name}",
        pd.DataFrame(
            [
                (
                    res.classes[i],
                    res.classes[j],
                    int(res.pixel[i, j][0]),
                    int(res.pixel[i, j][1]),
                    res.val_accuracy[i, j],
                    res.train_accuracy[i, j],
                    res.threshold[i, j],
                )
                for i in range(len(res.classes))
                for j in range(i)
                if pd.notna(res.val_accuracy[i, j])
            ],
            columns=[
                "class a",
                "class b",
                "pixel row",
                "pixel col",
                "validation accuracy",
                "in-sample accuracy",
                "threshold",
            ],
        ),
        {"dataset": run.name, "split_used": run.split_used, "n_fit": res.n_fit, "n_val": res.n_val, "C": res.C},
        key=f"onepixel_{run.name}",
    )

st.subheader("Summary")
columns = st.columns(len(results), gap="large")
for col, (name, run) in zip(columns, runs.items(), strict=True):
    res = run.result
    summary, ours = summarize(res), article_counts(res.val_accuracy)
    chart = article_chart(name)
    with col:
        st.markdown(f"**{DATASETS[name].title}**")
        a, b, c = st.columns(3)
        a.metric("Mean accuracy", f"{sum(r[2] for r in summary.ranked) / max(summary.n_pairs, 1):.3f}")
        b.metric("Pairs ≥ 0.90", f"{ours.at_least[0.9]} / {summary.n_pairs}")
        c.metric("Pairs ≥ 0.95", f"{ours.at_least[0.95]} / {summary.n_pairs}")
        st.markdown("The article's figures beside ours (two decimals, as its charts)")
        st.table(
            article_table(
                res,
                {
                    "article (prose)": ARTICLE_FIGURES.get(name),
                    "article (chart)": None if chart is None else article_counts(chart),
                    f"ours ({protocol})": ours,
                },
            ).set_index("figure"),
        )
        if chart is None:
            st.caption("The article covers MNIST and Fashion-MNIST only.")
        else:
            agree = chart_agreement(res.val_accuracy, chart)
            st.caption(
                f"Cell by cell, {agree.equal} of {agree.n_pairs} pairs show the same two-decimal value as the "
                f"article's chart (largest gap {agree.max_gap:.2f}, mean ours − article {agree.mean_gap:+.3f})."
                + ("" if protocol == "published" else " The article used the published protocol.")
            )
        held = held_out_name(res)

        def table(rows: list[tuple[int, int, float]], res=res, held=held) -> pd.DataFrame:
            return pd.DataFrame(
                [
                    (
                        f"{res.classes[i]} vs {res.classes[j]}",
                        f"({res.pixel[i, j][0]}, {res.pixel[i, j][1]})",
                        acc,
                        res.train_accuracy[i, j],
                    )
                    for i, j, acc in rows
                ],
                columns=["pair", "pixel (row, col)", held, "in-sample"],
            )

        st.markdown("Best pairs")
        st.dataframe(table(summary.ranked[:5]), hide_index=True)
        st.markdown("Worst pairs")
        st.dataframe(table(summary.ranked[::-1][:5]), hide_index=True)
        present = [k for k in range(len(res.classes)) if any(k in r[:2] for r in summary.ranked)]
        st.markdown(
            f"Partners each class is separated from at ≥ {summary.partner_level:.2f} "
            f"(of {len(present) - 1}, unrounded): "
            + " · ".join(f"{res.classes[k]} **{int(summary.partners[k])}**" for k in present)
        )

with st.expander("Where the article's prose and code differ (the published protocol follows the code)"):
    st.table(pd.DataFrame(PROSE_VS_CODE, columns=["", "article's prose", "article's code (evaluate_models.py)"]))
    st.markdown(
        "scikit-learn's `sag` minimizes the same objective but stops when an epoch changes the weights by less "
        "than tol = 1e-4 (often after 5–30 epochs), and the article's run was unseeded; we fit to the optimum. "
        "On the pairs we checked (3 vs 5 and 0 vs 1 of MNIST, three sag seeds), sag chose the same pixel; its "
        "in-sample accuracy differed by at most two of about 12,000 training images and its test accuracy by at most "
        "one image (0.0005) (measured once, on this machine). The article's prose and its own charts also "
        "disagree in places (the prose and chart columns of the tables above)."
    )

st.subheader("Average pixel-density differences")
st.caption(
    "Cell (row a, column b): mean image of class a minus mean image of class b on the [0, 1] scale of raw pixels, "
    "over the fitting images. Red: brighter on average in the row class; blue: in the column class."
)
columns = st.columns(len(results), gap="medium")
for k, (col, (title, res)) in enumerate(zip(columns, results.items(), strict=True)):
    with col:
        st.markdown(f"**{title}**")
        show_chart(mean_difference_figure(res), f"meandiff_{k}")
