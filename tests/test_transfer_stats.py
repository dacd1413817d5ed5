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


def test_bootstrap_interval_agrees_with_a_hand_rolled_percentile_bootstrap():
    rng = np.random.default_rng(1)
    x = rng.normal(size=15)
    y = -x + rng.normal(scale=1.0, size=15)
    corr = correlations(x, y)
    draws = rng.integers(0, 15, size=(4000, 15))
    rhos = spearman_rows(x[draws], y[draws])
    for d, rho in zip(draws[:50], rhos[:50]):  # the vectorised statistic is scipy's Spearman rho
        assert rho == pytest.approx(stats.spearmanr(x[d], y[d]).statistic)
    low, high = np.percentile(rhos, [2.5, 97.5])
    assert corr["spearman_rho_ci_low"] == pytest.approx(low, abs=0.06)
    assert corr["spearman_rho_ci_high"] == pytest.approx(high, abs=0.06)
    assert high - low > 0.1  # 15 noisy points: a real interval, not a point


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
