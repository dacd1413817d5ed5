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

CORRELATION_KEYS = (
    "pearson_r",
    "pearson_p",
    "spearman_rho",
    "spearman_p",
    "spearman_rho_ci_low",
    "spearman_rho_ci_high",
    "slope",
    "intercept",
    "pearson_r_ci_low",
    "pearson_r_ci_high",
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
    from scipy import stats  # here, not at the top: SciPy's stats take 0.5 s to import (the app's cold start)

    ra, rb = stats.rankdata(a, axis=axis), stats.rankdata(b, axis=axis)
    ra = ra - ra.mean(axis=axis, keepdims=True)
    rb = rb - rb.mean(axis=axis, keepdims=True)
    den = np.sqrt((ra * ra).sum(axis=axis) * (rb * rb).sum(axis=axis))
    num = (ra * rb).sum(axis=axis)
    return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > 0)


def pearson_rows(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    """Pearson's r along ``axis`` for stacks of samples; 0 where either side is constant."""
    a = np.asarray(a, dtype=float) - np.mean(a, axis=axis, keepdims=True)
    b = np.asarray(b, dtype=float) - np.mean(b, axis=axis, keepdims=True)
    den = np.sqrt((a * a).sum(axis=axis) * (b * b).sum(axis=axis))
    num = (a * b).sum(axis=axis)
    return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > 0)


def spearman_bootstrap_ci(
    x: np.ndarray,
    y: np.ndarray,
    *,
    confidence: float = 0.95,
    n_resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    statistic=spearman_rows,
) -> tuple[float, float]:
    """Percentile bootstrap interval of Spearman's rho (or ``statistic``, e.g. :func:`pearson_rows`)
    over (x, y) points resampled as pairs.

    Uses ``scipy.stats.bootstrap(paired=True, method="percentile")`` with a fixed
    seed, so the interval is reproducible, and :func:`spearman_rows` as the
    vectorised statistic. A resample whose x or y is constant (possible with few
    points) has no rank order and counts as rho = 0. NaN for fewer than 4 points.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 4:
        return float("nan"), float("nan")

    from scipy import stats

    res = stats.bootstrap(
        (x, y),
        statistic,
        paired=True,
        vectorized=True,
        n_resamples=n_resamples,
        confidence_level=confidence,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def correlations(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Pearson r and Spearman rho of (x, y) with their p-values, bootstrap 95 % intervals
    for both (:func:`spearman_bootstrap_ci`, points resampled as pairs) and the least-squares
    line y ~ slope * x + intercept.

    ``scipy.stats.pearsonr``, ``spearmanr`` and ``linregress``; every value is NaN
    with fewer than 3 points or a constant column.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return dict.fromkeys(CORRELATION_KEYS, float("nan"))
    from scipy import stats

    pearson, spearman, line = stats.pearsonr(x, y), stats.spearmanr(x, y), stats.linregress(x, y)
    low, high = spearman_bootstrap_ci(x, y)
    r_low, r_high = spearman_bootstrap_ci(x, y, statistic=pearson_rows)
    return {
        "pearson_r": float(pearson.statistic),
        "pearson_p": float(pearson.pvalue),
        "spearman_rho": float(spearman.statistic),
        "spearman_p": float(spearman.pvalue),
        "spearman_rho_ci_low": low,
        "spearman_rho_ci_high": high,
        "slope": float(line.slope),
        "intercept": float(line.intercept),
        "pearson_r_ci_low": r_low,
        "pearson_r_ci_high": r_high,
    }


ALPHA = 0.05
POWER = 0.8


def detectable_correlation(per_seed: np.ndarray, *, alpha: float = ALPHA, power: float = POWER) -> dict[str, float]:
    r"""How strong a correlation between a noise-free x and the seed-mean of ``per_seed`` this design can detect.

    ``per_seed``: points x seeds (one row per setting or pair). With n points and S seeds:

    * ``r_critical``: the smallest observed |r| with two-sided p < ``alpha``,
      :math:`t_{1-\alpha/2,\,n-2} / \sqrt{n - 2 + t^2}`;
    * ``r_power``: the true |r| between x and the *mean* detected at p < ``alpha`` with probability
      ``power`` (Fisher z: :math:`\tanh((z_{1-\alpha/2} + z_{power}) / \sqrt{n-3})`);
    * ``reliability`` λ: the share of the means' spread between points that is not seed noise,
      :math:`\lambda = 1 - (\bar s^2_{seed} / S) / s^2_{means}` (clipped to [0, 1]), where
      :math:`\bar s^2_{seed}` is the mean within-point variance over seeds (ddof 1) and
      :math:`s^2_{means}` the variance of the means between points (ddof 1);
    * ``r_detectable``: seed noise attenuates an observed r by :math:`\sqrt{\lambda}` (Spearman's
      attenuation), so the smallest true |r| with the underlying transferability detected as above is
      :math:`r_{power} / \sqrt{\lambda}`; ``inf`` when it exceeds 1 (no correlation is detectable).

    ``seed_sd`` (the square root of :math:`\bar s^2_{seed}`) and ``between_sd`` are returned for the text.
    NaN everywhere with fewer than 4 points or 2 seeds.
    """
    v = np.asarray(per_seed, dtype=float)
    n, seeds = v.shape
    if n < 4 or seeds < 2:
        return detectable_from_summary(np.zeros(n), np.zeros(n), seeds, alpha=alpha, power=power)
    return detectable_from_summary(v.mean(axis=1), v.std(axis=1, ddof=1), seeds, alpha=alpha, power=power)


def detectable_from_summary(
    means: np.ndarray, sds: np.ndarray, n_seeds: int, *, alpha: float = ALPHA, power: float = POWER
) -> dict[str, float]:
    """:func:`detectable_correlation` from per-point means and seed standard deviations (ddof 1) over
    ``n_seeds`` seeds: what a published mean ± sd table allows, or a design with more seeds and the same noise."""
    means, sds = np.asarray(means, dtype=float), np.asarray(sds, dtype=float)
    n = len(means)
    keys = ("r_critical", "r_power", "reliability", "r_detectable", "seed_sd", "between_sd")
    if n < 4 or n_seeds < 2:
        return {
            **dict.fromkeys(keys, float("nan")),
            "n_points": n,
            "n_seeds": n_seeds,
            "alpha": alpha,
            "power": power,
        }
    from scipy import stats

    t = stats.t.ppf(1 - alpha / 2, n - 2)
    r_critical = t / np.sqrt(n - 2 + t * t)
    r_power = np.tanh((stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)) / np.sqrt(n - 3))
    noise_var = float(np.mean(sds**2))
    between_var = float(means.var(ddof=1))
    reliability = float(np.clip(1 - (noise_var / n_seeds) / between_var, 0, 1)) if between_var > 0 else 0.0
    detectable = r_power / np.sqrt(reliability) if reliability > 0 else float("inf")
    return {
        "r_critical": float(r_critical),
        "r_power": float(r_power),
        "reliability": reliability,
        "r_detectable": float(detectable) if detectable <= 1 else float("inf"),
        "seed_sd": float(np.sqrt(noise_var)),
        "between_sd": float(np.sqrt(between_var)),
        "n_points": n,
        "n_seeds": n_seeds,
        "alpha": alpha,
        "power": power,
    }


def interval_sentence(corr: dict, paper_r: float) -> str:
    """Whether the paper's r lies in the bootstrap 95 % interval of the measured r, in one sentence."""
    r, low, high = corr["pearson_r"], corr["pearson_r_ci_low"], corr["pearson_r_ci_high"]
    if not np.isfinite(low):
        return "No interval: too few points."
    inside = low <= paper_r <= high
    return f"Measured r = {r:.2f}, bootstrap 95 % interval [{low:.2f}, {high:.2f}]: the paper's r = {paper_r} is " + (
        "inside it (consistent with this measurement)." if inside else "outside it (not reproduced here)."
    )


