"""One pixel per class pair: the best single-pixel logistic regression for every pair of classes.

After "Distinguishing pairs of classes on MNIST and Fashion-MNIST with just one pixel" (L. France, 2021).
:mod:`~dsviz.studies.onepixel.fit` holds the fit, :mod:`~dsviz.studies.onepixel.dataset` runs it on a
named dataset under a protocol (cached), :mod:`~dsviz.studies.onepixel.article` holds the article's
transcribed figures and measures the same figures on ours.
"""

from dsviz.studies.onepixel.article import (
    ARTICLE_CHARTS,
    ARTICLE_FIGURES,
    ArticleCounts,
    ChartAgreement,
    article_chart,
    article_counts,
    chart_agreement,
    chart_value,
)
from dsviz.studies.onepixel.dataset import (
    ESTIMATE_PREFIX,
    PROTOCOL_SENTENCES,
    PROTOCOLS,
    OnePixelRun,
    OnePixelSummary,
    fit_validation_split,
    one_pixel_dataset,
    summarize,
)
from dsviz.studies.onepixel.fit import (
    FEATURE_SCALE,
    LEVELS,
    VAL_FRACTION,
    OnePixelResult,
    class_means,
    fit_logistic_histograms,
    fit_one_pixel,
    fit_one_pixel_published,
    l2_normalized,
    pixel_histograms,
)

__all__ = [
    "ARTICLE_CHARTS",
    "ARTICLE_FIGURES",
    "ESTIMATE_PREFIX",
    "FEATURE_SCALE",
    "LEVELS",
    "PROTOCOLS",
    "PROTOCOL_SENTENCES",
    "VAL_FRACTION",
    "ArticleCounts",
    "ChartAgreement",
    "OnePixelResult",
    "OnePixelRun",
    "OnePixelSummary",
    "article_chart",
    "article_counts",
    "chart_agreement",
    "chart_value",
    "class_means",
    "fit_logistic_histograms",
    "fit_one_pixel",
    "fit_one_pixel_published",
    "fit_validation_split",
    "l2_normalized",
    "one_pixel_dataset",
    "pixel_histograms",
    "summarize",
]
