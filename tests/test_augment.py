"""Transformations (dsviz.data.transforms) and OTDD of transformed MNIST vs USPS (dsviz.studies.augment_otdd)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import ndimage

from dsviz.data import load, to_features
from dsviz.data.transforms import TRANSFORMS, transform_batch, transform_images
from dsviz.otdd import compute_otdd
from dsviz.runtime.cache import Cache
from dsviz.studies.augment_otdd import load_pair, otdd_curve, transformed_otdd

RNG = np.random.default_rng(0)
RANDOM_IMAGES = RNG.integers(0, 256, size=(6, 28, 28), dtype=np.uint8)


def _blob(center=(14.0, 14.0), sigma=2.0) -> np.ndarray:
    """One uint8 image holding a Gaussian spot."""
    rows, cols = np.mgrid[0:28, 0:28]
    spot = np.exp(-((rows - center[0]) ** 2 + (cols - center[1]) ** 2) / (2 * sigma**2))
    return (255 * spot).round().astype(np.uint8)[None]


def _centroid(image: np.ndarray) -> np.ndarray:
    w = image.astype(float)
    rows, cols = np.mgrid[0 : w.shape[0], 0 : w.shape[1]]
    return np.array([(rows * w).sum(), (cols * w).sum()]) / w.sum()


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_magnitude_zero_is_the_identity(name):
    assert np.array_equal(transform_images(RANDOM_IMAGES, name, 0.0, seed=3), RANDOM_IMAGES)


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_every_grid_magnitude_keeps_shape_and_dtype(name):
    for magnitude in TRANSFORMS[name].grid:
        out = transform_images(RANDOM_IMAGES, name, magnitude)
        assert out.shape == RANDOM_IMAGES.shape and out.dtype == np.uint8


def test_rotation_by_90_is_transpose_then_flip():
    out = transform_images(RANDOM_IMAGES, "rotation", 90)
    expected = RANDOM_IMAGES.transpose(0, 2, 1)[:, ::-1, :]  # counter-clockwise quarter turn
    assert np.array_equal(out, expected)
    assert np.array_equal(out, np.rot90(RANDOM_IMAGES, 1, axes=(1, 2)))


def test_rotation_by_180_flips_both_axes():
    assert np.array_equal(transform_images(RANDOM_IMAGES, "rotation", 180), RANDOM_IMAGES[:, ::-1, ::-1])


def test_crop_keeps_shape_and_magnifies_the_centre():
    # Crop 0.5 keeps the central 14 x 14 and doubles it: a spot of std 2 becomes std 4.
    spot = _blob(sigma=2.0)
    out = transform_images(spot, "crop", 0.5)
    assert out.shape == spot.shape
    profile = out[0].astype(float).sum(axis=0)
    cols = np.arange(28) - 13.5
    std = np.sqrt((profile * cols**2).sum() / profile.sum())
    assert std == pytest.approx(4.0, abs=0.25)


def test_translation_moves_the_centroid_by_the_magnitude():
    spot = np.repeat(_blob(sigma=1.5), 32, axis=0)
    out = transform_images(spot, "translation", 4, seed=1)
    shifts = np.array([_centroid(o) - _centroid(spot[0]) for o in out])
    assert np.linalg.norm(shifts, axis=1) == pytest.approx(np.full(32, 4.0), abs=0.1)
    angles = np.arctan2(shifts[:, 0], shifts[:, 1])
    assert np.ptp(angles) > np.pi  # random directions, not one fixed shift


def test_zoom_shrinks_the_content_about_the_centre():
    spot = _blob(center=(13.5, 13.5), sigma=3.0)
    out = transform_images(spot, "zoom", 0.5)
    profile = out[0].astype(float).sum(axis=0)
    cols = np.arange(28) - 13.5
    std = np.sqrt((profile * cols**2).sum() / profile.sum())
    assert std == pytest.approx(1.5, abs=0.25)  # sigma 3 scaled by 1 - 0.5 (plus the bilinear kernel)


@pytest.mark.parametrize("sigma", [0.5, 1.0, 1.5, 2.0])
def test_blur_matches_scipy_gaussian_filter(sigma):
    x = torch.as_tensor(RANDOM_IMAGES, dtype=torch.float64).unsqueeze(1) / 255
    ours = transform_batch(x, "blur", sigma).squeeze(1).numpy()
    for got, image in zip(ours, x.squeeze(1).numpy()):
        ref = ndimage.gaussian_filter(image, sigma, mode="constant", cval=0.0, truncate=3.0)
        np.testing.assert_allclose(got, ref, atol=1e-10)


def test_noise_has_the_requested_standard_deviation():
    grey = torch.full((64, 1, 28, 28), 0.5)
    out = transform_batch(grey, "noise", 0.1, seed=0)
    assert float((out - grey).std()) == pytest.approx(0.1, rel=0.03)
    assert float((out - grey).mean()) == pytest.approx(0.0, abs=0.005)


@pytest.mark.parametrize("name", ["translation", "noise", "elastic"])
def test_random_transforms_are_deterministic_under_a_seed(name):
    magnitude = TRANSFORMS[name].grid[4]
    a = transform_images(RANDOM_IMAGES, name, magnitude, seed=5)
    assert np.array_equal(a, transform_images(RANDOM_IMAGES, name, magnitude, seed=5))
    assert not np.array_equal(a, transform_images(RANDOM_IMAGES, name, magnitude, seed=6))


def test_elastic_moves_pixels_by_about_the_magnitude():
    # A smooth field displaces a smooth spot's centroid by roughly the local displacement.
    spot = np.repeat(_blob(sigma=1.5), 64, axis=0)
    small = transform_images(spot, "elastic", 0.5, seed=0)
    large = transform_images(spot, "elastic", 3.0, seed=0)
    move = lambda out: np.mean([np.linalg.norm(_centroid(o) - _centroid(spot[0])) for o in out])  # noqa: E731
    assert 0.1 < move(small) < move(large) < 6.0


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU")
@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_cuda_matches_cpu(name):
    magnitude = TRANSFORMS[name].grid[3]
    cpu = transform_images(RANDOM_IMAGES, name, magnitude, seed=2, device="cpu").astype(int)
    gpu = transform_images(RANDOM_IMAGES, name, magnitude, seed=2, device="cuda").astype(int)
    assert np.abs(cpu - gpu).max() <= 1


@pytest.mark.parametrize(
    ("name", "magnitude"), [("spin", 1.0), ("rotation", -1.0), ("crop", 0.9), ("blur", float("nan"))]
)
def test_bad_transform_or_magnitude_raises_value_error(name, magnitude):
    with pytest.raises(ValueError):
        transform_images(RANDOM_IMAGES, name, magnitude)


def test_bad_image_array_raises_value_error():
    with pytest.raises(ValueError):
        transform_images(RANDOM_IMAGES.astype(np.float32), "blur", 1.0)


def test_label_distances_of_mnist_against_itself_have_zero_diagonal(real_data_dir):
    mnist = load("mnist", n=300, seed=0, data_dir=real_data_dir)
    same = transform_images(mnist.images, "rotation", 0.0)
    res = compute_otdd(to_features(same), mnist.labels, to_features(mnist.images), mnist.labels, debiased=True)
    w = res.label_distances
    assert np.allclose(np.diag(w), 0.0, atol=1e-6)
    assert (w[~np.eye(10, dtype=bool)] > 0).all()
    assert res.otdd == pytest.approx(0.0, abs=1e-6)


def test_crop_moves_mnist_towards_usps_and_rotation_away(real_data_dir, tmp_path):
    """The blog's finding: cropping MNIST lowers its OTDD to USPS and sharpens the class coupling; rotating raises it."""
    cache = Cache(tmp_path)
    pair = load_pair(500, 0, real_data_dir)
    run = lambda t, m: transformed_otdd(t, m, n=500, pair=pair, cache=cache).result  # noqa: E731
    plain, cropped, rotated = run("crop", 0.0), run("crop", 0.2), run("rotation", 90)
    assert cropped.otdd < plain.otdd < rotated.otdd
    diagonal = lambda r: float(np.trace(r.plan.class_coupling))  # noqa: E731
    assert diagonal(cropped) > diagonal(plain) > diagonal(rotated)


