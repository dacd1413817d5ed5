"""A user's own labeled image dataset: read it safely, convert it to MNIST format, store it by content hash.

Three upload formats are read, all from bytes in memory (nothing is extracted to disk):

* ``.npz`` with ``images`` (N x H x W or N x H x W x C, C in 1, 3, 4) and ``labels`` (N);
* ``.zip`` with one folder per class holding PNG or JPEG files (a single wrapping
  top folder is allowed; other files are skipped and listed);
* ``.csv`` in the MNIST-csv layout: one image per row, the label first, then the
  s x s pixel values row by row (784 for 28 x 28); an optional header row.

Conversion rule (:func:`to_mnist_format`), applied to every image so that all
three formats end up alike and comparable with the reference datasets (uint8
28 x 28, strokes bright on a dark background, as MNIST; LeCun et al. 1998):

1. **Luminance.** Colour becomes ITU-R BT.601 luma ``0.299 R + 0.587 G + 0.114 B``
   (the weights Pillow uses for RGB -> L). Transparent pixels count as white
   paper: ``L = a * L + (1 - a) * 255``. Floats in [0, 1] are scaled to [0, 255].
2. **Inversion.** The background level is the median of the image's outermost
   pixel ring. When it is light (> 127.5) the image is inverted, ``255 - L``, so
   strokes are bright like MNIST. Decided per image; can be switched off.
3. **Resize with padding.** The longer side is scaled to 28 pixels keeping the
   aspect ratio (bilinear with antialiasing, the filter :mod:`dsviz.data.loading`
   uses), and the shorter side is padded on both sides with the (possibly
   inverted) background level up to 28.

Bad input raises :class:`~dsviz.data.DataError` with a one-line message. Zip
archives (npz files are zip archives too) are checked for bombs from their
central directory *before* anything is decompressed: member count and the sum
of declared sizes are capped, and reads never go past a member's declared size
(:mod:`zipfile` stops there and checks the CRC). Names with ``..``, absolute
paths or drive letters are refused.

An upload's identity is the SHA-256 of its converted content
(:func:`dsviz.runtime.cache.fingerprint` of images, labels and class names), so the same
data under another file name is the same upload and two different uploads never
share a name. :func:`save_upload` writes it atomically to
``<cache>/uploads/<sha256>.npz``, the only place this module writes.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from PIL import Image, UnidentifiedImageError

from dsviz.data import DataError
from dsviz.runtime.atomic import atomic_write
from dsviz.runtime.cache import default_cache_dir, fingerprint

SIZE = 28
"""Side of the converted square images."""
FORMATS = (".npz", ".zip", ".csv")
"""Accepted file name endings."""
IMAGE_FORMATS = ("PNG", "JPEG")
"""Pillow formats accepted inside a zip."""

_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
_NPZ_ERRORS = (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error, RuntimeError)
_DRIVE = re.compile(r"^[A-Za-z]:")
_CHUNK = 1024  # images converted per batch (bounds memory for large images)


@dataclass(frozen=True)
class UploadLimits:
    """Caps on what one upload may hold (all checked before the data are decoded).

    ``max_upload_bytes`` should match ``server.maxUploadSize`` in ``.streamlit/config.toml``.
    """

    max_upload_bytes: int = 50 * 2**20
    max_members: int = 20_000
    max_decompressed_bytes: int = 400 * 2**20
    max_images: int = 70_000
    max_image_pixels: int = 2048 * 2048
    max_classes: int = 100
    min_per_class: int = 2


@dataclass(frozen=True, eq=False)
class Upload:
    """A converted upload.

    Attributes:
        filename: the name it was uploaded under (display only; never used as a path).
        images: uint8 N x 28 x 28, strokes bright.
        labels: int64 N, indices into ``classes``.
        classes: class names, numeric order when all are integers, else sorted as text.
        sha256: content hash of images, labels and class names (the upload's identity).
        inverted: how many images were inverted (step 2 of the conversion rule).
        skipped: zip members that were left out, each with the reason.
        notes: things the user should know that did not stop the upload.
    """

    filename: str
    images: np.ndarray
    labels: np.ndarray
    classes: tuple[str, ...]
    sha256: str
    inverted: int
    skipped: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def counts(self) -> dict[str, int]:
        """Images per class."""
        per = np.bincount(self.labels, minlength=len(self.classes))
        return {name: int(c) for name, c in zip(self.classes, per, strict=True)}


def read_upload(filename: str, data: bytes, invert: bool = True, limits: UploadLimits = UploadLimits()) -> Upload:
    """Read, validate and convert an uploaded file (see the module docstring for the rule).

    Args:
        filename: the uploaded file's name; its ending picks the reader.
        data: the file's bytes.
        invert: apply the automatic inversion of light-background images.
        limits: size caps.

    Raises:
        DataError: unsupported type, corrupt file, or contents that break a rule.
    """
    suffix = Path(filename).suffix.lower()
    if suffix not in FORMATS:
        raise DataError(f"{filename}: not a supported type ({suffix or 'no ending'}); upload a .npz, .zip or .csv file")
    if len(data) > limits.max_upload_bytes:
        raise DataError(
            f"{filename}: {len(data) / 2**20:.1f} MB is over the {limits.max_upload_bytes / 2**20:.0f} MB limit"
        )
    if not data:
        raise DataError(f"{filename}: the file is empty")
    skipped: list[str] = []
    notes: list[str] = []
    if suffix == ".npz":
        images, raw_labels = _read_npz(data, limits)
    elif suffix == ".csv":
        images, raw_labels = _read_csv(data, limits)
    else:
        images, raw_labels, skipped, notes = _read_zip(data, limits)
    if len(images) != len(raw_labels):
        raise DataError(f"{filename}: {len(images)} images but {len(raw_labels)} labels")
    if len(images) == 0:
        raise DataError(f"{filename}: no images found")
    if len(images) > limits.max_images:
        raise DataError(f"{filename}: {len(images)} images; at most {limits.max_images} are accepted")
    labels, classes = _classes(raw_labels, limits)
    converted, inverted = to_mnist_format(images, invert)
    sha = fingerprint(converted, labels, np.array(classes, dtype=str))
    return Upload(filename, converted, labels, classes, sha, inverted, tuple(skipped), tuple(notes))


def to_mnist_format(images: np.ndarray | list[np.ndarray], invert: bool = True) -> tuple[np.ndarray, int]:
    """Convert images to uint8 N x 28 x 28 by the module's rule; returns ``(images, inverted count)``.

    Each image is an H x W (gray) or H x W x C array (C = 1 gray, 3 RGB, 4 RGBA)
    of values in [0, 255] (the readers scale floats in [0, 1] up first). Images
    of one shape are converted as one batch.
    """
    items = list(images) if not isinstance(images, np.ndarray) else [images[i] for i in range(len(images))]
    if not items:
        return np.zeros((0, SIZE, SIZE), np.uint8), 0
    out = np.empty((len(items), SIZE, SIZE), np.uint8)
    inverted = 0
    groups: dict[tuple[int, ...], list[int]] = {}
    for i, x in enumerate(items):
        groups.setdefault(x.shape, []).append(i)
    for shape, members in groups.items():
        for start in range(0, len(members), _CHUNK):
            idx = members[start : start + _CHUNK]
            fitted, flipped = _fit(_luminance(np.stack([items[i] for i in idx]).astype(np.float32), shape), invert)
            out[idx] = fitted
            inverted += flipped
    return out, inverted


def upload_path(sha256: str, cache_root: str | os.PathLike[str] | None = None) -> Path:
    """``<cache>/uploads/<sha256>.npz``; refuses anything but a 64-digit hex name."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise DataError(f"not an upload id: {sha256!r}")
    root = Path(cache_root) if cache_root is not None else default_cache_dir()
    return root / "uploads" / f"{sha256}.npz"


def save_upload(upload: Upload, cache_root: str | os.PathLike[str] | None = None) -> Path:
    """Store the converted upload as ``<cache>/uploads/<sha256>.npz`` (atomic; kept when already there).

    The file holds ``images`` and ``labels`` as :func:`dsviz.data.load` reads
    them: integer label values when every class name is an integer, else the
    class names, so ``load(path)`` gives back the same classes in the same order.
    """
    path = upload_path(upload.sha256, cache_root)
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    names = np.array(upload.classes, dtype=str)
    values = names.astype(np.int64) if _all_integers(upload.classes) else names
    with atomic_write(path) as fh:
        np.savez_compressed(fh, images=upload.images, labels=values[upload.labels])
    return path


def _luminance(batch: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """N x H x W [x C] in [0, 255] -> N x H x W luma, transparent pixels over white."""
    if len(shape) == 2:
        return batch
    channels = shape[2]
    if channels == 1:
        return batch[..., 0]
    luma = batch[..., :3] @ _LUMA
    if channels == 4:
        alpha = batch[..., 3] / 255.0
        luma = alpha * luma + (1.0 - alpha) * 255.0
    return luma


def _fit(gray: np.ndarray, invert: bool) -> tuple[np.ndarray, int]:
    """Steps 2 and 3 of the rule on one batch of same-sized N x H x W images."""
    n, h, w = gray.shape
    ring = np.concatenate([gray[:, 0, :], gray[:, -1, :], gray[:, :, 0], gray[:, :, -1]], axis=1)
    background = np.median(ring, axis=1)
    flip = (background > 127.5) if invert else np.zeros(n, bool)
    gray = np.where(flip[:, None, None], 255.0 - gray, gray)
    background = np.where(flip, 255.0 - background, background)
    scale = SIZE / max(h, w)
    nh, nw = max(1, min(SIZE, round(h * scale))), max(1, min(SIZE, round(w * scale)))
    if (nh, nw) != (h, w):
        tensor = torch.from_numpy(np.ascontiguousarray(gray, dtype=np.float32)).unsqueeze(1)
        gray = (
            F.interpolate(tensor, size=(nh, nw), mode="bilinear", align_corners=False, antialias=True)
            .squeeze(1)
            .numpy()
        )
    out = np.broadcast_to(background[:, None, None], (n, SIZE, SIZE)).astype(np.float32)
    top, left = (SIZE - nh) // 2, (SIZE - nw) // 2
    out[:, top : top + nh, left : left + nw] = gray
    return np.rint(out).clip(0, 255).astype(np.uint8), int(flip.sum())


def _check_pixels(images: np.ndarray, where: str) -> np.ndarray:
    """Shape, dtype and value range of an image array (N x H x W [x C])."""
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] not in (1, 3, 4)):
        raise DataError(f"{where}: images must be N x H x W or N x H x W x C (C = 1, 3, 4), got shape {images.shape}")
    if min(images.shape[1:3], default=0) < 1:
        raise DataError(f"{where}: images have no pixels (shape {images.shape})")
    if images.dtype == np.bool_:
        return images.astype(np.uint8) * 255
    if images.dtype.kind not in "uif":
        raise DataError(f"{where}: pixel values must be numbers, got dtype {images.dtype}")
    if images.size == 0:
        return images
    if images.dtype.kind == "f" and not np.isfinite(images).all():
        raise DataError(f"{where}: pixel values contain NaN or infinity")
    low, high = float(images.min()), float(images.max())
    if low < 0 or high > 255:
        raise DataError(f"{where}: pixel values span [{low:g}, {high:g}]; expected [0, 255], or [0, 1] for floats")
    return images.astype(np.float32) * np.float32(255) if images.dtype.kind == "f" and high <= 1 else images


