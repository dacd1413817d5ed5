"""Datasets derived from MNIST for the SimEx between-dataset experiment.

SimEx (Hwang et al., 2020, §5.3) compares MNIST with variants of itself:

* ``mnist-rotated``: every digit rotated by an angle drawn uniformly from
  [0, 360) degrees, as in the "mnist-rot" set of Larochelle et al. (ICML 2007).
  Rotation is bilinear, about the image centre (``torch.nn.functional.grid_sample``).
* ``mnist-background``: digits over 28 x 28 patches of real photographs, as in
  "mnist-back-image" (Larochelle et al., 2007). The photographs are the grayscale
  sample images that scikit-image ships (no download); the digit is composited
  on top with its own intensity as opacity: ``out = d + (1 - d) * patch`` for
  ``d, patch`` in [0, 1].

Each variant draws its MNIST digits with a seed offset, so it does not reuse the
exact images of an ``mnist`` sample with the same seed. When MNIST is not in the
data folder, the variants are built from the bundled ``mnist-5k`` (a subset of
MNIST's training split) instead, and their status says so. :func:`load_any` loads a
registered or a derived dataset by name, :func:`dataset_status` says what is
available, and :func:`as_npz` writes a derived sample to a file, which is how
name-based tools such as :func:`dsviz.methods.compare` read it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from dsviz.data import DATASETS, LabeledImages, availability, load
from dsviz.data.registry import DataError
from dsviz.runtime.cache import default_cache_dir, fingerprint

DERIVED: dict[str, str] = {
    "mnist-rotated": "MNIST, each digit rotated by a uniform random angle in [0°, 360°)",
    "mnist-background": "MNIST digits over patches of natural photographs (scikit-image samples)",
}
"""Derived dataset names and a one-line description of each."""

_SEED_OFFSET = {"mnist-rotated": 1_000_003, "mnist-background": 2_000_003}
_PHOTOS = ("camera", "brick", "grass", "gravel", "moon", "coins", "clock", "astronaut", "coffee", "chelsea")
"""scikit-image sample images used as backgrounds (all bundled with the package)."""


def rotate(images: np.ndarray, degrees: np.ndarray) -> np.ndarray:
    """Rotate each uint8 image counter-clockwise by ``degrees[i]`` about its centre (bilinear, zero fill)."""
    import torch  # here, not at the top: importing torch takes seconds (the app's cold start)
    import torch.nn.functional as F

    x = torch.from_numpy(images).float().unsqueeze(1)
    theta = torch.from_numpy(np.deg2rad(np.asarray(degrees, dtype=np.float64))).float()
    cos, sin = torch.cos(theta), torch.sin(theta)
    # affine_grid maps output coordinates to input ones, so the inverse rotation goes in the matrix.
    affine = torch.stack(
        [torch.stack([cos, -sin, torch.zeros_like(cos)], 1), torch.stack([sin, cos, torch.zeros_like(cos)], 1)], 1
    )
    grid = F.affine_grid(affine, list(x.shape), align_corners=False)
    out = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return out.squeeze(1).round().clamp(0, 255).to(torch.uint8).numpy()


def photo_patches(n: int, rng: np.random.Generator, size: int = 28) -> np.ndarray:
    """``n`` random ``size`` x ``size`` uint8 grayscale crops of scikit-image's sample photographs."""
    from skimage import data as samples  # imported here: only this variant needs scikit-image
    from skimage.color import rgb2gray

    photos = []
    for name in _PHOTOS:
        img = getattr(samples, name)()
        if img.ndim == 3:
            img = (rgb2gray(img[..., :3]) * 255).astype(np.uint8)
        photos.append(img)
    which = rng.integers(len(photos), size=n)
    patches = np.empty((n, size, size), dtype=np.uint8)
    for i, p in enumerate(which):
        h, w = photos[p].shape
        r, c = rng.integers(h - size + 1), rng.integers(w - size + 1)
        patches[i] = photos[p][r : r + size, c : c + size]
    return patches


def over_background(digits: np.ndarray, patches: np.ndarray) -> np.ndarray:
    """Composite uint8 digits over uint8 patches with the digit as its own opacity: d + (1 - d) * patch."""
    d = digits.astype(np.float32) / 255.0
    p = patches.astype(np.float32) / 255.0
    return np.rint((d + (1.0 - d) * p) * 255.0).clip(0, 255).astype(np.uint8)


