"""Toy 2-D data behind the "label shuffle" figure.

The Microsoft Research blog post on OTDD (Alvarez-Melis & Fusi, "Measuring dataset
similarity using optimal transport", 2020) illustrates why labels matter with two
small 2-D datasets, each made of two labeled Gaussian blobs: shuffling the labels
of one dataset leaves the plain optimal-transport (OT) distance between the point
clouds untouched, while the OT dataset distance (OTDD) grows, because its ground
cost ``||x - x'||^2 + W_2^2(P_y, P_y')`` also compares the class-conditional
distributions ``P_y`` of the two points' labels.

Here dataset A sits on the left and dataset B on the right of the plane; each is a
blob of class 0 above a blob of class 1. Features are used as they are (no
normalisation), so distances are in squared plane units.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from dsviz.otdd import OTDDResult, compute_otdd

Seed = int | np.random.SeedSequence

CLASSES = (0, 1)
"""Labels of the two blobs: 0 = upper blob (drawn blue), 1 = lower blob (green)."""

CENTER_A = (-2.0, 0.0)
CENTER_B = (2.0, 0.0)
BLOB_OFFSET = 2.0
"""Each blob's centre lies this far above (class 0) or below (class 1) the cloud centre."""
BLOB_STD = 0.5
SHUFFLE_FRACTIONS = np.round(np.linspace(0.0, 1.0, 21), 10)
"""Shuffle fractions of the curve: steps of 0.05 (the page's slider step), rounded to exact decimals."""


def two_blob_cloud(
    n_points: int,
    center: tuple[float, float],
    seed: Seed,
    *,
    offset: float = BLOB_OFFSET,
    std: float = BLOB_STD,
) -> tuple[np.ndarray, np.ndarray]:
    """Sample ``n_points`` 2-D points as two isotropic Gaussian blobs.

    Class 0 is ``N(center + (0, offset), std^2 I)``, class 1 is
    ``N(center - (0, offset), std^2 I)``; the first ``ceil(n_points / 2)`` points
    are class 0, the rest class 1.

    Returns:
        ``(points, labels)``: float64 array ``(n_points, 2)`` and int64 array ``(n_points,)``.
    """
    if n_points < 2:
        raise ValueError(f"need at least 2 points for two blobs, got {n_points}")
    rng = np.random.default_rng(seed)
    n0 = (n_points + 1) // 2
    labels = np.repeat(np.array(CLASSES, dtype=np.int64), [n0, n_points - n0])
    means = np.asarray(center, dtype=np.float64) + np.where(labels[:, None] == 0, 1.0, -1.0) * [0.0, offset]
    points = means + std * rng.standard_normal((n_points, 2))
    return points, labels


def rotate(points: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate 2-D ``points`` counter-clockwise by ``degrees`` about their centroid.

    ``x -> c + R(theta) (x - c)`` with ``c`` the mean point and
    ``R(theta) = [[cos theta, -sin theta], [sin theta, cos theta]]``.
    """
    points = np.asarray(points, dtype=np.float64)
    theta = np.deg2rad(degrees)
    rotation = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    centroid = points.mean(axis=0)
    return centroid + (points - centroid) @ rotation.T


def shuffle_labels(
    labels: np.ndarray,
    fraction: float,
    seed: Seed,
    classes: tuple[int, ...] | None = None,
) -> np.ndarray:
    """Give ``round(fraction * n)`` randomly chosen points a uniformly random label.

    A new label is drawn uniformly from ``classes`` (default: the labels present), so
    it may equal the old one: with ``K`` classes about ``fraction * (K - 1) / K`` of
    the labels change. The random permutation and the candidate labels are drawn
    for all points regardless of ``fraction``, so for one seed the points shuffled
    at a smaller fraction are a subset of those shuffled at a larger one, which
    makes curves over ``fraction`` vary smoothly. ``fraction = 0`` returns an
    unchanged copy.
    """
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must lie in [0, 1], got {fraction}")
    labels = np.asarray(labels)
    choices = np.unique(labels) if classes is None else np.asarray(classes)
    rng = np.random.default_rng(seed)
    order = rng.permutation(labels.shape[0])
    candidates = rng.choice(choices, size=labels.shape[0])
    shuffled = labels.copy()
    picked = order[: round(fraction * labels.shape[0])]
    shuffled[picked] = candidates[picked]
    return shuffled


@dataclass(frozen=True)
class ToyPair:
    """Settings of the two toy datasets; :meth:`datasets` builds them.

    ``seed`` drives four independent streams (cloud A, cloud B, shuffle A,
    shuffle B), so changing one dataset's shuffle never moves the other's points.
    """

    n_points: int = 200
    seed: int = 0
    rotation_a: float = 0.0
    rotation_b: float = 0.0
    shuffle_a: float = 0.0
    shuffle_b: float = 0.0

    def datasets(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(X_a, y_a, X_b, y_b)``: both clouds rotated and label-shuffled as set."""
        cloud_a, cloud_b, shuffle_a, shuffle_b = np.random.SeedSequence(self.seed).spawn(4)
        x_a, y_a = two_blob_cloud(self.n_points, CENTER_A, cloud_a)
        x_b, y_b = two_blob_cloud(self.n_points, CENTER_B, cloud_b)
        return (
            rotate(x_a, self.rotation_a),
            shuffle_labels(y_a, self.shuffle_a, shuffle_a, CLASSES),
            rotate(x_b, self.rotation_b),
            shuffle_labels(y_b, self.shuffle_b, shuffle_b, CLASSES),
        )


def pair_distances(pair: ToyPair, **otdd_options) -> OTDDResult:
    """OTDD (and plain OT) between dataset A and dataset B of ``pair``.

    ``otdd_options`` go to :func:`dsviz.otdd.compute_otdd` (its defaults otherwise, with
    ``plain_ot=True``: this study is the comparison of the two).
    """
    x_a, y_a, x_b, y_b = pair.datasets()
    return compute_otdd(x_a, y_a, x_b, y_b, **{"plain_ot": True, **otdd_options})


@dataclass(frozen=True)
class ShuffleCurve:
    """OT and OTDD as dataset B's label-shuffle fraction goes from 0 to 1."""

    fractions: np.ndarray
    ot: np.ndarray
    otdd: np.ndarray


def shuffle_curve(
    pair: ToyPair,
    fractions: np.ndarray = SHUFFLE_FRACTIONS,
    distances: Callable[[ToyPair], OTDDResult] | None = None,
    **otdd_options,
) -> ShuffleCurve:
    """Evaluate :func:`pair_distances` with ``pair.shuffle_b`` set to each fraction.

    Everything else (rotations, dataset A's shuffle, points, seed) stays as in
    ``pair``. OT ignores labels, so its curve is flat; OTDD rises as B's labels
    stop matching its geometry. ``distances`` replaces :func:`pair_distances`
    (``otdd_options`` then unused), e.g. a cached version of it, so the curve and
    single settings share computed results.
    """
    distances = distances or (lambda p: pair_distances(p, **otdd_options))
    results = [distances(replace(pair, shuffle_b=float(f))) for f in fractions]
    return ShuffleCurve(
        fractions=np.asarray(fractions, dtype=np.float64),
        ot=np.array([r.ot for r in results]),
        otdd=np.array([r.otdd for r in results]),
    )