def _check_archive(archive: zipfile.ZipFile, limits: UploadLimits, what: str) -> list[zipfile.ZipInfo]:
    """Zip-bomb caps from the central directory, before any member is decompressed."""
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise DataError(f"{what}: {len(infos)} entries; at most {limits.max_members} are accepted")
    total = sum(info.file_size for info in infos)
    if total > limits.max_decompressed_bytes:
        raise DataError(
            f"{what}: would decompress to {total / 2**20:.0f} MB, over the {limits.max_decompressed_bytes / 2**20:.0f} MB "
            "limit (possible zip bomb); nothing was extracted"
        )
    return infos


def _open_zip(data: bytes, what: str) -> zipfile.ZipFile:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise DataError(f"{what}: corrupt or not a zip archive")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise DataError(f"{what}: corrupt zip archive ({exc})") from None


def _read_npz(data: bytes, limits: UploadLimits) -> tuple[np.ndarray, np.ndarray]:
    """``images`` and ``labels`` of an npz upload (no pickled objects)."""
    with _open_zip(data, "npz file") as archive:
        _check_archive(archive, limits, "npz file")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            missing = [key for key in ("images", "labels") if key not in npz.files]
            if missing:
                raise DataError(
                    f"npz file: missing array(s) {', '.join(missing)} (found: {', '.join(npz.files) or 'none'})"
                )
            images, labels = npz["images"], npz["labels"]
    except DataError:
        raise
    except _NPZ_ERRORS as exc:
        raise DataError(f"npz file: corrupt or unreadable ({exc})") from None
    if labels.ndim != 1:
        raise DataError(f"npz file: labels must be one value per image (1-D), got shape {labels.shape}")
    images = _check_pixels(images, "npz file")
    if len(images) != len(labels):
        raise DataError(f"npz file: {len(images)} images but {len(labels)} labels")
    return images, labels


