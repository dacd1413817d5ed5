"""Transferability measure and correlation statistics (dsviz.studies.transfer_stats) against scipy and numpy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from dsviz.studies.transfer_stats import (
    CORRELATION_KEYS,
    correlations,
    leave_one_out_pearson,
    mean_std,
    pearson_rows,
    relative_error_drop,
    spearman_rows,
)


def test_relative_error_drop_known_values():
    # scratch 80 % accurate (20 % error); fine-tuned 90 % (10 % error): half the errors are gone.
    assert relative_error_drop(0.9, 0.8) == pytest.approx(50.0)
    assert relative_error_drop(0.8, 0.8) == pytest.approx(0.0)
    assert relative_error_drop(0.6, 0.8) == pytest.approx(-100.0)
    assert relative_error_drop(1.0, 0.5) == pytest.approx(100.0)
    np.testing.assert_allclose(relative_error_drop(np.array([[0.9, 0.95]]), np.array([0.8, 0.9])), [[50.0, 50.0]])
    with pytest.raises(ValueError, match="undefined"):
        relative_error_drop(0.9, 1.0)


def test_correlations_match_scipy_and_numpy():
    rng = np.random.default_rng(0)
    x = rng.uniform(1000, 3000, size=12)
    y = 80 - 0.02 * x + rng.normal(0, 5, size=12)
    corr = correlations(x, y)
    assert set(corr) == set(CORRELATION_KEYS)
    assert corr["pearson_r"] == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert corr["pearson_p"] == pytest.approx(stats.pearsonr(x, y).pvalue)
    assert corr["spearman_rho"] == pytest.approx(np.corrcoef(stats.rankdata(x), stats.rankdata(y))[0, 1])
    assert corr["spearman_p"] == pytest.approx(stats.spearmanr(x, y).pvalue)
    slope, intercept = np.polyfit(x, y, 1)
    assert corr["slope"] == pytest.approx(slope) and corr["intercept"] == pytest.approx(intercept)
    assert corr["spearman_rho_ci_low"] <= corr["spearman_rho"] <= corr["spearman_rho_ci_high"] <= 1
    assert correlations(x, y) == corr  # the bootstrap is seeded


@pytest.mark.parametrize(
    ("statistic", "rows", "scipy_statistic"),
    [("spearman_rho", spearman_rows, stats.spearmanr), ("pearson_r", pearson_rows, stats.pearsonr)],
)
def test_interval_agrees_with_a_hand_rolled_percentile_bootstrap(statistic, rows, scipy_statistic):
    rng = np.random.default_rng(1)
    x = rng.normal(size=15)
    y = -x + rng.normal(scale=1.0, size=15)
    corr = correlations(x, y)
    draws = rng.integers(0, 15, size=(4000, 15))
    values = rows(x[draws], y[draws])
    for d, value in zip(draws[:50], values[:50]):  # the vectorised statistic is scipy's
        assert value == pytest.approx(scipy_statistic(x[d], y[d]).statistic)
    low, high = np.percentile(values, [2.5, 97.5])
    assert corr[f"{statistic}_ci_low"] == pytest.approx(low, abs=0.06)
    assert corr[f"{statistic}_ci_high"] == pytest.approx(high, abs=0.06)
    assert high - low > 0.1  # 15 noisy points: a real interval, not a point
    assert corr[f"{statistic}_ci_low"] <= corr[statistic] <= corr[f"{statistic}_ci_high"]


def test_spearman_rows_is_zero_for_constant_rows():
    assert spearman_rows(np.array([[1.0, 1.0, 1.0]]), np.array([[1.0, 2.0, 3.0]]))[0] == 0.0


def test_correlations_are_nan_when_undefined():
    assert all(np.isnan(v) for v in correlations([1.0, 2.0], [3.0, 4.0]).values())
    assert all(np.isnan(v) for v in correlations([1.0, 2.0, 3.0], [5.0, 5.0, 5.0]).values())


def test_leave_one_out_and_mean_std():
    x = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    y = np.array([4.0, 3.0, 2.0, 1.0, 9.0])
    loo = leave_one_out_pearson(x, y)
    assert loo[4] == pytest.approx(-1.0)  # the outlier alone breaks a perfect trend
    assert loo[0] == pytest.approx(stats.pearsonr(x[1:], y[1:]).statistic)
    m, s = mean_std(np.array([[1.0, 3.0], [2.0, 2.0]]))
    np.testing.assert_allclose(m, [2.0, 2.0])
    np.testing.assert_allclose(s, [np.sqrt(2.0), 0.0])
    np.testing.assert_allclose(mean_std(np.array([[5.0]]))[1], [0.0])


def test_detectable_correlation_known_values_and_attenuation():
    from dsviz.studies.transfer_stats import detectable_correlation

    rng = np.random.default_rng(3)
    means = np.linspace(-10, 10, 15)
    noiseless = np.repeat(means[:, None], 10, axis=1)
    p = detectable_correlation(noiseless)
    # r_critical is where Pearson's two-sided p-value is exactly 0.05 for n = 15 ...
    t = p["r_critical"] * np.sqrt(13 / (1 - p["r_critical"] ** 2))
    assert 2 * stats.t.sf(t, 13) == pytest.approx(0.05)
    # ... r_power the Fisher-z 80 % power point, and without seed noise nothing is attenuated.
    assert p["r_power"] == pytest.approx(np.tanh((1.959964 + 0.841621) / np.sqrt(12)), abs=1e-5)
    assert p["reliability"] == 1.0 and p["r_detectable"] == pytest.approx(p["r_power"])
    # Seed noise as large as the spread of the means, 10 seeds: lambda = 1 - (s2 / 10) / var(means).
    noisy = means[:, None] + rng.normal(0, means.std(ddof=1), size=(15, 10))
    q = detectable_correlation(noisy)
    expected = 1 - noisy.var(axis=1, ddof=1).mean() / 10 / noisy.mean(axis=1).var(ddof=1)
    assert q["reliability"] == pytest.approx(expected)
    assert q["r_detectable"] == pytest.approx(q["r_power"] / np.sqrt(expected))
    # Pure noise: nothing between the points but seed noise -> no correlation is detectable.
    assert (
        detectable_correlation(rng.normal(size=(15, 2)) * 0 + rng.normal(size=(15, 2)))["r_detectable"]
        >= q["r_detectable"]
    )
    assert np.isnan(detectable_correlation(noisy[:, :1])["r_power"])


def test_detectable_correlation_matches_a_simulation():
    """Simulate the design: true r between x and the seed mean at r_power, 15 points, 10 noiseless seeds:
    about 80 % of the draws reach p < 0.05."""
    from dsviz.studies.transfer_stats import detectable_correlation

    r = detectable_correlation(np.repeat(np.linspace(0, 1, 15)[:, None], 2, axis=1))["r_power"]
    rng = np.random.default_rng(4)
    hits = 0
    for _ in range(2000):
        x = rng.normal(size=15)
        y = r * x + np.sqrt(1 - r * r) * rng.normal(size=15)
        hits += stats.pearsonr(x, y).pvalue < 0.05
    assert 0.74 < hits / 2000 < 0.86


def test_detectable_from_a_mean_sd_table_equals_the_per_seed_computation():
    from dsviz.studies.transfer_stats import detectable_correlation, detectable_from_summary

    v = np.random.default_rng(5).normal(size=(12, 5)) + np.arange(12)[:, None]
    assert detectable_from_summary(v.mean(axis=1), v.std(axis=1, ddof=1), 5) == detectable_correlation(v)
    more = detectable_from_summary(v.mean(axis=1), v.std(axis=1, ddof=1), 50)
    assert more["reliability"] > detectable_correlation(v)["reliability"]  # more seeds, less attenuation
    assert more["r_power"] == detectable_correlation(v)["r_power"]  # ... but the points still set the floor
