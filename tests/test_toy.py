"""Toy data of the label-shuffle page and the figure's claim (OT flat, OTDD rises)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from dsviz.studies.toy import (
    BLOB_OFFSET,
    CENTER_A,
    SHUFFLE_FRACTIONS,
    ToyPair,
    pair_distances,
    rotate,
    shuffle_curve,
    shuffle_labels,
    two_blob_cloud,
)


def test_two_blob_cloud_layout():
    points, labels = two_blob_cloud(401, CENTER_A, seed=3)
    assert points.shape == (401, 2) and labels.shape == (401,)
    assert np.bincount(labels).tolist() == [201, 200]
    top, bottom = points[labels == 0].mean(axis=0), points[labels == 1].mean(axis=0)
    np.testing.assert_allclose(top, [CENTER_A[0], CENTER_A[1] + BLOB_OFFSET], atol=0.15)
    np.testing.assert_allclose(bottom, [CENTER_A[0], CENTER_A[1] - BLOB_OFFSET], atol=0.15)


def test_two_blob_cloud_is_deterministic_per_seed():
    a, la = two_blob_cloud(50, (0.0, 0.0), seed=7)
    b, lb = two_blob_cloud(50, (0.0, 0.0), seed=7)
    c, _ = two_blob_cloud(50, (0.0, 0.0), seed=8)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(la, lb)
    assert not np.allclose(a, c)


def test_rotate_full_turn_is_identity():
    points, _ = two_blob_cloud(100, (1.0, -2.0), seed=0)
    np.testing.assert_allclose(rotate(points, 360.0), points, atol=1e-12)
    np.testing.assert_allclose(rotate(points, 0.0), points, atol=1e-12)


def test_rotate_preserves_centroid_and_distances_to_it():
    points, _ = two_blob_cloud(100, (1.0, -2.0), seed=0)
    turned = rotate(points, 73.0)
    centroid = points.mean(axis=0)
    np.testing.assert_allclose(turned.mean(axis=0), centroid, atol=1e-12)
    np.testing.assert_allclose(
        np.linalg.norm(turned - centroid, axis=1), np.linalg.norm(points - centroid, axis=1), atol=1e-12
    )
    assert not np.allclose(turned, points)


def test_rotate_half_turn_swaps_the_blobs():
    points, labels = two_blob_cloud(200, (0.0, 0.0), seed=1)
    turned = rotate(points, 180.0)
    assert turned[labels == 0, 1].mean() < 0 < turned[labels == 1, 1].mean()


def test_shuffle_zero_is_identity():
    labels = np.repeat([0, 1], 50)
    np.testing.assert_array_equal(shuffle_labels(labels, 0.0, seed=5), labels)


def test_shuffle_one_changes_about_half_of_two_classes():
    labels = np.repeat([0, 1], 1000)
    changed = np.mean(shuffle_labels(labels, 1.0, seed=5) != labels)
    assert 0.45 < changed < 0.55


def test_shuffle_is_deterministic_and_nested():
    labels = np.repeat([0, 1], 100)
    np.testing.assert_array_equal(shuffle_labels(labels, 0.4, seed=2), shuffle_labels(labels, 0.4, seed=2))
    assert not np.array_equal(shuffle_labels(labels, 0.4, seed=2), shuffle_labels(labels, 0.4, seed=3))
    small = shuffle_labels(labels, 0.2, seed=2) != labels
    large = shuffle_labels(labels, 0.6, seed=2) != labels
    assert np.all(large[small])


def test_shuffle_rejects_fraction_outside_unit_interval():
    with pytest.raises(ValueError):
        shuffle_labels(np.zeros(4, dtype=int), 1.5, seed=0)


def test_pair_streams_are_independent():
    x_a, y_a, x_b, _ = ToyPair(n_points=60).datasets()
    x_a2, y_a2, x_b2, y_b2 = ToyPair(n_points=60, shuffle_b=1.0, rotation_b=90.0).datasets()
    np.testing.assert_array_equal(x_a, x_a2)
    np.testing.assert_array_equal(y_a, y_a2)
    np.testing.assert_allclose(rotate(x_b, 90.0), x_b2, atol=1e-12)


def test_label_shuffle_raises_otdd_but_not_ot():
    """The blog figure's claim on the default clouds: shuffling B's labels leaves
    OT exactly unchanged and raises OTDD by far more (relative) than OT."""
    curve = shuffle_curve(ToyPair(), fractions=np.array([0.0, 0.5, 1.0]))
    assert curve.ot[1] == pytest.approx(curve.ot[0], rel=1e-12)
    assert curve.ot[2] == pytest.approx(curve.ot[0], rel=1e-12)
    otdd_rise = curve.otdd[2] / curve.otdd[0] - 1.0
    assert otdd_rise > 0.1
    assert curve.otdd[0] < curve.otdd[1] < curve.otdd[2]


def test_shuffle_curve_takes_its_points_from_the_given_distances():
    """A cached ``distances`` (as the page passes) is asked once per fraction, with only
    B's shuffle changed, and the curve carries exactly its numbers."""
    asked: list[ToyPair] = []

    def distances(pair: ToyPair):
        asked.append(pair)
        return pair_distances(pair)

    base = ToyPair(n_points=40, rotation_b=30.0, shuffle_b=0.7)
    curve = shuffle_curve(base, fractions=np.array([0.0, 0.25]), distances=distances)
    assert asked == [replace(base, shuffle_b=0.0), replace(base, shuffle_b=0.25)]
    assert curve.otdd.tolist() == [pair_distances(p).otdd for p in asked]


def test_curve_fractions_are_exact_slider_steps():
    """21 points at the page slider's 0.05 step, rounded so 0.15 is the float 0.15."""
    assert len(SHUFFLE_FRACTIONS) == 21 and SHUFFLE_FRACTIONS[3] == 0.15 and SHUFFLE_FRACTIONS[-1] == 1.0
