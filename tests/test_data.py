"""Tests of dataset loading, validation, availability and feature vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dsviz.data import DATASETS, DataError, DatasetUnavailable, availability, data_dir, load, to_features


def _save(path: Path, **arrays: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)
    return path


def _split(counts: list[int], size: int = 28, seed: int = 0) -> dict[str, np.ndarray]:
    """Random uint8 images with ``counts[k]`` images of class ``k``."""
    labels = np.repeat(np.arange(len(counts)), counts).astype(np.int64)
    images = np.random.default_rng(seed).integers(0, 256, (len(labels), size, size), dtype=np.uint8)
    return {"images": images, "labels": labels}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A data folder with a synthetic ``mnist`` (class 1 has only 3 train images)."""
    counts = [20, 3, 20, 20, 20, 20, 20, 20, 20, 20]
    _save(tmp_path / "mnist" / "train.npz", **_split(counts))
    _save(tmp_path / "mnist" / "test.npz", **_split([5] * 10, seed=1))
    return tmp_path


# --- sampling ---------------------------------------------------------------------------------


def test_loads_everything_by_default(root: Path) -> None:
    data = load("mnist", data_dir=root)
    stored = np.load(root / "mnist" / "train.npz")
    assert data.images.shape == (183, 28, 28) and data.images.dtype == np.uint8
    assert data.labels.dtype == np.int64
    np.testing.assert_array_equal(data.images, stored["images"])
    assert data.classes == DATASETS["mnist"].classes
    assert data.split_used == "train"
    assert data.source == str(root / "mnist" / "train.npz")
    assert data.present_classes == tuple(range(10))


def test_n_at_least_dataset_size_returns_all(root: Path) -> None:
    assert len(load("mnist", n=10_000, data_dir=root).labels) == 183


def test_balanced_sample_spreads_remainder_to_first_classes(root: Path) -> None:
    data = load("mnist", split="test", n=43, data_dir=root)
    counts = np.bincount(data.labels, minlength=10)
    np.testing.assert_array_equal(counts, [5, 5, 5, 4, 4, 4, 4, 4, 4, 4])


def test_balanced_sample_fills_up_for_small_class(root: Path) -> None:
    data = load("mnist", n=50, data_dir=root)
    counts = np.bincount(data.labels, minlength=10)
    assert counts[1] == 3  # all it has
    assert counts.sum() == 50
    assert counts.max() - counts[counts != 3].min() <= 1  # the rest stays even


def test_sample_images_match_their_labels(root: Path) -> None:
    stored = np.load(root / "mnist" / "train.npz")
    data = load("mnist", n=30, seed=3, data_dir=root)
    rows = [np.flatnonzero((stored["images"] == image).all(axis=(1, 2)))[0] for image in data.images]
    np.testing.assert_array_equal(stored["labels"][rows], data.labels)


@pytest.mark.parametrize("balanced", [True, False])
def test_sampling_is_deterministic_per_seed(root: Path, balanced: bool) -> None:
    first = load("mnist", n=30, seed=7, balanced=balanced, data_dir=root)
    again = load("mnist", n=30, seed=7, balanced=balanced, data_dir=root)
    other = load("mnist", n=30, seed=8, balanced=balanced, data_dir=root)
    np.testing.assert_array_equal(first.images, again.images)
    np.testing.assert_array_equal(first.labels, again.labels)
    assert not np.array_equal(first.images, other.images)


def test_unbalanced_sample_is_a_subset_of_size_n(root: Path) -> None:
    data = load("mnist", n=25, balanced=False, data_dir=root)
    assert data.images.shape == (25, 28, 28)
    assert len({image.tobytes() for image in data.images}) == 25


# --- splits, registry datasets, npz paths -----------------------------------------------------


def test_missing_split_falls_back_to_the_other(tmp_path: Path) -> None:
    _save(tmp_path / "emnist-letters" / "test.npz", **_split([4] * 13))
    data = load("emnist-letters", split="train", data_dir=tmp_path, download=False)
    assert data.split_used == "test"
    assert len(data.classes) == 26
    assert data.present_classes == tuple(range(13))


