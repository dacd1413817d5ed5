"""OTDD reports its stages (loading, features, label distances, outer problem, ...) to a progress callback."""

from __future__ import annotations

import numpy as np

from dsviz import methods
from dsviz.otdd import compute_otdd
from dsviz.otdd.engine import STAGE_LABELS, stages
from dsviz.runtime.cache import Cache


def _blobs(seed: int, n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    return rng.normal(size=(n, 5)) + y[:, None], y


def test_engine_reports_every_stage_in_order():
    (x1, y1), (x2, y2) = _blobs(0), _blobs(1)
    # the scaling solver debiases inside its label-distance and outer stages; auto picks exact here
    for outer, plain_ot, expected in (
        ("exact", True, 5),
        ("sinkhorn", True, 6),
        ("scaling", True, 5),
        ("auto", True, 5),
        ("scaling", False, 4),
    ):
        seen = []
        compute_otdd(
            x1, y1, x2, y2, outer=outer, plain_ot=plain_ot, progress=lambda d, t, w, seen=seen: seen.append((d, t, w))
        )
        plan = stages(outer, True, plain_ot)
        assert len(plan) == expected and ("self_terms" in plan) == (outer == "sinkhorn")
        assert ("plain_ot" in plan) == plain_ot
        assert [w for _, _, w in seen] == [STAGE_LABELS[s] for s in plan] + ["done"]
        assert [d for d, _, _ in seen] == list(range(len(plan) + 1)) and {t for _, t, _ in seen} == {len(plan)}


def test_compare_reports_the_stages_then_a_cache_hit(tmp_path):
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    for path, seed in ((a, 0), (b, 1)):
        rng = np.random.default_rng(seed)
        np.savez(path, images=rng.integers(0, 255, (30, 8, 8), dtype=np.uint8), labels=np.arange(30) % 3)
    cache = Cache(tmp_path / "cache")
    first, again = [], []
    methods.compare("otdd-exact", str(a), str(b), n=30, cache=cache, progress=lambda d, t, w: first.append((d, t, w)))
    methods.compare("otdd-exact", str(a), str(b), n=30, cache=cache, progress=lambda d, t, w: again.append((d, t, w)))
    plan = stages("auto", True)
    assert [w for _, _, w in first] == [STAGE_LABELS[s] for s in plan] + ["done"]
    assert "label distances W₂²(P_y, P_y′)" in [w for _, _, w in first]
    assert [d for d, _, _ in first] == sorted(d for d, _, _ in first)  # the bar only moves forward
    assert first[-1] == (len(plan), len(plan), "done")
    assert again == [(1, 1, "read from the cache")]