def _read_csv(data: bytes, limits: UploadLimits) -> tuple[np.ndarray, np.ndarray]:
    """MNIST-csv: ``label, p_1, ..., p_{s*s}`` per row, with an optional header row."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError("csv file: not UTF-8 text") from None
    if "\x00" in text:
        raise DataError("csv file: not a text file (contains NUL bytes)")
    try:
        table = pd.read_csv(
            io.StringIO(text), header=None, dtype=str, keep_default_na=False, skip_blank_lines=True, engine="c"
        )
    except pd.errors.EmptyDataError:
        raise DataError("csv file: no rows") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(f"csv file: malformed ({str(exc).strip().splitlines()[-1]})") from None
    if table.shape[1] < 2:
        raise DataError("csv file: each row needs a label followed by the pixel values")
    pixels = table.iloc[:, 1:].apply(lambda col: pd.to_numeric(col.str.strip(), errors="coerce"))
    if len(table) and pixels.iloc[0].isna().any():
        table, pixels = table.iloc[1:], pixels.iloc[1:]  # a header row
    if len(table) == 0:
        raise DataError("csv file: no data rows")
    if len(table) > limits.max_images:
        raise DataError(f"csv file: {len(table)} rows; at most {limits.max_images} are accepted")
    values = pixels.to_numpy(dtype=np.float64)
    bad = np.argwhere(np.isnan(values))
    if len(bad):
        row, col = bad[0]
        raise DataError(f"csv file: data row {row + 1}, pixel {col + 1} is missing or not a number")
    side = round(np.sqrt(values.shape[1]))
    if side * side != values.shape[1]:
        raise DataError(f"csv file: {values.shape[1]} pixel values per row is not a square image (784 = 28 x 28)")
    images = _check_pixels(values.reshape(-1, side, side), "csv file")
    labels = table.iloc[:, 0].str.strip().to_numpy(dtype=str)
    return images, labels


def _member_parts(name: str) -> tuple[str, ...]:
    """Path components of a zip member name; refuses traversal and absolute names."""
    if "\x00" in name:
        raise DataError(f"zip file: entry name {name!r} contains a NUL byte")
    normalized = name.replace("\\", "/")
    if normalized.startswith("/") or _DRIVE.match(normalized):
        raise DataError(f"zip file: absolute path {name!r} inside the archive; refused")
    parts = tuple(p for p in PurePosixPath(normalized).parts if p not in ("", "."))
    if ".." in parts:
        raise DataError(f"zip file: path traversal ({name!r}) inside the archive; refused")
    return parts


def _read_zip(data: bytes, limits: UploadLimits) -> tuple[list[np.ndarray], np.ndarray, list[str], list[str]]:
    """Images and class-folder labels of a zip upload, the skipped members, and notes."""
    archive = _open_zip(data, "zip file")
    with archive:
        infos = _check_archive(archive, limits, "zip file")
        entries = [(info, _member_parts(info.filename)) for info in infos]
        entries = [(info, parts) for info, parts in entries if parts]
        skipped = [f"{info.filename} (system file)" for info, parts in entries if _hidden(parts)]
        entries = [(info, parts) for info, parts in entries if not _hidden(parts)]
        tops = {parts[0] for _, parts in entries}
        if len(tops) == 1 and any(len(parts) >= 3 for _, parts in entries):
            entries = [(info, parts[1:]) for info, parts in entries if len(parts) > 1]  # one wrapping folder
        folders = sorted({parts[0] for info, parts in entries if len(parts) > 1 or info.is_dir()})
        images: list[np.ndarray] = []
        labels: list[str] = []
        shapes: Counter[tuple[int, int]] = Counter()
        for info, parts in entries:
            if info.is_dir():
                continue
            if len(parts) == 1:
                skipped.append(f"{info.filename} (not inside a class folder)")
                continue
            image, why = _decode(archive, info, limits)
            if image is None:
                skipped.append(f"{info.filename} ({why})")
                continue
            images.append(image)
            labels.append(parts[0])
            shapes[image.shape[:2]] += 1
    if not folders:
        raise DataError("zip file: no class folders; put each class's PNG/JPEG files in a folder named after the class")
    empty = [f for f in folders if f not in set(labels)]
    if empty:
        raise DataError(f"zip file: class folder(s) with no PNG/JPEG images: {', '.join(empty[:10])}")
    notes = []
    if shapes:
        sides = np.array(list(shapes))
        if sides.max() > 2 * sides.min():
            notes.append(
                f"image sizes vary from {sides.min()} to {sides.max()} pixels per side ({len(shapes)} sizes); "
                "each is fitted into 28 x 28 keeping its aspect ratio, so small and large images end up the same size"
            )
    return images, np.array(labels, dtype=str), skipped, notes


def _hidden(parts: tuple[str, ...]) -> bool:
    """macOS resource forks and dot files, which archivers add on their own."""
    return parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts)


def _decode(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: UploadLimits) -> tuple[np.ndarray | None, str]:
    """One zip member as an H x W [x C] array, or ``(None, reason)`` when it is not a usable image."""
    try:
        with archive.open(info) as fh:
            raw = fh.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise DataError(f"zip file: corrupt entry {info.filename} ({exc})") from None
    except (RuntimeError, NotImplementedError) as exc:  # encrypted or unsupported compression
        raise DataError(f"zip file: cannot read entry {info.filename} ({exc})") from None
    try:
        with Image.open(io.BytesIO(raw)) as img:
            if img.format not in IMAGE_FORMATS:
                return None, f"{img.format} is not PNG or JPEG"
            if img.width * img.height > limits.max_image_pixels:
                return None, f"{img.width} x {img.height} pixels is over the {limits.max_image_pixels:,} pixel limit"
            return _image_array(img), ""
    except UnidentifiedImageError:
        return None, "not an image"
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        return None, f"unreadable image: {exc}"


def _image_array(img: Image.Image) -> np.ndarray:
    """Pixels in [0, 255]: gray H x W, or RGBA H x W x 4 when the image has colour or transparency."""
    if img.mode in ("I", "I;16", "I;16B", "I;16L"):
        pixels = np.asarray(img, dtype=np.float32)
        return pixels * (255.0 / 65535.0) if pixels.max(initial=0) > 255 else pixels
    if img.mode == "F":
        return np.clip(np.nan_to_num(np.asarray(img, dtype=np.float32)), 0, 255)
    if img.mode in ("L", "1"):
        return np.asarray(img.convert("L"), dtype=np.float32)
    return np.asarray(img.convert("RGBA"), dtype=np.float32)


def _all_integers(names: tuple[str, ...] | list[str]) -> bool:
    """Whether every name is an integer written the way ``str(int)`` writes it (so ``"07"`` is not)."""
    return all(re.fullmatch(r"-?\d{1,18}", n) is not None and str(int(n)) == n for n in names)


def _classes(raw: np.ndarray, limits: UploadLimits) -> tuple[np.ndarray, tuple[str, ...]]:
    """Label values -> (int64 indices, class names); enforces the class-count rules."""
    raw = np.asarray(raw)
    if raw.ndim != 1:
        raise DataError(f"labels must be one value per image (1-D), got shape {raw.shape}")
    if raw.dtype.kind == "f":
        if not np.isfinite(raw).all():
            raise DataError("labels contain NaN or infinity")
        names = [str(int(v)) if float(v).is_integer() else repr(float(v)) for v in raw]
    elif raw.dtype.kind in "biu":
        names = [str(int(v)) for v in raw]
    elif raw.dtype.kind in "US":
        names = [v.decode("utf-8", "replace").strip() if isinstance(v, bytes) else str(v).strip() for v in raw.tolist()]
    else:
        raise DataError(f"labels must be numbers or text, got dtype {raw.dtype}")
    if any(not n for n in names):
        raise DataError("some labels are empty")
    counts = Counter(names)
    if len(counts) < 2:
        raise DataError(
            f"only one class ({next(iter(counts))!r}); at least two classes are needed to compare label structure"
        )
    if len(counts) > limits.max_classes:
        raise DataError(f"{len(counts)} classes; at most {limits.max_classes} are accepted")
    small = sorted(c for c, k in counts.items() if k < limits.min_per_class)
    if small:
        raise DataError(
            f"class(es) with fewer than {limits.min_per_class} images: {', '.join(small[:10])}"
            f"{' …' if len(small) > 10 else ''}"
        )
    classes = sorted(counts, key=int) if _all_integers(list(counts)) else sorted(counts)
    index = {c: i for i, c in enumerate(classes)}
    return np.array([index[n] for n in names], dtype=np.int64), tuple(classes)