BASE, STAND_IN = "mnist", "mnist-5k"
"""The dataset the variants are made from, and the bundled subset used when it is absent."""


def derived_base(data_dir: str | os.PathLike[str] | None = None) -> str:
    """``mnist`` when it is available, else ``mnist-5k``."""
    return BASE if availability(data_dir)[BASE].available else STAND_IN


def choose_datasets(
    preferred: list[str] | tuple[str, ...],
    minimum: int = 2,
    data_dir: str | os.PathLike[str] | None = None,
) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """(usable, missing -> note, partial -> note) for ``preferred``, topped up with bundled data.

    The usable names of ``preferred`` come first; when there are fewer than
    ``minimum``, the available bundled datasets (``digits``, ``mnist-5k``: they ship
    with installed packages) are appended, so a page always has data to show.
    """
    status = dataset_status(list(preferred), data_dir)
    usable = [name for name, (ok, _) in status.items() if ok]
    missing = {name: note for name, (ok, note) in status.items() if not ok}
    partial = {name: note for name, (ok, note) in status.items() if ok and note}
    if len(usable) < minimum:
        extra = [name for name, info in DATASETS.items() if info.bundled and name not in usable]
        usable += [name for name, (ok, _) in dataset_status(extra, data_dir).items() if ok]
    return usable, missing, partial


def load_any(
    name: str,
    split: str = "train",
    n: int | None = None,
    seed: int = 0,
    data_dir: str | os.PathLike[str] | None = None,
) -> LabeledImages:
    """Load a registered dataset (never downloading) or a derived one, class-balanced.

    Raises:
        DatasetUnavailable / DataError: as :func:`dsviz.data.load`, e.g. when the
        dataset (or, for a derived one, MNIST) is not in the data folder.
    """
    if name not in DERIVED:
        return load(name, split=split, n=n, seed=seed, data_dir=data_dir, download=False)
    base_seed = seed + _SEED_OFFSET[name]
    base = load(derived_base(data_dir), split=split, n=n, seed=base_seed, data_dir=data_dir, download=False)
    rng = np.random.default_rng(base_seed)
    if name == "mnist-rotated":
        images = rotate(base.images, rng.uniform(0.0, 360.0, size=len(base.images)))
    else:
        images = over_background(base.images, photo_patches(len(base.images), rng))
    return LabeledImages(
        name=name,
        images=images,
        labels=base.labels,
        classes=base.classes,
        split_used=base.split_used,
        source=f"derived from {base.source}",
    )


def dataset_status(names: list[str], data_dir: str | os.PathLike[str] | None = None) -> dict[str, tuple[bool, str]]:
    """For each name: (loadable, note). The note says what is missing or partial; empty if complete."""
    status = availability(data_dir)
    out = {}
    for name in names:
        if name in DERIVED:
            mnist, stand_in = status[BASE], status[STAND_IN]
            if mnist.available:
                out[name] = (True, "")
            elif stand_in.available:
                out[name] = (
                    True,
                    f"built from {STAND_IN} ({stand_in.n_classes} classes, "
                    f"{sum(stand_in.counts.values()):,} images): MNIST is not in the data folder",
                )
            else:
                out[name] = (False, f"needs MNIST: {mnist.message}")
        elif name in DATASETS:
            s = status[name]
            out[name] = (s.available, s.message)
        else:
            out[name] = (False, f"unknown dataset {name!r}")
    return out


def as_npz(
    name: str,
    n: int,
    seed: int = 0,
    split: str = "train",
    data_dir: str | os.PathLike[str] | None = None,
    folder: str | os.PathLike[str] | None = None,
) -> str:
    """A path that :func:`dsviz.data.load` reads as ``n`` samples of ``name``.

    Registered names are returned as they are. A derived sample is written once to
    ``<cache folder>/derived/<name>-<hash>.npz`` (atomically) and its path returned.
    """
    if name not in DERIVED:
        if name not in DATASETS:
            raise DataError(f"unknown dataset {name!r}")
        return name
    sample = load_any(name, split=split, n=n, seed=seed, data_dir=data_dir)
    root = Path(folder) if folder is not None else default_cache_dir() / "derived"
    path = root / f"{name}-{fingerprint(sample.images, sample.labels)[:16]}.npz"
    if not path.exists():
        root.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            np.savez(fh, images=sample.images, labels=sample.labels)
        os.replace(tmp, path)
    return str(path)
