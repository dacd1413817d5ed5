"""Load a labelled image dataset as uint8 28 x 28 grayscale images with class indices.

A dataset is either a registered name (see :mod:`dsviz.data.registry`), read from
``<data_dir>/<name>/{train,test}.npz`` and downloaded when absent (bundled datasets:
read from their installed package when that folder has no npz, see
:mod:`dsviz.data.bundled`), or a path to any
``.npz`` file holding ``images`` and ``labels``. Everything read is validated; problems
raise :class:`~dsviz.data.registry.DataError` with a one-line message.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import zipfile
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dsviz.data.bundled import materialize
from dsviz.data.download import download_dataset
from dsviz.data.registry import DATASETS, SPLITS, DataError, DatasetInfo, DatasetUnavailable
from dsviz.data.registry import data_dir as default_data_dir
from dsviz.runtime.cache import default_cache_dir

IMAGE_SIZE = (28, 28)
"""(height, width) of every image :func:`load` returns."""

# ITU-R BT.601 luma weights, the ones PIL uses for RGB -> "L".
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)

# What np.load raises for files that are not valid npz archives.
_NPZ_ERRORS = (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error)

READ_MEMO_FILES = 8
"""Decoded files :func:`load` keeps per process (see :func:`_read_checked`)."""
_READ_MEMO: OrderedDict[tuple[str, int, int], tuple[np.ndarray, np.ndarray, float]] = OrderedDict()
_READ_LOCK = threading.Lock()
_READING: dict[tuple[str, int, int], threading.Lock] = {}
"""A lock per file being decoded: a second thread asking for it waits for that read instead of decoding it again."""


@dataclass(frozen=True, eq=False)
class LabeledImages:
    """A loaded dataset (or a sample of it).

    Attributes:
        name: the dataset name, or the npz path as given to :func:`load`.
        images: uint8 N x 28 x 28, 0 = background.
        labels: int64 N, indices into ``classes``.
        classes: all class names of the dataset, including classes absent from the sample.
        split_used: the split actually read (``train`` / ``test``), or ``file`` for npz paths.
        source: path of the npz file that was read.
    """

    name: str
    images: np.ndarray
    labels: np.ndarray
    classes: tuple[str, ...]
    split_used: str
    source: str

    @property
    def present_classes(self) -> tuple[int, ...]:
        """Sorted class indices that occur in ``labels``."""
        return tuple(int(c) for c in np.unique(self.labels))


@dataclass(frozen=True)
class DatasetStatus:
    """What is on disk for one registered dataset.

    Attributes:
        name: registered dataset name.
        folder: folder that was searched.
        counts: number of samples per split that is present and readable.
        present_classes: sorted class indices occurring in any present split.
        n_classes: number of classes the dataset has.
        message: human-readable note for missing or partial data; empty when complete.
        origin: ``folder`` (read from the data folder), ``bundled`` (from an installed
            package), or empty when nothing is available.
    """

    name: str
    folder: str
    counts: dict[str, int]
    present_classes: tuple[int, ...]
    n_classes: int
    message: str
    origin: str = ""

    @property
    def available(self) -> bool:
        """Whether at least one split can be loaded."""
        return bool(self.counts)


def load(
    name: str,
    split: str = "train",
    n: int | None = None,
    seed: int = 0,
    balanced: bool = True,
    data_dir: str | os.PathLike[str] | None = None,
    download: bool = True,
) -> LabeledImages:
    """Load a dataset, optionally a seeded random sample of ``n`` images.

    Args:
        name: a registered dataset name, or a path to an ``.npz`` with ``images``
            (N x H x W or N x H x W x C with C in 1, 3, 4) and ``labels`` (any values;
            the sorted unique values become classes ``0..K-1`` named ``str(value)``).
        split: ``train`` or ``test``; if that file is missing but the other split
            exists, the other one is used and recorded in ``split_used``. Ignored
            for npz paths.
        n: number of images to return; ``None`` (or at least the dataset size) for all.
        seed: seed of the ``np.random.default_rng`` that draws the sample.
        balanced: draw ``n // K`` per present class (the remainder going to the first
            classes; a class with too few images gives all of them and the others
            make up the difference); otherwise draw ``n`` uniformly.
        data_dir: folder holding ``<name>/{train,test}.npz``; default :func:`data_dir`.
        download: fetch a registered dataset when neither split is on disk.

    Raises:
        DatasetUnavailable: a registered dataset is not on disk and cannot be downloaded.
        DataError: unknown name, unreadable file, or invalid contents.
    """
    if split not in SPLITS:
        raise DataError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    if n is not None and n < 1:
        raise DataError(f"n must be a positive number of images, got {n}")
    info = DATASETS.get(name)
    if info is not None:
        root = Path(data_dir) if data_dir is not None else default_data_dir()
        path, split_used = _locate(info, split, root, download)
    else:
        path, split_used = Path(name), "file"
        if not path.is_file():
            raise DataError(
                f"unknown dataset {name!r}: not a registered name ({', '.join(DATASETS)}) and no such .npz file"
            )
    images, labels, scale = _read_checked(path)
    if info is not None:
        labels, classes = _check_indices(labels, len(info.classes), path), info.classes
    else:
        labels, classes = _encode_labels(labels, path)
    chosen = sample_indices(labels, n, seed, balanced)
    if chosen is None:  # the memo's arrays are read-only and shared: hand out a copy
        images, labels = images.copy(), labels.copy()
    else:
        images, labels = images[chosen], labels[chosen]
    return LabeledImages(
        name=name,
        images=_standardize(images, scale),
        labels=labels,
        classes=classes,
        split_used=split_used,
        source=str(path),
    )


def availability(data_dir: str | os.PathLike[str] | None = None) -> dict[str, DatasetStatus]:
    """Report, for every registered dataset, which splits and classes are on disk.

    Only the ``labels`` arrays are read. Never raises for missing or broken files;
    those are described in :attr:`DatasetStatus.message`.
    """
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    return {name: _status_any(info, root / name) for name, info in DATASETS.items()}


_STATUS_MEMO: dict[tuple, DatasetStatus] = {}


def _status_memo(info: DatasetInfo, folder: Path) -> DatasetStatus:
    """:func:`_status`, recomputed only when a split file of ``folder`` appears, changes or goes.

    Pages call :func:`availability` on every rerun of every session; reading the label arrays each
    time was a large share of a rerun's CPU time with many viewers. The key holds the resolved
    folder, so another ``DSVIZ_DATA_DIR`` (or a bundled dataset's package copy under another cache
    folder) is a different entry.
    """
    files = []
    for split in SPLITS:
        try:
            stat = (folder / f"{split}.npz").stat()
            files.append((split, stat.st_mtime_ns, stat.st_size))
        except OSError:
            files.append((split, None, None))
    key = (info.name, str(folder.resolve()), tuple(files))
    with _READ_LOCK:
        found = _STATUS_MEMO.get(key)
    if found is None:
        found = _status(info, folder)
        with _READ_LOCK:
            if len(_STATUS_MEMO) >= 64:
                _STATUS_MEMO.clear()
            _STATUS_MEMO[key] = found
    return found


def _find_split(folder: Path, split: str) -> tuple[Path, str] | None:
    """The npz of ``split`` in ``folder``, else of the other split, else ``None``."""
    for candidate in (split, *(s for s in SPLITS if s != split)):
        if (folder / f"{candidate}.npz").is_file():
            return folder / f"{candidate}.npz", candidate
    return None


def _locate(info: DatasetInfo, split: str, root: Path, download: bool) -> tuple[Path, str]:
    """Path of the split file to read (falling back to the other split), downloading if allowed.

    A bundled dataset with no npz in the data folder is read from its package copy.
    """
    folder = root / info.name
    found = _find_split(folder, split)
    if found is not None:
        return found
    if info.bundled:
        found = _find_split(materialize(info.name, default_cache_dir()), split)
        if found is None:
            raise DatasetUnavailable(info.name, folder, f"{info.package} holds no {split} data")
        return found
    if not download:
        raise DatasetUnavailable(info.name, folder, "no train.npz or test.npz, and download is off")
    download_dataset(info.name, root)
    return folder / f"{split}.npz", split


def _read_checked(path: Path) -> tuple[np.ndarray, np.ndarray, float]:
    """(images, labels, scale) of a validated npz file, decoded once per process while it is unchanged.

    Keyed by (resolved path, mtime, size); the ``READ_MEMO_FILES`` most recently used files are
    kept, as read-only arrays. A page computing a matrix loads each dataset file many times (two
    samples per cell): without this, every load decompresses the whole file again. A file is decoded by
    one thread at a time: a page's job asking for a file that the app's warm-up is reading waits for it
    (a fresh server decompressed MNIST twice at once, 0.2 s of CPU and of the first viewer's wait).
    """
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    with _READ_LOCK:
        if key in _READ_MEMO:
            _READ_MEMO.move_to_end(key)
            return _READ_MEMO[key]
        reading = _READING.setdefault(key, threading.Lock())
    with reading:
        with _READ_LOCK:
            if key in _READ_MEMO:  # decoded by the thread this one waited for
                return _READ_MEMO[key]
        try:
            images, labels = _read_npz(path)
            scale = _check_arrays(images, labels, path)
            images.flags.writeable = labels.flags.writeable = False
            with _READ_LOCK:
                _READ_MEMO[key] = (images, labels, scale)
                while len(_READ_MEMO) > READ_MEMO_FILES:
                    _READ_MEMO.popitem(last=False)
        finally:
            with _READ_LOCK:
                _READING.pop(key, None)
    return images, labels, scale


def _open_npz(path: Path) -> np.lib.npyio.NpzFile:
    """Open an npz archive; raise :class:`DataError` for anything else."""
    if not zipfile.is_zipfile(path):
        raise DataError(f"{path}: not an npz archive (not a complete zip file)")
    try:
        return np.load(path, allow_pickle=False)
    except _NPZ_ERRORS as exc:
        raise DataError(f"{path}: not a readable npz file ({exc})") from None


def _read_npz(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read ``images`` and ``labels`` from an npz file."""
    with _open_npz(path) as archive:
        missing = [key for key in ("images", "labels") if key not in archive.files]
        if missing:
            found = ", ".join(archive.files) or "none"
            raise DataError(f"{path}: missing key(s) {', '.join(missing)} (found: {found})")
        try:
            return archive["images"], archive["labels"]
        except _NPZ_ERRORS as exc:
            raise DataError(f"{path}: corrupt npz file ({exc})") from None


def _check_arrays(images: np.ndarray, labels: np.ndarray, where: Path) -> float:
    """Validate shapes and pixel values; return the factor that maps pixels to 0..255."""
    if labels.ndim != 1:
        raise DataError(f"{where}: labels must be 1-D, got shape {labels.shape}")
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] not in (1, 3, 4)):
        raise DataError(f"{where}: images must be N x H x W or N x H x W x C (C = 1, 3, 4), got shape {images.shape}")
    if len(images) != len(labels):
        raise DataError(f"{where}: {len(images)} images but {len(labels)} labels")
    if images.size == 0:
        raise DataError(f"{where}: no images (shape {images.shape})")
    if labels.dtype.kind == "f" and not np.isfinite(labels).all():
        raise DataError(f"{where}: labels contain NaN or infinite values")
    return _pixel_scale(images, where)