def power_sentence(p: dict, paper_r: float) -> str:
    """One sentence stating :func:`detectable_correlation`'s result and formula, against the paper's r."""
    if not np.isfinite(p["r_power"]):
        return "Too few points or seeds to state what this design can detect."
    detect = (
        "no correlation at all (seed noise is as large as the spread between points)"
        if not np.isfinite(p["r_detectable"])
        else f"a true |r| ≥ {p['r_detectable']:.2f}"
    )
    verdict = (
        f"the paper's |r| = {abs(paper_r):.2f} is {'within' if np.isfinite(p['r_detectable']) and abs(paper_r) >= p['r_detectable'] else 'below'} "
        "that reach"
    )
    return (
        f"Power: with {p['n_points']} points and {p['n_seeds']} seeds, an observed |r| ≥ {p['r_critical']:.2f} has "
        f"p < {p['alpha']:g}; a true |r| of {p['r_power']:.2f} between OTDD and the seed mean is detected with "
        f"{p['power']:.0%} power (Fisher z: tanh((z₀.₉₇₅ + z₀.₈) / √(n − 3))). Seed noise (sd {p['seed_sd']:.1f} per "
        f"seed, {p['between_sd']:.1f} between the means) leaves a reliability λ = 1 − (s²_seed / S) / s²_means = "
        f"{p['reliability']:.2f}, attenuating r by √λ, so this design detects {detect}; {verdict}."
    )


def leave_one_out_pearson(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pearson r of (x, y) without point i, for every i (NaN where fewer than 3 points remain).

    Shows which single point carries or breaks a trend; a diagnostic, never a filter.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    from scipy import stats

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


def seed_summary(values: str, what: str) -> tuple[property, property]:
    """Two read-only properties for a study class: the mean and the sample standard deviation (:func:`mean_std`)
    over the seeds (last axis) of its array attribute ``values``, documented as those of ``what``."""

    def over_seeds(i: int, stat: str) -> property:
        return property(lambda study: mean_std(getattr(study, values))[i], doc=f"{stat} of the {what} over seeds.")

    return over_seeds(0, "Mean"), over_seeds(1, "Sample standard deviation (0 with a single seed)")


__all__ = [
    "CORRELATION_KEYS",
    "correlations",
    "detectable_correlation",
    "detectable_from_summary",
    "interval_sentence",
    "leave_one_out_pearson",
    "pearson_rows",
    "power_sentence",
    "mean_std",
    "relative_error_drop",
    "seed_summary",
    "spearman_bootstrap_ci",
    "spearman_rows",
]
