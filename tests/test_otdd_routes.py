"""The fast routes of the OTDD engine against references: geomloss (the authors' outer
solver), the other Gaussian factor route, the cached cost, the exact simplex."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from geomloss import SamplesLoss

import dsviz.otdd.engine as engine
import dsviz.otdd.sinkhorn as sk
from dsviz.otdd import compute_otdd
from dsviz.otdd.label_distance import bures_distances, class_gaussians, class_indices, per_matrix
from dsviz.otdd.sinkhorn import AUTHORS_ENTREG, BlockedCost, point_diameter, sinkhorn_divergence
from dsviz.runtime.threads import split_range


def blobs(n: int, k: int, d: int, seed: int, shift: float = 0.0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=3.0, size=(k, d))
    y = np.arange(n) % k
    return (centers[y] + rng.normal(size=(n, d)) + shift).astype(np.float32), y


@pytest.mark.parametrize("m, d", [(12, 30), (80, 6)])
def test_gaussian_factor_routes_agree(m, d):
    """lowrank (F = centred samples) and eigen (one eigh per class) give the same W2^2."""
    x1, y1 = blobs(3 * m, 3, d, seed=1)
    x2, y2 = blobs(2 * m, 2, d, seed=2, shift=0.5)
    t1, t2 = torch.as_tensor(x1, dtype=torch.float64), torch.as_tensor(x2, dtype=torch.float64)
    r1, r2 = class_indices(y1, 3), class_indices(y2, 2)
    low = bures_distances(class_gaussians(t1, r1, "lowrank"), class_gaussians(t2, r2, "lowrank"))
    eig = bures_distances(class_gaussians(t1, r1, "eigen"), class_gaussians(t2, r2, "eigen"))
    np.testing.assert_allclose(low, eig, rtol=1e-6)  # the eigen route squares the factor: ~1e-8
    within = bures_distances(class_gaussians(t1, r1))
    cross = bures_distances(class_gaussians(t1, r1), class_gaussians(t1, r1))
    np.testing.assert_allclose(within, cross - np.diag(np.diag(cross)), rtol=1e-8, atol=1e-8)


def test_scaling_divergence_matches_geomloss():
    """Features only: our loop on the unhalved cost is twice geomloss's SamplesLoss (authors' settings)."""
    x, _ = blobs(70, 2, 5, seed=3)
    y, _ = blobs(60, 2, 5, seed=4, shift=0.7)
    tx, ty = torch.as_tensor(x), torch.as_tensor(y)
    blur = AUTHORS_ENTREG**0.5
    ours = sinkhorn_divergence(
        BlockedCost(tx, ty),
        BlockedCost(tx, tx),
        BlockedCost(ty, ty),
        point_diameter(tx, ty),
        blur,
        temperature_scale=2.0,
    )
    theirs = SamplesLoss("sinkhorn", p=2, blur=blur, scaling=0.5, debias=True, backend="tensorized")(tx, ty)
    assert ours.value == pytest.approx(2 * float(theirs), rel=1e-4)


def test_scaling_with_label_cost_matches_geomloss_custom_cost():
    """Label term as in otdd's batch_augmented_cost: (||x - x'||^2 + W[y, y']) / 2, label as last coordinate."""
    x, cx = blobs(50, 2, 4, seed=5)
    y, cy = blobs(40, 3, 4, seed=6, shift=0.4)
    w12 = np.array([[1.0, 4.0, 9.0], [2.0, 0.5, 3.0]], dtype=np.float32)
    w11 = np.array([[0.0, 5.0], [5.0, 0.0]], dtype=np.float32)
    w22 = np.array([[0.0, 2.0, 6.0], [2.0, 0.0, 1.0], [6.0, 1.0, 0.0]], dtype=np.float32)
    big = np.zeros((5, 5), dtype=np.float32)  # labels 0..1 source, 2..4 target (otdd's reindexing)
    big[:2, :2], big[:2, 2:], big[2:, :2], big[2:, 2:] = w11, w12, w12.T, w22
    wt = torch.as_tensor(big)

    def cost(a, b):
        la, lb = a[..., -1].long(), b[..., -1].long()
        sq = (
            (a[..., :-1] ** 2).sum(-1)[..., :, None]
            + (b[..., :-1] ** 2).sum(-1)[..., None, :]
            - 2 * a[..., :-1] @ b[..., :-1].transpose(-1, -2)
        )
        return (sq + wt[la[..., :, None], lb[..., None, :]]) / 2

    tx, ty = torch.as_tensor(x), torch.as_tensor(y)
    zx = torch.cat([tx, torch.as_tensor(cx, dtype=torch.float32)[:, None]], 1)
    zy = torch.cat([ty, torch.as_tensor(cy + 2, dtype=torch.float32)[:, None]], 1)
    blur = AUTHORS_ENTREG**0.5
    theirs = SamplesLoss("sinkhorn", p=2, blur=blur, scaling=0.5, debias=True, cost=cost, backend="tensorized")(zx, zy)
    c1, c2 = torch.as_tensor(cx), torch.as_tensor(cy)
    ours = sinkhorn_divergence(
        BlockedCost(tx, ty, c1, c2, torch.as_tensor(w12)),
        BlockedCost(tx, tx, c1, c1, torch.as_tensor(w11)),
        BlockedCost(ty, ty, c2, c2, torch.as_tensor(w22)),
        point_diameter(zx, zy),
        blur,
        temperature_scale=2.0,
    )
    assert ours.value == pytest.approx(2 * float(theirs), rel=1e-4)


def test_blocked_recomputed_cost_equals_cached(monkeypatch):
    monkeypatch.setattr(sk, "BLOCK_ELEMENTS", 64)  # 2-row blocks: many streaming column merges
    x, cx = blobs(45, 3, 4, seed=7)
    y, cy = blobs(33, 3, 4, seed=8, shift=1.0)
    tx, ty = torch.as_tensor(x), torch.as_tensor(y)
    w = torch.rand(3, 3)

    def solve(cache):
        return sinkhorn_divergence(
            BlockedCost(tx, ty, torch.as_tensor(cx), torch.as_tensor(cy), w, cache),
            BlockedCost(tx, tx, cache=cache),
            BlockedCost(ty, ty, cache=cache),
            point_diameter(tx, ty),
            0.5,
        )

    cached, lazy = solve(True), solve(False)
    assert lazy.value == pytest.approx(cached.value, rel=1e-6)
    c = BlockedCost(tx, ty, torch.as_tensor(cx), torch.as_tensor(cy), w, cache=False)
    plan = lazy.plan(c)
    np.testing.assert_allclose(plan.sum(1).numpy(), 1 / 45, rtol=1e-4)  # rows: the c-transform
    assert float(plan.sum()) == pytest.approx(1.0, rel=1e-4)


@pytest.mark.parametrize("label_distance", ["exact", "gaussian"])
def test_scaling_outer_self_distance_is_zero_and_close_to_exact(label_distance):
    x1, y1 = blobs(90, 3, 4, seed=9)
    x2, y2 = blobs(80, 3, 4, seed=10, shift=0.6)
    same = compute_otdd(x1, y1, x1, y1, label_distance=label_distance, outer="scaling", plain_ot=True)
    assert same.otdd == pytest.approx(0.0, abs=1e-3) and same.ot == pytest.approx(0.0, abs=1e-3)
    exact = compute_otdd(x1, y1, x2, y2, label_distance=label_distance, outer="exact", plain_ot=True)
    scaling = compute_otdd(x1, y1, x2, y2, label_distance=label_distance, outer="scaling", plain_ot=True)
    np.testing.assert_allclose(scaling.label_distances, exact.label_distances, rtol=1e-6)
    # the Sinkhorn divergence at eps = 0.2 is not the exact OT (values ~ 30-60 here: a few % off)
    assert scaling.otdd == pytest.approx(exact.otdd, rel=6e-2)
    assert scaling.ot == pytest.approx(exact.ot, rel=6e-2)
    assert scaling.plan.class_coupling.sum() == pytest.approx(1.0, rel=1e-4)
    assert scaling.options["outer_used"] == "scaling" and scaling.options["entreg"] == pytest.approx(0.2)


def test_auto_outer_chooses_by_size(monkeypatch):
    x, y = blobs(40, 2, 3, seed=11)
    small = compute_otdd(x, y, x[:30], y[:30], outer="auto", label_distance="gaussian")
    assert small.options["outer_used"] == "exact"
    monkeypatch.setattr(engine, "EXACT_MAX_ENTRIES", 100)
    big = compute_otdd(x, y, x[:30], y[:30], outer="auto", label_distance="gaussian")
    assert big.options["outer_used"] == "scaling"
    assert big.options["label_route"] == "gaussian-eigen"  # 20 or 15 points per class > d = 3


def test_max_outer_subsamples_the_outer_problem_only():
    x1, y1 = blobs(120, 3, 4, seed=12)
    x2, y2 = blobs(60, 3, 4, seed=13, shift=0.3)
    full = compute_otdd(x1, y1, x2, y2, label_distance="gaussian")
    sub = compute_otdd(x1, y1, x2, y2, label_distance="gaussian", max_outer=50, seed=3)
    np.testing.assert_allclose(sub.label_distances, full.label_distances, rtol=1e-10)  # every point
    assert sub.options["outer_samples"] == [50, 50] and sub.n_src == 120 and sub.n_tgt == 60
    assert sub.plan.src_top_index.shape == (120, 5)
    assert (sub.plan.src_top_index[:, 0] >= 0).sum() == 50 and (sub.plan.tgt_top_index[:, 0] >= 0).sum() == 50
    assert sub.plan.src_top_index.max() < 60 and sub.plan.plan_rows.max() < 120
    assert sub.otdd == pytest.approx(full.otdd, rel=0.2)


def test_per_matrix_split_over_threads_equals_one_batched_call():
    rng = np.random.default_rng(0)
    f = torch.as_tensor(rng.normal(size=(5, 30, 12)))
    batch = f.transpose(1, 2) @ f  # 5 symmetric 12 x 12
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        np.testing.assert_allclose(per_matrix(torch.linalg.eigvalsh, batch), torch.linalg.eigvalsh(batch), rtol=1e-12)
        values, vectors = per_matrix(torch.linalg.eigh, batch)
        np.testing.assert_allclose((vectors * values[:, None, :]) @ vectors.transpose(1, 2), batch, atol=1e-10)
        assert torch.get_num_threads() == 2  # the workers' one thread each does not leak to the caller
    finally:
        torch.set_num_threads(before)


def test_split_range_covers_every_row_once():
    for stop, parts in ((10, 3), (2, 5), (7, 1), (1000, 2)):
        spans = split_range(stop, parts)
        assert len(spans) == min(stop, parts)
        assert [i for a, b in spans for i in range(a, b)] == list(range(stop))
        assert max(b - a for a, b in spans) - min(b - a for a, b in spans) <= 1


def test_sinkhorn_split_over_threads_equals_one_thread(monkeypatch):
    monkeypatch.setattr(sk, "BLOCK_ELEMENTS", 256)  # several blocks in each thread's span
    x, cx = blobs(61, 3, 5, seed=11)
    y, cy = blobs(47, 3, 5, seed=12, shift=0.7)
    tx, ty, w = torch.as_tensor(x), torch.as_tensor(y), torch.rand(3, 3)
    before = torch.get_num_threads()
    values, plans = [], []
    try:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            c = BlockedCost(tx, ty, torch.as_tensor(cx), torch.as_tensor(cy), w)
            assert len(c.spans()) == threads
            sol = sinkhorn_divergence(c, BlockedCost(tx, tx), BlockedCost(ty, ty), point_diameter(tx, ty), 0.5)
            values.append(sol.value)
            plans.append(sol.plan(c))
    finally:
        torch.set_num_threads(before)
    assert values[1] == pytest.approx(values[0], rel=1e-6)
    np.testing.assert_allclose(plans[1], plans[0], rtol=1e-5, atol=1e-12)
