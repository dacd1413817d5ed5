"""The article's one-pixel figures: its transcribed charts and quoted counts, and the same figures measured on ours.

L. France, "Distinguishing pairs of classes on MNIST and Fashion-MNIST with just one pixel"
(2021-04-05, lucaf.eu), section "Machine learning with one pixel"; charts from
GitHub lucafrance/lucafrance.github.io.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def chart_value(accuracy: float) -> float:
    """The number the article's heatmap prints for an accuracy.

    ``evaluate_models.py`` saves the accuracies with ``np.savetxt(fmt="%.4f")`` and
    ``visualizations.py`` annotates ``sns.heatmap(annot=True)`` with seaborn's default
    format ``".2g"``: two decimals for values in [0.1, 1), ``1`` for 1.0.
    """
    return float(format(float(f"{accuracy:.4f}"), ".2g"))


@dataclass(frozen=True)
class ArticleCounts:
    """The figures the article quotes about one dataset's one-pixel table (``None``: not stated).

    Attributes:
        at_least: ``{0.9: pairs, 0.95: pairs}`` with chart value at or above the level.
        top_pairs: the pairs at or above 0.95 (the article lists MNIST's).
        best, worst: ``(i, j, chart value)`` of the best and worst pair.
        strong_classes: classes at or above 0.95 against at least ``min_partners`` others.
        min_partners: that number of other classes (six in the article).
    """

    at_least: dict[float, int | None]
    top_pairs: tuple[tuple[int, int], ...] | None
    best: tuple[int, int, float] | None
    worst: tuple[int, int, float] | None
    strong_classes: tuple[int, ...] | None
    min_partners: int = 6


ARTICLE_FIGURES: dict[str, ArticleCounts] = {
    # L. France, "Distinguishing pairs of classes on MNIST and Fashion-MNIST with just one pixel"
    # (2021-04-05, lucaf.eu), section "Machine learning with one pixel": the figures its prose quotes.
    "mnist": ArticleCounts(
        at_least={0.9: 15, 0.95: 3},
        top_pairs=((0, 1), (0, 4), (1, 8)),
        best=(0, 1, 0.99),
        worst=(3, 5, 0.76),
        strong_classes=(),  # "less often the case in MNIST: only three pairs have at least 0.95"
    ),
    "fashion-mnist": ArticleCounts(
        at_least={0.9: 33, 0.95: None},
        top_pairs=None,
        best=(1, 7, 0.99),
        worst=(4, 6, 0.67),
        strong_classes=(5, 7, 8, 9),
    ),
}
"""What the article's prose reports, by dataset name, to show beside :func:`article_counts`."""

ARTICLE_CHARTS: dict[str, tuple[str, ...]] = {
    # The same article's heatmaps (assets/2021/mnist-pairwise-one-pixel/accuracy_1px_pairwise_{mnist,fashion}.png
    # of GitHub lucafrance/lucafrance.github.io), read off cell by cell: row i holds pairs (i, i+1..9).
    "mnist": (
        ".99 .87 .9 .95 .84 .85 .88 .94 .94",
        ".89 .92 .94 .89 .92 .96 .9 .94",
        ".85 .86 .86 .84 .87 .82 .86",
        ".86 .76 .87 .9 .83 .84",
        ".79 .87 .87 .83 .83",
        ".85 .84 .8 .81",
        ".9 .89 .89",
        ".9 .8",
        ".79",
    ),
    "fashion-mnist": (
        ".92 .93 .88 .9 .97 .78 .98 .91 .97",
        ".97 .93 .95 .98 .93 .99 .94 .98",
        ".94 .77 .98 .73 .98 .9 .99",
        ".89 .95 .85 .97 .91 .97",
        ".98 .67 .98 .91 .98",
        ".97 .76 .88 .82",
        ".97 .88 .98",
        ".9 .89",
        ".95",
    ),
}
"""The article's published accuracy charts (test split, two decimals), upper triangles by row."""


def article_chart(name: str) -> np.ndarray | None:
    """K x K symmetric matrix of the article's chart for ``name`` (NaN diagonal); None when it has none."""
    rows = ARTICLE_CHARTS.get(name)
    if rows is None:
        return None
    k = len(rows) + 1
    chart = np.full((k, k), np.nan)
    for i, row in enumerate(rows):
        values = [float(v) for v in row.split()]
        if len(values) != k - 1 - i:
            raise ValueError(f"article chart of {name}: row {i} has {len(values)} values, expected {k - 1 - i}")
        chart[i, i + 1 :] = chart[i + 1 :, i] = values
    return chart


def article_counts(
    accuracy: np.ndarray,
    levels: tuple[float, ...] = (0.9, 0.95),
    strong_level: float = 0.95,
    min_partners: int = 6,
) -> ArticleCounts:
    """The article's figures measured on a K x K accuracy matrix, on its chart values (:func:`chart_value`).

    Pairs ``i < j`` with a finite accuracy count. Pairs at or above each level, the pairs at
    or above ``strong_level``, the best and worst pair (ranked by accuracy, first pair among
    ties, reported as chart values), and the classes whose chart value reaches
    ``strong_level`` against at least ``min_partners`` others.
    """
    k = len(accuracy)
    pairs = [(i, j) for i in range(k) for j in range(i + 1, k) if np.isfinite(accuracy[i, j])]
    shown = {(i, j): chart_value(accuracy[i, j]) for i, j in pairs}
    ranked = sorted(pairs, key=lambda ij: -accuracy[ij])
    partners = np.zeros(k, dtype=int)
    for (i, j), value in shown.items():
        if value >= strong_level:
            partners[i] += 1
            partners[j] += 1
    return ArticleCounts(
        at_least={level: sum(v >= level for v in shown.values()) for level in levels},
        top_pairs=tuple(ij for ij in ranked if shown[ij] >= strong_level),
        best=(*ranked[0], shown[ranked[0]]) if ranked else None,
        worst=(*ranked[-1], shown[ranked[-1]]) if ranked else None,
        strong_classes=tuple(int(c) for c in np.flatnonzero(partners >= min_partners)),
        min_partners=min_partners,
    )


@dataclass(frozen=True)
class ChartAgreement:
    """Cell-by-cell comparison of our chart values with the article's chart.

    Attributes:
        equal: pairs whose two-decimal value is the same.
        n_pairs: pairs compared (finite in both).
        max_gap: largest absolute difference of chart values.
        mean_gap: mean signed difference, ours minus the article's.
    """

    equal: int
    n_pairs: int
    max_gap: float
    mean_gap: float


def chart_agreement(accuracy: np.ndarray, chart: np.ndarray) -> ChartAgreement:
    """Compare :func:`chart_value` of ``accuracy`` with the article's ``chart`` over pairs ``i < j``."""
    k = len(chart)
    gaps = [
        round(chart_value(accuracy[i, j]) - chart[i, j], 2)
        for i in range(k)
        for j in range(i + 1, k)
        if np.isfinite(accuracy[i, j]) and np.isfinite(chart[i, j])
    ]
    if not gaps:
        return ChartAgreement(0, 0, float("nan"), float("nan"))
    return ChartAgreement(
        equal=int(sum(g == 0 for g in gaps)),
        n_pairs=len(gaps),
        max_gap=float(max(abs(g) for g in gaps)),
        mean_gap=float(np.mean(gaps)),
    )