def test_transformed_otdd_is_cached_and_lookup_only_does_not_compute(real_data_dir, tmp_path):
    cache = Cache(tmp_path)
    pair = load_pair(200, 0, real_data_dir)
    assert transformed_otdd("blur", 1.0, n=200, pair=pair, cache=cache, compute=False) is None
    first = transformed_otdd("blur", 1.0, n=200, pair=pair, cache=cache)
    again = transformed_otdd("blur", 1.0, n=200, pair=pair, cache=cache, compute=False)
    assert not first.cache_hit and again.cache_hit
    assert again.result.otdd == first.result.otdd
    np.testing.assert_array_equal(again.src.images, first.src.images)
    other = transformed_otdd("blur", 2.0, n=200, pair=pair, cache=cache)
    assert not other.cache_hit and other.result.otdd != first.result.otdd


def test_curve_covers_the_grid_and_starts_at_plain_mnist(real_data_dir, tmp_path):
    cache = Cache(tmp_path)
    pair = load_pair(100, 0, real_data_dir)
    seen = []
    curve = otdd_curve("noise", n=100, pair=pair, cache=cache, progress=lambda d, t, w: seen.append((d, t)))
    assert curve.magnitudes.tolist() == list(TRANSFORMS["noise"].grid)
    assert seen[-1] == (8, 8)
    plain = transformed_otdd("rotation", 0.0, n=100, pair=pair, cache=cache).result.otdd
    assert curve.otdd[0] == pytest.approx(plain)
    assert curve.otdd[-1] > curve.otdd[0]  # heavy noise makes MNIST less like USPS