def test_small_images_are_resized_to_28(tmp_path: Path) -> None:
    labels = np.arange(10, dtype=np.int64)
    _save(tmp_path / "usps" / "train.npz", images=np.full((10, 16, 16), 100, np.uint8), labels=labels)
    data = load("usps", data_dir=tmp_path, download=False)
    assert data.images.shape == (10, 28, 28) and data.images.dtype == np.uint8
    assert (data.images == 100).all()  # interpolation keeps a constant image constant


def test_large_images_are_downscaled(tmp_path: Path) -> None:
    images = np.zeros((2, 56, 56), np.uint8)
    images[:, :, 28:] = 200
    path = _save(tmp_path / "big.npz", images=images, labels=np.array([0, 1]))
    data = load(str(path))
    assert data.images.shape == (2, 28, 28)
    assert (data.images[:, :, :13] == 0).all() and (data.images[:, :, 15:] == 200).all()


def test_npz_path_with_string_labels(tmp_path: Path) -> None:
    labels = np.array(["dog", "cat", "emu", "cat", "dog", "dog"])
    images = np.arange(6 * 28 * 28).reshape(6, 28, 28) % 256
    path = _save(tmp_path / "pets.npz", images=images.astype(np.uint8), labels=labels)
    data = load(str(path))
    assert data.classes == ("cat", "dog", "emu")
    np.testing.assert_array_equal(data.labels, [1, 0, 2, 0, 1, 1])
    assert data.split_used == "file" and data.name == str(path)
    balanced = load(str(path), n=3)
    assert balanced.present_classes == (0, 1, 2)


def test_npz_path_with_numeric_labels_keeps_their_names(tmp_path: Path) -> None:
    path = _save(tmp_path / "d.npz", images=np.zeros((3, 28, 28), np.uint8), labels=np.array([7, 3, 7]))
    data = load(str(path))
    assert data.classes == ("3", "7")
    np.testing.assert_array_equal(data.labels, [1, 0, 1])


@pytest.mark.parametrize(
    ("pixel", "expected"),
    [
        ([1.0, 0.0, 0.0], 76),  # red, float in [0, 1]: 0.299 * 255
        ([0.0, 255.0, 0.0], 150),  # green, float in [0, 255]: 0.587 * 255
        ([0.0, 0.0, 1.0, 0.5], 29),  # blue with alpha: alpha ignored
        ([200.0], 200),  # single channel
    ],
)
def test_colour_images_become_luminance(tmp_path: Path, pixel: list[float], expected: int) -> None:
    images = np.broadcast_to(np.array(pixel, np.float32), (2, 28, 28, len(pixel)))
    path = _save(tmp_path / "c.npz", images=images, labels=np.array([0, 1]))
    data = load(str(path))
    assert data.images.shape == (2, 28, 28)
    assert (data.images == expected).all()


def test_integer_images_in_range_are_accepted(tmp_path: Path) -> None:
    images = np.full((2, 28, 28), 255, np.int64)
    path = _save(tmp_path / "i.npz", images=images, labels=np.array([0, 1]))
    assert (load(str(path)).images == 255).all()


# --- validation -------------------------------------------------------------------------------


def _valid() -> dict[str, np.ndarray]:
    return {"images": np.zeros((4, 28, 28), np.uint8), "labels": np.array([0, 1, 0, 1])}


