"""Transferability measure and the correlation statistics of the OTDD-vs-transfer figures.

Alvarez-Melis & Fusi, "Geometric Dataset Distances via Optimal Transport"
(NeurIPS 2020), Sec. 6, plot OTDD(source, target) against the *relative drop in
test error* brought by pretraining on the source (the MSR blog on OTDD, 2020:
"relative drop in test error brought by pretraining"; the authors' plotting code,
``otdd/plotting.py::dist_adapt_regplot``, labels its y axis "Relative Drop in Test
Error (%)" and reports Pearson's r with its p-value):

    drop = 100 * (err_scratch - err_finetuned) / err_scratch      (percent)

where ``err = 1 - accuracy`` on the target's test split. Positive: pretraining
helped; 100: it removed every error; negative: it hurt.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

CORRELATION_KEYS = (
    "pearson_r",
    "pearson_p",
    "spearman_rho",
    "spearman_p",
    "spearman_rho_ci_low",
    "spearman_rho_ci_high",
    "slope",
    "intercept",
)
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 0


def relative_error_drop(acc_finetune: np.ndarray, acc_scratch: np.ndarray) -> np.ndarray:
    r"""Relative drop in test error brought by pretraining, in percent ([1]_, Sec. 6).

    .. math::
        \mathrm{drop} = 100 \, \frac{\mathrm{err}_{\mathrm{scratch}} - \mathrm{err}_{\mathrm{ft}}}
            {\mathrm{err}_{\mathrm{scratch}}}, \qquad \mathrm{err} = 1 - \mathrm{acc}

    (the y axis of the authors' ``otdd/plotting.py``), elementwise with broadcasting.

    Parameters
    ----------
    acc_finetune : array-like, float
        Test accuracies after pretraining and fine-tuning, in [0, 1].
    acc_scratch : array-like, float
        Test accuracies of the same network trained on the target sample alone.

    Returns
    -------
    drop : ndarray, float
        Percent; positive when pretraining helped, 100 when it removed every error.

    Raises
    ------
    ValueError
        Where the scratch error is 0 (the drop is undefined).

    References
    ----------
    .. [1] Alvarez-Melis, D., & Fusi, N. (2020). Geometric Dataset Distances via Optimal Transport.
        In Advances in Neural Information Processing Systems 33 (NeurIPS 2020), Sec. 6.
    """
    err_ft = 1.0 - np.asarray(acc_finetune, dtype=float)
    err_scratch = 1.0 - np.asarray(acc_scratch, dtype=float)
    if np.any(err_scratch <= 0):
        raise ValueError("a from-scratch network made no test error: the relative drop is undefined")
    return 100.0 * (err_scratch - err_ft) / err_scratch


def spearman_rows(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    """Spearman's rho along ``axis`` for stacks of samples (the Pearson correlation of average
    ranks, as ``scipy.stats.spearmanr``); 0 where either side is constant (no rank order)."""
    ra, rb = stats.rankdata(a, axis=axis), stats.rankdata(b, axis=axis)
    ra = ra - ra.mean(axis=axis, keepdims=True)
    rb = rb - rb.mean(axis=axis, keepdims=True)
    den = np.sqrt((ra * ra).sum(axis=axis) * (rb * rb).sum(axis=axis))
    num = (ra * rb).sum(axis=axis)
    return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > 0)


def spearman_bootstrap_ci(
    x: np.ndarray,
    y: np.ndarray,
    *,
    confidence: float = 0.95,
    n_resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float]:
    """Percentile bootstrap interval of Spearman's rho over (x, y) points resampled as pairs.

    Uses ``scipy.stats.bootstrap(paired=True, method="percentile")`` with a fixed
    seed, so the interval is reproducible, and :func:`spearman_rows` as the
    vectorised statistic. A resample whose x or y is constant (possible with few
    points) has no rank order and counts as rho = 0. NaN for fewer than 4 points.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 4:
        return float("nan"), float("nan")

    res = stats.bootstrap(
        (x, y),
        spearman_rows,
        paired=True,
        vectorized=True,
        n_resamples=n_resamples,
        confidence_level=confidence,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def correlations(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Pearson r and Spearman rho of (x, y) with their p-values, a bootstrap 95 % interval
    for rho (:func:`spearman_bootstrap_ci`) and the least-squares line y ~ slope * x + intercept.

    ``scipy.stats.pearsonr``, ``spearmanr`` and ``linregress``; every value is NaN
    with fewer than 3 points or a constant column.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return dict.fromkeys(CORRELATION_KEYS, float("nan"))
    pearson, spearman, line = stats.pearsonr(x, y), stats.spearmanr(x, y), stats.linregress(x, y)
    low, high = spearman_bootstrap_ci(x, y)
    return {
        "pearson_r": float(pearson.statistic),
        "pearson_p": float(pearson.pvalue),
        "spearman_rho": float(spearman.statistic),
        "spearman_p": float(spearman.pvalue),
        "spearman_rho_ci_low": low,
        "spearman_rho_ci_high": high,
        "slope": float(line.slope),
        "intercept": float(line.intercept),
    }


def leave_one_out_pearson(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pearson r of (x, y) without point i, for every i (NaN where fewer than 3 points remain).

    Shows which single point carries or breaks a trend; a diagnostic, never a filter.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    out = np.full(len(x), np.nan)
    for i in range(len(x)):
        a, b = np.delete(x, i), np.delete(y, i)
        if len(a) >= 3 and np.ptp(a) > 0 and np.ptp(b) > 0:
            out[i] = stats.pearsonr(a, b).statistic
    return out


def mean_std(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample standard deviation (ddof = 1; 0 with one column) over the last axis."""
    v = np.asarray(values, dtype=float)
    std = v.std(axis=-1, ddof=1) if v.shape[-1] > 1 else np.zeros(v.shape[:-1])
    return v.mean(axis=-1), std


__all__ = [
    "CORRELATION_KEYS",
    "correlations",
    "leave_one_out_pearson",
    "mean_std",
    "relative_error_drop",
    "spearman_bootstrap_ci",
    "spearman_rows",
]
