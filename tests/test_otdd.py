"""Math properties and known values of the OTDD engine (against POT and closed forms)."""

from __future__ import annotations

import numpy as np
import ot
import pytest
import scipy.linalg
import torch

from dsviz.otdd import OTDDResult, compute_otdd, exact_label_distances, gaussian_label_distances
from dsviz.otdd.costs import squared_euclidean
from dsviz.otdd.label_distance import class_indices
from dsviz.runtime.codec import decode, encode


def labeled_blobs(n: int, k: int, d: int, seed: int, shift: float = 0.0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=3.0, size=(k, d))
    y = np.arange(n) % k
    x = centers[y] + rng.normal(size=(n, d)) + shift
    return x, y


def with_moments(z: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """Affinely map samples so their ML mean and covariance are exactly ``mean``/``cov``."""
    zc = z - z.mean(0)
    emp = zc.T @ zc / len(z)
    white = zc @ np.linalg.inv(np.real(scipy.linalg.sqrtm(emp)))
    return white @ np.real(scipy.linalg.sqrtm(cov)) + mean


@pytest.mark.parametrize("outer", ["exact", "sinkhorn"])
@pytest.mark.parametrize("label_distance", ["exact", "gaussian"])
def test_self_distance_is_zero_when_debiased(outer, label_distance):
    x, y = labeled_blobs(120, 3, 4, seed=0)
    res = compute_otdd(x, y, x, y, outer=outer, label_distance=label_distance, device="cpu", plain_ot=True)
    assert res.otdd == pytest.approx(0.0, abs=1e-8)
    assert res.ot == pytest.approx(0.0, abs=1e-8)


def test_sinkhorn_without_debiasing_is_positive_on_identical_data():
    x, y = labeled_blobs(80, 2, 3, seed=1)
    res = compute_otdd(x, y, x, y, outer="sinkhorn", debiased=False, eps=0.2)
    assert res.otdd > 1e-3  # the entropic bias that debiasing removes


@pytest.mark.parametrize("label_distance", ["exact", "gaussian"])
def test_symmetry(label_distance):
    x1, y1 = labeled_blobs(90, 3, 5, seed=2)
    x2, y2 = labeled_blobs(110, 4, 5, seed=3, shift=1.0)
    ab = compute_otdd(x1, y1, x2, y2, label_distance=label_distance, plain_ot=True)
    ba = compute_otdd(x2, y2, x1, y1, label_distance=label_distance, plain_ot=True)
    assert ab.otdd == pytest.approx(ba.otdd, rel=1e-9)
    assert ab.ot == pytest.approx(ba.ot, rel=1e-9)
    np.testing.assert_allclose(ab.label_distances, ba.label_distances.T, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ab.plan.class_coupling, ba.plan.class_coupling.T, atol=1e-12)


def test_invariant_to_permuting_class_ids():
    x1, y1 = labeled_blobs(100, 4, 3, seed=4)
    x2, y2 = labeled_blobs(100, 4, 3, seed=5, shift=0.5)
    perm = np.array([2, 0, 3, 1])
    base = compute_otdd(x1, y1, x2, y2)
    permuted = compute_otdd(x1, perm[y1] + 10, x2, y2)  # arbitrary label values
    assert permuted.otdd == pytest.approx(base.otdd, rel=1e-9)
    # row k of the permuted matrix is the class that was perm^-1 ... : compare as sets of rows
    order = np.argsort(perm)
    np.testing.assert_allclose(permuted.label_distances, base.label_distances[order], rtol=1e-9)
    assert permuted.src_classes == [str(v) for v in range(10, 14)]


@pytest.mark.parametrize("outer", ["exact", "sinkhorn", "scaling"])
def test_plain_ot_only_when_asked_and_it_leaves_otdd_unchanged(outer):
    x1, y1 = labeled_blobs(60, 3, 4, seed=6)
    x2, y2 = labeled_blobs(50, 3, 4, seed=7, shift=0.4)
    alone = compute_otdd(x1, y1, x2, y2, outer=outer)
    asked = compute_otdd(x1, y1, x2, y2, outer=outer, plain_ot=True)
    assert np.isnan(alone.ot) and "plain_ot" not in alone.timings
    assert asked.ot > 0 and "plain_ot" in asked.timings
    assert alone.otdd == pytest.approx(asked.otdd, rel=1e-12)
    np.testing.assert_array_equal(alone.plan.class_coupling, asked.plan.class_coupling)
    if outer == "exact":  # the plain OT asked for is POT's exact OT between the same points
        c = ot.dist(x1, x2)
        assert asked.ot == pytest.approx(ot.emd2(np.full(60, 1 / 60), np.full(50, 1 / 50), c), rel=1e-9)


@pytest.mark.parametrize("label_distance", ["exact", "gaussian"])
def test_otdd_at_least_ot(label_distance):
    for seed in range(3):
        x1, y1 = labeled_blobs(80, 3, 4, seed=seed)
        x2, y2 = labeled_blobs(70, 3, 4, seed=seed + 10, shift=0.3)
        res = compute_otdd(x1, y1, x2, y2, label_distance=label_distance, plain_ot=True)
        assert res.otdd >= res.ot - 1e-9
        assert res.feature_component >= res.ot - 1e-9  # OT minimises the feature part alone
        assert res.otdd == pytest.approx(res.feature_component + res.label_component)


def test_exact_label_distances_equal_pot_emd2():
    x1, y1 = labeled_blobs(60, 3, 4, seed=6)
    x2, y2 = labeled_blobs(75, 2, 4, seed=7, shift=1.0)
    cost = squared_euclidean(torch.as_tensor(x1), torch.as_tensor(x2))
    w = exact_label_distances(cost, class_indices(y1, 3), class_indices(y2, 2))
    for i in range(3):
        for j in range(2):
            a, b = x1[y1 == i], x2[y2 == j]
            expected = ot.emd2(ot.unif(len(a)), ot.unif(len(b)), ot.dist(a, b))
            assert w[i, j] == pytest.approx(expected, rel=1e-10)


def test_gaussian_label_distance_closed_form_on_known_gaussians():
    rng = np.random.default_rng(8)
    d = 3
    means = [np.array([0.0, 1.0, -1.0]), np.array([2.0, 0.0, 0.5])]
    stds = [np.array([1.0, 2.0, 0.5]), np.array([0.5, 1.0, 3.0])]
    xs = [with_moments(rng.normal(size=(50, d)), m, np.diag(s**2)) for m, s in zip(means, stds)]
    w = gaussian_label_distances(torch.as_tensor(xs[0]), [np.arange(50)], torch.as_tensor(xs[1]), [np.arange(50)])
    # diagonal covariances commute: W2^2 = |m1 - m2|^2 + |s1 - s2|^2
    expected = np.sum((means[0] - means[1]) ** 2) + np.sum((stds[0] - stds[1]) ** 2)
    assert w[0, 0] == pytest.approx(expected, rel=1e-10)


def psd_sqrt(c: np.ndarray) -> np.ndarray:
    vals, vecs = np.linalg.eigh(c)
    return (vecs * np.sqrt(np.clip(vals, 0, None))) @ vecs.T


def bures_w2_reference(m1, c1, m2, c2) -> float:
    """Textbook W2^2 with d x d square roots of clipped eigen-decompositions."""
    r1 = psd_sqrt(c1)
    return float(np.sum((m1 - m2) ** 2) + np.trace(c1) + np.trace(c2) - 2 * np.trace(psd_sqrt(r1 @ c2 @ r1)))


def class_gaussian_cases(m: int, d: int):
    """Per class pair: the fast W2^2 and the ML moments (mean, covariance) of both classes."""
    x1, y1 = labeled_blobs(3 * m, 3, d, seed=9)
    x2, y2 = labeled_blobs(2 * m, 2, d, seed=10, shift=0.7)
    w = gaussian_label_distances(torch.as_tensor(x1), class_indices(y1, 3), torch.as_tensor(x2), class_indices(y2, 2))

    def moments(x):
        mu = x.mean(0)
        return mu, (x - mu).T @ (x - mu) / len(x)

    for i in range(3):
        for j in range(2):
            yield w[i, j], moments(x1[y1 == i]), moments(x2[y2 == j])


def test_gaussian_label_distances_match_pot_bures():
    """Full-rank covariances (200 samples in 5-D): POT's sqrtm is well defined."""
    for value, (m1, c1), (m2, c2) in class_gaussian_cases(200, 5):
        expected = float(ot.gaussian.bures_wasserstein_distance(m1, m2, c1, c2)) ** 2
        assert value == pytest.approx(expected, rel=1e-8)
        assert value == pytest.approx(bures_w2_reference(m1, c1, m2, c2), rel=1e-8)


def test_gaussian_label_distances_rank_deficient_covariances():
    """30 samples in 64-D: covariances of rank 29, where POT's sqrtm returns NaN.

    The low-rank route must agree with the d x d eigen-decomposition reference.
    """
    for value, (m1, c1), (m2, c2) in class_gaussian_cases(30, 64):
        assert value == pytest.approx(bures_w2_reference(m1, c1, m2, c2), rel=1e-8)


def test_repeated_runs_give_the_same_value():
    x1, y1 = labeled_blobs(100, 3, 6, seed=11)
    x2, y2 = labeled_blobs(100, 3, 6, seed=12, shift=0.2)
    first = compute_otdd(x1, y1, x2, y2, outer="sinkhorn")
    second = compute_otdd(x1, y1, x2, y2, outer="sinkhorn")
    assert first.otdd == second.otdd
    np.testing.assert_array_equal(first.label_distances, second.label_distances)


def test_sinkhorn_approaches_exact_for_small_eps():
    x1, y1 = labeled_blobs(80, 2, 3, seed=13)
    x2, y2 = labeled_blobs(80, 2, 3, seed=14, shift=0.5)
    exact = compute_otdd(x1, y1, x2, y2, debiased=False)
    entropic = compute_otdd(x1, y1, x2, y2, outer="sinkhorn", eps=1e-3, debiased=False)
    assert entropic.otdd == pytest.approx(exact.otdd, rel=2e-2)


def test_coupling_summaries():
    x, y = labeled_blobs(60, 3, 4, seed=15)
    res = compute_otdd(x, y, x, y)
    # identical samples: every point is matched to itself with all its mass
    np.testing.assert_array_equal(res.plan.src_top_index[:, 0], np.arange(60))
    np.testing.assert_allclose(res.plan.src_top_mass[:, 0], 1 / 60)
    assert (res.plan.src_top_index[:, 1:] == -1).all()
    np.testing.assert_allclose(res.plan.class_coupling, np.diag(np.bincount(y) / 60), atol=1e-12)
    assert len(res.plan.plan_mass) == 60 and res.plan.plan_mass.sum() == pytest.approx(1.0)

    x2, y2 = labeled_blobs(45, 2, 4, seed=16)
    res = compute_otdd(x, y, x2, y2, top_k=3)
    assert res.plan.class_coupling.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(res.plan.class_coupling.sum(1), np.bincount(y) / 60, atol=1e-12)
    np.testing.assert_allclose(res.plan.class_coupling.sum(0), np.bincount(y2) / 45, atol=1e-12)
    assert res.plan.src_top_index.shape == (60, 3) and res.plan.tgt_top_index.shape == (45, 3)
    assert np.all(np.diff(res.plan.plan_mass) <= 0)
    assert len(res.plan.plan_mass) <= 60 + 45 - 1


def test_class_names_are_looked_up_by_label_value():
    x, y = labeled_blobs(40, 2, 2, seed=17)
    res = compute_otdd(x, y + 3, x, y, classes1=list("abcdef"), classes2=["zero", "one"])
    assert res.src_classes == ["d", "e"] and res.tgt_classes == ["zero", "one"]


def test_result_round_trips_through_arrays():
    x1, y1 = labeled_blobs(50, 2, 3, seed=18)
    x2, y2 = labeled_blobs(40, 3, 3, seed=19)
    res = compute_otdd(x1, y1, x2, y2)
    back = decode(OTDDResult, encode(res))
    assert back.otdd == res.otdd and back.src_classes == res.src_classes
    np.testing.assert_array_equal(back.plan.plan_cols, res.plan.plan_cols)
    assert back.options == res.options


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"label_distance": "cosine"}, "label distance"),
        ({"outer": "greedy"}, "outer"),
        ({"device": "tpu"}, "device"),
    ],
)
def test_bad_options_raise_clear_errors(kwargs, message):
    x, y = labeled_blobs(20, 2, 2, seed=20)
    with pytest.raises(ValueError, match=message):
        compute_otdd(x, y, x, y, **kwargs)


def test_bad_inputs_raise_clear_errors():
    x, y = labeled_blobs(20, 2, 2, seed=21)
    with pytest.raises(ValueError, match="dimensions"):
        compute_otdd(x, y, x[:, :1], y)
    with pytest.raises(ValueError, match="NaN"):
        compute_otdd(np.where(x > 1, np.nan, x), y, x, y)
    with pytest.raises(ValueError, match="length"):
        compute_otdd(x, y[:-1], x, y)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on machines without a GPU")
def test_cuda_request_without_gpu_is_a_clear_error():
    x, y = labeled_blobs(20, 2, 2, seed=22)
    with pytest.raises(ValueError, match="no CUDA GPU"):
        compute_otdd(x, y, x, y, device="cuda")


def test_torch_inputs_accepted():
    x, y = labeled_blobs(30, 2, 3, seed=23)
    a = compute_otdd(torch.as_tensor(x), torch.as_tensor(y), x, y + 0)
    assert a.otdd == pytest.approx(0.0, abs=1e-9)