def _bad_npz_cases() -> dict[str, dict[str, np.ndarray]]:
    valid = _valid()
    return {
        "missing images": {"labels": valid["labels"]},
        "missing labels": {"images": valid["images"]},
        "length mismatch": {**valid, "labels": np.array([0, 1, 0])},
        "2-D images": {**valid, "images": np.zeros((4, 784), np.uint8)},
        "5-D images": {**valid, "images": np.zeros((4, 1, 28, 28, 1), np.uint8)},
        "2 channels": {**valid, "images": np.zeros((4, 28, 28, 2), np.uint8)},
        "2-D labels": {**valid, "labels": np.zeros((4, 1), np.int64)},
        "NaN pixel": {**valid, "images": np.full((4, 28, 28), np.nan, np.float32)},
        "infinite pixel": {**valid, "images": np.full((4, 28, 28), np.inf)},
        "float above 255": {**valid, "images": np.full((4, 28, 28), 300.0)},
        "negative float": {**valid, "images": np.full((4, 28, 28), -0.5)},
        "int above 255": {**valid, "images": np.full((4, 28, 28), 256, np.int32)},
        "bool images": {**valid, "images": np.ones((4, 28, 28), bool)},
        "NaN label": {**valid, "labels": np.array([0.0, np.nan, 1.0, 1.0])},
        "empty": {"images": np.zeros((0, 28, 28), np.uint8), "labels": np.zeros(0, np.int64)},
        "zero-size images": {**valid, "images": np.zeros((4, 0, 28), np.uint8)},
    }


@pytest.mark.parametrize("case", list(_bad_npz_cases()))
def test_invalid_npz_contents_raise_data_error(tmp_path: Path, case: str) -> None:
    path = _save(tmp_path / "bad.npz", **_bad_npz_cases()[case])
    with pytest.raises(DataError) as info:
        load(str(path))
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_garbage_file_raises_data_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.npz"
    path.write_bytes(b"this is not an npz archive" * 10)
    with pytest.raises(DataError, match="not an npz archive"):
        load(str(path))


def test_truncated_npz_raises_data_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.npz"
    np.savez_compressed(path, **_split([50, 50]))
    path.write_bytes(path.read_bytes()[:-300])
    with pytest.raises(DataError):
        load(str(path))


def test_corrupt_npz_member_raises_data_error(tmp_path: Path) -> None:
    path = tmp_path / "flipped.npz"
    np.savez_compressed(path, **_split([50, 50]))
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match="corrupt npz"):
        load(str(path))


