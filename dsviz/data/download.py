"""Download the official files of a registered dataset and convert them to npz.

Files are streamed with urllib into ``<data_dir>/<name>/raw/`` and checked against
their published MD5. The converted ``<data_dir>/<name>/{train,test}.npz`` hold
``images`` (uint8 N x H x W, upright) and ``labels`` (int64, 0-based). Every file is
written to a temporary file in its destination folder and moved into place with
``os.replace``, so an interrupted run never leaves a half-written file behind.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import http.client
import os
import shutil
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePosixPath

import numpy as np
from tqdm import tqdm

from dsviz.data.registry import SPLITS, DataError, DatasetUnavailable, SourceFormat, get_info
from dsviz.runtime.atomic import atomic_write

TIMEOUT_S = 30.0
"""Seconds to wait for a connection or for the next chunk of data."""

_CHUNK = 1 << 20

# IDX type codes (third byte of the magic number) and the big-endian dtypes they denote.
_IDX_DTYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

Report = Callable[[str, int, "int | None"], None]
"""``report(file name, bytes so far, total bytes or None)``."""

Splits = dict[str, tuple[np.ndarray, np.ndarray]]
"""split name -> (images uint8 N x H x W, labels int64 N)."""


def download_dataset(
    name: str,
    data_dir: str | os.PathLike[str],
    progress: bool = True,
    urls: Mapping[str, str] | None = None,
    md5s: Mapping[str, str] | None = None,
    report: Report | None = None,
) -> dict[str, Path]:
    """Fetch, verify and convert a registered dataset into ``<data_dir>/<name>/``.

    Raw files already present with the right checksum are not fetched again. A
    download that fails or is interrupted (any exception, ``KeyboardInterrupt``
    included) removes the folders and raw files it created, and nothing else.

    Args:
        name: registered dataset name.
        data_dir: folder that holds one sub-folder per dataset.
        progress: show a tqdm progress bar per file on stderr.
        urls: source file name -> URL, replacing the registered URL (a mirror, or a
            local server in tests).
        md5s: source file name -> MD5, replacing the registered checksum; only
            meaningful together with ``urls`` pointing at different files.
        report: called as ``report(file name, bytes so far, total bytes or None)``
            as each file streams in (a page's progress bar).

    Returns:
        split name -> path of the written npz file.

    Raises:
        DatasetUnavailable: a file could not be fetched (no network, server error).
        DataError: a checksum mismatch (the file is deleted) or a malformed file.
    """
    info = get_info(name)
    if info.bundled:
        raise DataError(f"{name} ships with the {info.package} package; there is nothing to download")
    folder = Path(data_dir) / name
    raw = folder / "raw"
    # What was there before, so a failed or cancelled download removes exactly what it added.
    existed = [path for path in (folder, raw) if path.exists()]
    before = set(raw.iterdir()) if raw.exists() else set()
    try:
        return _download_into(info, folder, raw, progress, urls or {}, md5s or {}, report)
    except BaseException:  # also KeyboardInterrupt and a page's stop/rerun: leave nothing behind
        _remove_new(folder, raw, existed, before)
        raise


def _remove_new(folder: Path, raw: Path, existed: list[Path], before: set[Path]) -> None:
    """Delete what a failed download created: the folders it made, else the raw files it added."""
    if folder not in existed:
        shutil.rmtree(folder, ignore_errors=True)
    elif raw not in existed:
        shutil.rmtree(raw, ignore_errors=True)
    elif raw.exists():
        for path in set(raw.iterdir()) - before:
            path.unlink(missing_ok=True)


def _download_into(
    info,
    folder: Path,
    raw: Path,
    progress: bool,
    urls: Mapping[str, str],
    md5s: Mapping[str, str],
    report: Report | None,
) -> dict[str, Path]:
    """Fetch, verify and convert ``info``'s files into ``folder`` (see :func:`download_dataset`)."""
    name = info.name
    raw.mkdir(parents=True, exist_ok=True)
    files = {
        source.role: _fetch(
            urls.get(source.filename, source.url),
            raw / source.filename,
            md5s.get(source.filename, source.md5),
            name=name,
            folder=folder,
            progress=progress,
            report=report,
        )
        for source in info.sources
    }
    written = {}
    for split, (images, labels) in _CONVERTERS[info.source_format](files).items():
        written[split] = folder / f"{split}.npz"
        write_npz(written[split], images, labels)
    return written


def reachable(name: str, timeout: float = 1.5) -> bool:
    """Whether the host serving ``name``'s first source file accepts a TCP connection (a quick network check)."""
    info = get_info(name)
    if not info.sources:
        return False
    parts = urllib.parse.urlsplit(info.sources[0].url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            return True
    except OSError:
        return False


def write_npz(path: Path, images: np.ndarray, labels: np.ndarray) -> None:
    """Write ``images`` and ``labels`` to ``path`` with ``np.savez_compressed``, atomically."""
    with atomic_write(path) as handle:
        np.savez_compressed(handle, images=images, labels=labels)


def parse_idx(data: bytes) -> np.ndarray:
    """Decode an uncompressed IDX file.

    Layout: two zero bytes, a type code, the number of dimensions, one big-endian
    uint32 per dimension, then the values in row-major order.
    """
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_DTYPES:
        raise DataError("not an IDX file: bad magic number")
    dtype, ndim = _IDX_DTYPES[data[2]], data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError("truncated IDX file: incomplete header")
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - header != expected:
        raise DataError(f"IDX file size mismatch: header says {shape}, found {len(data) - header} data bytes")
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def parse_libsvm(lines: Iterable[str], n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """Decode libsvm text (``label index:value ...``, 1-based indices, absent = 0).

    Returns float64 features (N x n_features) and int64 labels as written in the file.
    """
    rows: list[np.ndarray] = []
    labels: list[int] = []
    for lineno, line in enumerate(lines, start=1):
        parts = line.split()
        if not parts:
            continue
        row = np.zeros(n_features)
        try:
            labels.append(int(float(parts[0])))
            for item in parts[1:]:
                index, value = item.split(":")
                row[int(index) - 1] = float(value)
        except (ValueError, IndexError) as exc:
            raise DataError(f"malformed libsvm line {lineno}: {exc}") from None
        rows.append(row)
    if not rows:
        raise DataError("libsvm file holds no samples")
    return np.stack(rows), np.asarray(labels, dtype=np.int64)


def _fetch(
    url: str, target: Path, md5: str, *, name: str, folder: Path, progress: bool, report: Report | None = None
) -> Path:
    """Make ``target`` a verified copy of ``url``; reuse it when its checksum already matches."""
    if target.exists():
        if _md5_of(target) == md5:
            return target
        target.unlink()
    digest = hashlib.md5(usedforsecurity=False)
    with atomic_write(target) as handle:
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
                total = int(response.headers.get("Content-Length") or 0) or None
                if report is not None:
                    report(target.name, 0, total)
                with tqdm(
                    total=total,
                    unit="B",
                    unit_scale=True,
                    unit_divisor=1024,
                    desc=target.name,
                    file=sys.stderr,
                    disable=not progress,
                ) as bar:
                    while chunk := response.read(_CHUNK):
                        digest.update(chunk)
                        handle.write(chunk)
                        bar.update(len(chunk))
                        if report is not None:
                            report(target.name, bar.n, total)
        except (
            urllib.error.URLError,
            http.client.HTTPException,
            ConnectionError,
            TimeoutError,
        ) as exc:
            # A plain URLError wraps the socket error: report that, not "<urlopen error ...>".
            detail = exc.reason if type(exc) is urllib.error.URLError else exc
            raise DatasetUnavailable(name, folder, f"could not fetch {url}: {detail}") from exc
        if digest.hexdigest() != md5:
            raise DataError(
                f"checksum mismatch for {target.name} from {url}: expected md5 {md5}, "
                f"got {digest.hexdigest()}; the download was deleted"
            )
    return target


def _md5_of(path: Path) -> str:
    """MD5 hex digest of a file, read in chunks."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _checked_pair(images: np.ndarray, labels: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Check that converted arrays form a dataset split; return them as uint8 / int64."""
    if images.ndim != 3 or images.dtype != np.uint8:
        raise DataError(f"{what}: expected uint8 N x H x W images, got {images.dtype} {images.shape}")
    if labels.ndim != 1 or len(labels) != len(images):
        raise DataError(f"{what}: {len(images)} images but labels of shape {labels.shape}")
    return images, labels.astype(np.int64)


def _read_idx_gz(path: Path) -> np.ndarray:
    """Decode a gzip-compressed IDX file."""
    try:
        return parse_idx(gzip.decompress(path.read_bytes()))
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path.name}: not a valid gzip file ({exc})") from None


def _convert_idx_gz(files: Mapping[str, Path]) -> Splits:
    """MNIST-style datasets: four IDX gz files, labels already 0-based."""
    return {
        split: _checked_pair(_read_idx_gz(files[f"{split}-images"]), _read_idx_gz(files[f"{split}-labels"]), split)
        for split in SPLITS
    }


def _convert_emnist_zip(files: Mapping[str, Path]) -> Splits:
    """EMNIST letters from the NIST ``gzip.zip``: labels 1..26 -> 0..25, images made upright."""
    splits = {}
    try:
        with zipfile.ZipFile(files["archive"]) as archive:
            members = {PurePosixPath(member).name: member for member in archive.namelist()}
            for split in SPLITS:
                arrays = []
                for kind in ("images-idx3", "labels-idx1"):
                    member = f"emnist-letters-{split}-{kind}-ubyte.gz"
                    if member not in members:
                        raise DataError(f"{files['archive'].name} has no member {member}")
                    arrays.append(parse_idx(gzip.decompress(archive.read(members[member]))))
                images, labels = arrays
                # EMNIST stores each image transposed relative to MNIST.
                splits[split] = _checked_pair(images.transpose(0, 2, 1).copy(), labels - 1, split)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{files['archive'].name}: unreadable archive ({exc})") from None
    return splits


def _convert_libsvm_bz2(files: Mapping[str, Path]) -> Splits:
    """USPS in libsvm format: 256 values in [-1, 1] -> uint8 16 x 16, labels 1..10 -> 0..9."""
    splits = {}
    for split in SPLITS:
        try:
            with bz2.open(files[split], "rt", encoding="ascii") as lines:
                values, labels = parse_libsvm(lines, n_features=16 * 16)
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise DataError(f"{files[split].name}: unreadable bz2 text ({exc})") from None
        pixels = np.rint((values + 1.0) / 2.0 * 255.0).clip(0, 255).astype(np.uint8)
        splits[split] = _checked_pair(pixels.reshape(-1, 16, 16), labels - 1, split)
    return splits


_CONVERTERS: dict[SourceFormat, Callable[[Mapping[str, Path]], Splits]] = {
    "idx-gz": _convert_idx_gz,
    "emnist-zip": _convert_emnist_zip,
    "libsvm-bz2": _convert_libsvm_bz2,
}