def _pixel_scale(images: np.ndarray, where: Path) -> float:
    """255 for float images in [0, 1], 1 for values in [0, 255]; reject anything else."""
    if images.dtype == np.uint8:
        return 1.0
    if not (np.issubdtype(images.dtype, np.integer) or np.issubdtype(images.dtype, np.floating)):
        raise DataError(f"{where}: unsupported image dtype {images.dtype}")
    if images.dtype.kind == "f" and not np.isfinite(images).all():
        raise DataError(f"{where}: images contain NaN or infinite values")
    low, high = images.min(), images.max()
    if low < 0 or high > 255:
        raise DataError(f"{where}: pixel values span [{low}, {high}]; expected [0, 1] or [0, 255]")
    return 255.0 if images.dtype.kind == "f" and high <= 1 else 1.0


def _check_indices(labels: np.ndarray, n_classes: int, where: Path) -> np.ndarray:
    """Labels of a registered dataset must be integer class indices in ``0..n_classes-1``."""
    if not np.issubdtype(labels.dtype, np.integer):
        raise DataError(f"{where}: labels must be integer class indices, got dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= n_classes:
        raise DataError(f"{where}: labels span [{labels.min()}, {labels.max()}], expected 0..{n_classes - 1}")
    return labels.astype(np.int64)


def _encode_labels(labels: np.ndarray, where: Path) -> tuple[np.ndarray, tuple[str, ...]]:
    """Map arbitrary label values to ``0..K-1`` in sorted order; class names are ``str(value)``."""
    try:
        values, codes = np.unique(labels, return_inverse=True)
    except TypeError as exc:
        raise DataError(f"{where}: labels cannot be sorted ({exc})") from None
    return codes.astype(np.int64), tuple(str(value) for value in values)


def sample_indices(labels: np.ndarray, n: int | None, seed: int, balanced: bool) -> np.ndarray | None:
    """Sorted indices of the sample to keep, or ``None`` to keep everything."""
    if n is None or n >= len(labels):
        return None
    rng = np.random.default_rng(seed)
    if not balanced:
        return np.sort(rng.choice(len(labels), size=n, replace=False))
    classes, counts = np.unique(labels, return_counts=True)
    picks = [
        rng.choice(np.flatnonzero(labels == cls), size=int(take), replace=False)
        for cls, take in zip(classes, _balanced_quota(counts, n), strict=True)
    ]
    return np.sort(np.concatenate(picks))


def _balanced_quota(counts: np.ndarray, n: int) -> np.ndarray:
    """Images to take per class: an even share of ``n``, capped by what each class has.

    Shares are split evenly among classes that still have images left, the remainder
    going to the first ones, until ``n`` are taken. Requires ``n <= counts.sum()``.
    """
    take = np.zeros_like(counts)
    while (remaining := n - int(take.sum())) > 0:
        open_classes = np.flatnonzero(take < counts)
        share = np.full(len(open_classes), remaining // len(open_classes))
        share[: remaining % len(open_classes)] += 1
        take[open_classes] += np.minimum(share, counts[open_classes] - take[open_classes])
    return take


def _standardize(images: np.ndarray, scale: float) -> np.ndarray:
    """Convert validated images to uint8 N x 28 x 28 grayscale."""
    if images.dtype == np.uint8 and images.shape[1:] == IMAGE_SIZE:
        return images
    pixels = images.astype(np.float32) * np.float32(scale)
    if pixels.ndim == 4:
        pixels = pixels[..., 0] if pixels.shape[-1] == 1 else pixels[..., :3] @ _LUMA
    if pixels.shape[1:] != IMAGE_SIZE:
        # Bilinear with antialiasing: smooth for the usual upscaling (USPS 16 x 16), and
        # low-pass filtered when shrinking larger images so thin strokes are averaged
        # rather than aliased away. torch resizes the whole batch in one vectorized call
        # where PIL would loop image by image. Non-square images are stretched.
        import torch  # here, not at the top: a page reading cached results never needs it (cold start)
        import torch.nn.functional as F

        batch = torch.from_numpy(np.ascontiguousarray(pixels)).unsqueeze(1)
        batch = F.interpolate(batch, size=IMAGE_SIZE, mode="bilinear", align_corners=False, antialias=True)
        pixels = batch.squeeze(1).numpy()
    return np.rint(pixels).clip(0, 255).astype(np.uint8)


def _status_any(info: DatasetInfo, folder: Path) -> DatasetStatus:
    """:func:`_status` of the data folder; for a bundled dataset absent there, of its package copy.

    Both are memoised by :func:`_status_memo` (the package copy is only converted once per cache folder).
    """
    status = _status_memo(info, folder)
    if status.available or not info.bundled:
        return status
    try:
        bundled = materialize(info.name, default_cache_dir())
    except (DataError, OSError) as exc:
        return dataclasses.replace(status, message=str(exc))
    return dataclasses.replace(_status_memo(info, bundled), origin="bundled")


def _status(info: DatasetInfo, folder: Path) -> DatasetStatus:
    """Inspect the split files of one dataset by reading their labels only."""
    counts: dict[str, int] = {}
    present: set[int] = set()
    problems: list[str] = []
    for split in SPLITS:
        path = folder / f"{split}.npz"
        if not path.is_file():
            continue
        try:
            with _open_npz(path) as archive:
                labels = archive["labels"]
        except (*_NPZ_ERRORS, KeyError) as exc:
            problems.append(f"{split}.npz is unreadable ({exc})")
            continue
        if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
            problems.append(f"{split}.npz labels are not class indices")
            continue
        counts[split] = len(labels)
        present.update(int(c) for c in np.unique(labels) if 0 <= c < len(info.classes))
    return DatasetStatus(
        name=info.name,
        folder=str(folder),
        counts=counts,
        present_classes=tuple(sorted(present)),
        n_classes=len(info.classes),
        message=_status_message(info, folder, counts, sorted(present), problems),
        origin="folder" if counts else "",
    )


def _status_message(
    info: DatasetInfo, folder: Path, counts: dict[str, int], present: list[int], problems: list[str]
) -> str:
    """Human-readable summary of what is missing; empty when the dataset is complete."""
    if not counts:
        missing = DatasetUnavailable(info.name, folder, "no readable train.npz or test.npz")
        return "; ".join([*problems, str(missing)])
    notes = []
    if any(split not in counts for split in info.splits):
        notes += [f"only the {split} split is present ({count} images)" for split, count in counts.items()]
    if len(present) < len(info.classes):
        names = ", ".join(info.classes[c] for c in present)
        notes.append(f"{len(present)} of {len(info.classes)} classes present ({names})")
    return "; ".join([*notes, *problems])