def test_single_npy_array_raises_data_error(tmp_path: Path) -> None:
    path = tmp_path / "array.npy"
    np.save(path, np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(DataError, match="not an npz archive"):
        load(str(path))


@pytest.mark.parametrize("labels", [np.arange(12) % 11, np.array([-1] + [0] * 11), np.linspace(0, 1, 12)])
def test_registered_dataset_needs_class_indices(tmp_path: Path, labels: np.ndarray) -> None:
    _save(tmp_path / "mnist" / "train.npz", images=np.zeros((12, 28, 28), np.uint8), labels=labels)
    with pytest.raises(DataError, match="labels"):
        load("mnist", data_dir=tmp_path, download=False)


def test_unknown_name_split_and_n_raise(root: Path) -> None:
    with pytest.raises(DataError, match="unknown dataset 'cifar'"):
        load("cifar", data_dir=root)
    with pytest.raises(DataError, match="unknown split"):
        load("mnist", split="val", data_dir=root)
    with pytest.raises(DataError, match="n must be"):
        load("mnist", n=0, data_dir=root)


def test_missing_dataset_without_download_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(DatasetUnavailable) as info:
        load("fashion-mnist", data_dir=tmp_path, download=False)
    message = str(info.value)
    assert "fashion-mnist" in message and str(tmp_path / "fashion-mnist") in message
    assert "DSVIZ_DATA_DIR" in message and "python -m dsviz download fashion-mnist" in message


# --- data folder and availability -------------------------------------------------------------


def test_data_dir_prefers_env_then_xdg_then_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DSVIZ_DATA_DIR", "/some/data")
    assert data_dir() == Path("/some/data")
    monkeypatch.delenv("DSVIZ_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", "/xdg")
    assert data_dir() == Path("/xdg/dsviz")
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", "/home/someone")
    assert data_dir() == Path("/home/someone/.local/share/dsviz")


def test_load_uses_env_data_dir(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DSVIZ_DATA_DIR", str(root))
    assert load("mnist", n=10).source == str(root / "mnist" / "train.npz")


def test_availability_reports_partial_and_missing(root: Path) -> None:
    _save(root / "emnist-letters" / "test.npz", **_split([2] * 13))
    (root / "usps").mkdir()
    (root / "usps" / "train.npz").write_bytes(b"broken")
    status = availability(root)
    assert set(status) == set(DATASETS)
    assert status["mnist"].counts == {"train": 183, "test": 50}
    assert status["mnist"].message == "" and status["mnist"].available
    letters = status["emnist-letters"]
    assert letters.counts == {"test": 26} and letters.present_classes == tuple(range(13))
    assert "only the test split" in letters.message and "13 of 26" in letters.message
    assert not status["kmnist"].available
    assert "kmnist" in status["kmnist"].message and str(root / "kmnist") in status["kmnist"].message
    assert not status["usps"].available and "train.npz is unreadable" in status["usps"].message


# --- features ---------------------------------------------------------------------------------


def test_to_features_normalizations() -> None:
    images = np.array([[[0, 255], [51, 102]]], np.uint8)
    unit = to_features(images, normalize="unit")
    assert unit.dtype == np.float32 and unit.shape == (1, 4)
    np.testing.assert_allclose(unit, [[0.0, 1.0, 0.2, 0.4]], rtol=1e-6)
    np.testing.assert_allclose(to_features(images), (unit - 0.1307) / 0.3081, rtol=1e-6)


def test_to_features_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="uint8"):
        to_features(np.zeros((2, 28, 28), np.float32))
    with pytest.raises(ValueError, match="normalization"):
        to_features(np.zeros((2, 28, 28), np.uint8), normalize="imagenet")  # type: ignore[arg-type]


# --- real data (DSVIZ_DATA_DIR) ---------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_data(real_data_dir: str) -> Path:
    return Path(real_data_dir)


def _vertical_minus_horizontal_mass(images: np.ndarray) -> float:
    """Mass of the mean image in the central column band minus the central row band."""
    mean = images.astype(np.float64).mean(axis=0)
    return float(mean[:, 11:17].sum() - mean[11:17, :].sum())


def test_real_mnist_train(shared_data: Path) -> None:
    data = load("mnist", data_dir=shared_data, download=False)
    assert data.images.shape == (60_000, 28, 28) and data.images.dtype == np.uint8
    assert data.images.mean() == pytest.approx(33.32, abs=0.01)
    assert data.present_classes == tuple(range(10))
    ones = data.images[data.labels == data.classes.index("1")]
    assert _vertical_minus_horizontal_mass(ones) > 0  # upright: a "1" is a vertical stroke


def test_real_usps_is_resized(shared_data: Path) -> None:
    data = load("usps", split="test", n=200, data_dir=shared_data, download=False)
    assert data.images.shape == (200, 28, 28)
    assert np.bincount(data.labels).tolist() == [20] * 10


def test_real_emnist_letters_reads_what_is_there(shared_data: Path) -> None:
    status = availability(shared_data)["emnist-letters"]  # the report, not today's folder, sets the expectations
    data = load("emnist-letters", split="train", data_dir=shared_data, download=False)
    assert data.split_used == ("train" if "train" in status.counts else "test")
    assert data.present_classes == status.present_classes and len(data.classes) == 26
    assert ("of 26" in status.message) == (len(status.present_classes) < 26)
    ells = data.images[data.labels == data.classes.index("l")]
    assert _vertical_minus_horizontal_mass(ells) > 0


def test_real_availability_report_agrees_with_loading(shared_data: Path) -> None:
    """Every dataset the report calls missing fails to load with its name; every available one loads."""
    for name, status in availability(shared_data).items():
        if not status.available:
            assert name in status.message
            with pytest.raises(DatasetUnavailable, match=name):
                load(name, data_dir=shared_data, download=False)
        else:
            data = load(name, split=next(iter(status.counts)), n=20, data_dir=shared_data, download=False)
            assert len(data.images) == 20 and set(np.unique(data.labels)) <= set(status.present_classes)
