"""One input-validation module (dsviz.data.validation) for every engine: the same bad input, the same message."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import dsviz
from dsviz.data.validation import check_array, check_choice, check_labels, check_same_width, check_shapes
from dsviz.otdd.engine import compute_otdd
from dsviz.otdd.sliced import compute_sotdd

X = np.random.default_rng(0).normal(size=(12, 3))
Y = np.arange(12) % 3


def test_check_array_converts_and_keeps_good_input():
    out = check_array(torch.arange(6, dtype=torch.int32).reshape(3, 2), "x")
    assert out.dtype == np.float64 and out.shape == (3, 2)
    images = np.zeros((2, 4, 4), np.uint8)
    assert check_array(images, "x", ndim=(2, 3), dtype=None) is images


@pytest.mark.parametrize(
    "x, message",
    [
        (np.zeros(5), r"x must be a 2-D array \(n samples x d features\), non-empty; got shape \(5,\)"),
        (np.zeros((0, 3)), r"non-empty; got shape \(0, 3\)"),
        (np.zeros((3, 0)), r"non-empty; got shape \(3, 0\)"),
        (np.array([["a", "b"]]), "x must be numeric, got dtype <U1"),
        (np.ones((2, 2), bool), "x must be numeric, got dtype bool"),
        (np.array([[1.0, np.inf]]), "x must be finite numbers: it contains NaN or infinite values"),
        (np.array([[np.nan, 1.0]]), "contains NaN"),
    ],
)
def test_check_array_rejects_bad_arrays_with_a_message(x, message):
    with pytest.raises(ValueError, match=message):
        check_array(x, "x")


def test_check_labels_names_the_rows_they_belong_to():
    np.testing.assert_array_equal(check_labels(torch.tensor([1, 0]), 2, "y", "x"), [1, 0])
    with pytest.raises(ValueError, match=r"y must hold one label per row of x: a vector of length 3, got shape \(2,\)"):
        check_labels([0, 1], 3, "y", "x")
    with pytest.raises(ValueError, match=r"got shape \(3, 1\)"):
        check_labels(np.zeros((3, 1)), 3, "y", "x")
    with pytest.raises(ValueError, match="y contains NaN or infinite labels"):
        check_labels([0.0, np.nan], 2, "y", "x")


def test_width_and_choice_checks():
    check_same_width(np.zeros((2, 3)), np.zeros((5, 3)), "a", "b")
    with pytest.raises(ValueError, match=r"feature dimensions differ: a rows are \(3,\) but b rows are \(2,\)"):
        check_same_width(np.zeros((2, 3)), np.zeros((2, 2)), "a", "b")
    assert check_choice("exact", ("exact", "gaussian"), "label distance") == "exact"
    with pytest.raises(ValueError, match="unknown label distance 'cosine'; choose one of exact, gaussian"):
        check_choice("cosine", ("exact", "gaussian"), "label distance")


def _otdd(x1, y1, x2, y2):
    compute_otdd(x1, y1, x2, y2)


def _sotdd(x1, y1, x2, y2):
    compute_sotdd(x1, y1, x2, y2, n_projections=4)


@pytest.mark.parametrize("engine", [_otdd, _sotdd], ids=["otdd", "sotdd"])
@pytest.mark.parametrize(
    "args, message",
    [
        ((X[:, 0], Y, X, Y), r"x1 must be a 2-D array"),
        ((X, Y, np.where(X > 1, np.nan, X), Y), "x2 must be finite numbers"),
        ((X, Y, X[:, :2], Y), r"feature dimensions differ: x1 rows are \(3,\) but x2 rows are \(2,\)"),
        ((X, Y[:-1], X, Y), "one label per row of x1: a vector of length 12"),
        ((X, Y, X, Y[:, None]), r"one label per row of x2: a vector of length 12, got shape \(12, 1\)"),
        ((X, Y, X, np.where(Y == 0, np.nan, Y)), "contains NaN or infinite labels"),
    ],
)
def test_every_engine_rejects_the_same_bad_input_with_the_same_message(engine, args, message):
    with pytest.raises(ValueError, match=message):
        engine(*args)


def test_the_python_api_uses_the_same_checks():
    with pytest.raises(ValueError, match=r"x_b must be images N x H x W or feature rows N x D, non-empty"):
        dsviz.distance(X, Y, np.zeros((0, 3)), Y[:0])
    with pytest.raises(ValueError, match="y_a must hold one label per row of x_a: a vector of length 12"):
        dsviz.distance(X, Y[:5], X, Y)


def test_check_shapes_names_the_first_array_that_differs():
    check_shapes("result", a=(np.zeros((2, 3)), (2, 3)), b=([1, 2], (2,)))
    with pytest.raises(ValueError, match=r"result: b has shape \(3,\), expected \(2,\)"):
        check_shapes("result", a=(np.zeros((2, 3)), (2, 3)), b=(np.zeros(3), (2,)))
