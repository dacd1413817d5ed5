"""s-OTDD (dsviz.otdd.sliced): properties from Nguyen et al. 2025 (arXiv 2501.18901) and POT references."""

from __future__ import annotations

import math

import numpy as np
import ot
import pytest
import torch

from dsviz.otdd.sliced import compute_sotdd, draw_projections, project, wasserstein_1d_pp


def _labeled(seed: int, n: int = 120, d: int = 6, shift: float = 0.0, k: int = 3):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    x = rng.normal(size=(n, d)) + y[:, None] * 0.8 + shift
    return x, y


def test_zero_for_identical_datasets_and_positive_otherwise():
    x, y = _labeled(0)
    assert compute_sotdd(x, y, x, y, n_projections=200, dtype=torch.float64).value == 0.0
    x2, y2 = _labeled(1, shift=1.0)
    assert compute_sotdd(x, y, x2, y2, n_projections=200).value > 0.1


def test_symmetric_with_the_same_projections():
    x1, y1 = _labeled(0)
    x2, y2 = _labeled(1, n=90, shift=0.5)
    a = compute_sotdd(x1, y1, x2, y2, n_projections=300, seed=3, dtype=torch.float64)
    b = compute_sotdd(x2, y2, x1, y1, n_projections=300, seed=3, dtype=torch.float64)
    assert a.value == pytest.approx(b.value, rel=1e-12)


def test_invariant_to_renaming_and_reordering_classes():
    """MTP depends on P_y only, not on the label's value (paper Sec. 3: disjoint label sets)."""
    x1, y1 = _labeled(0)
    x2, y2 = _labeled(1, shift=0.5)
    base = compute_sotdd(x1, y1, x2, y2, n_projections=300, dtype=torch.float64).value
    renamed = np.array([7, 2, 40])[y2]
    perm = np.random.default_rng(5).permutation(len(x1))
    moved = compute_sotdd(x1[perm], y1[perm], x2, renamed, n_projections=300, dtype=torch.float64).value
    assert moved == pytest.approx(base, rel=1e-10)


def test_sampling_noise_is_small_against_a_real_shift():
    xa, ya = _labeled(0, n=600)
    xb, yb = _labeled(1, n=600)  # same distribution, another sample
    xc, yc = _labeled(2, n=600, shift=1.5)
    same = compute_sotdd(xa, ya, xb, yb, n_projections=500).value
    other = compute_sotdd(xa, ya, xc, yc, n_projections=500).value
    assert same < 0.25 * other


def test_without_moments_it_is_pots_sliced_wasserstein_on_the_same_projections():
    """m = 0 moments leaves h = psi_0 theta^T x with psi_0 = +-1: plain sliced W_2 of the features."""
    x1, y1 = _labeled(0, n=80)
    x2, y2 = _labeled(1, n=100, shift=0.4)
    res = compute_sotdd(x1, y1, x2, y2, n_projections=64, n_moments=0, seed=2, dtype=torch.float64)
    proj = draw_projections(x1.shape[1], 64, 0, seed=2)
    reference = ot.sliced_wasserstein_distance(x1, x2, projections=proj.theta.numpy().T, p=2)
    assert res.value == pytest.approx(float(reference), rel=1e-8)


def test_one_dimensional_ot_matches_closed_form_and_pot():
    rng = np.random.default_rng(0)
    h1 = torch.as_tensor(rng.normal(size=(50, 4)))
    h2 = torch.as_tensor(rng.normal(size=(50, 4)) + 1.0)
    closed = ((np.sort(h1.numpy(), 0) - np.sort(h2.numpy(), 0)) ** 2).mean(0)
    np.testing.assert_allclose(wasserstein_1d_pp(h1, h2, 2).numpy(), closed, rtol=1e-12)
    h3 = torch.as_tensor(rng.normal(size=(70, 4)))
    for col in range(4):
        emd = ot.emd2_1d(h1[:, col].numpy(), h3[:, col].numpy(), metric="sqeuclidean")
        assert float(wasserstein_1d_pp(h1, h3, 2)[col]) == pytest.approx(emd, rel=1e-9)


def test_projection_is_feature_part_plus_scaled_class_moments():
    x, y = _labeled(0, n=40, d=3)
    proj = draw_projections(3, 5, 2, seed=1)
    h = project(torch.as_tensor(x), torch.as_tensor(y), 3, proj).numpy()
    th, psi, k = proj.theta.numpy(), proj.psi.numpy(), proj.orders.numpy()
    i, line = 7, 3
    xp = x @ th[line]
    members = xp[y == y[i]]
    expected = psi[line, 0] * xp[i] + sum(
        psi[line, j + 1] * np.mean(members ** k[line, j]) / math.factorial(int(k[line, j])) for j in range(2)
    )
    assert h[i, line] == pytest.approx(expected, rel=1e-10)
    assert (k >= 1).all()


def test_bad_input_is_rejected_with_a_message():
    x, y = _labeled(0)
    with pytest.raises(ValueError, match="feature dimensions differ"):
        compute_sotdd(x, y, x[:, :3], y, n_projections=10)
    with pytest.raises(ValueError, match="NaN"):
        compute_sotdd(np.full_like(x, np.nan), y, x, y, n_projections=10)
