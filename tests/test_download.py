"""Tests of dataset download and conversion, served from a loopback HTTP server."""

from __future__ import annotations

import bz2
import dataclasses
import gzip
import hashlib
import http.server
import io
import socket
import struct
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from dsviz.data import DATASETS, DataError, DatasetUnavailable, download_dataset, load
from dsviz.data.download import parse_idx, parse_libsvm


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        """Keep the test output clean."""


class _Server:
    """Files published on a loopback HTTP server."""

    def __init__(self, folder: Path, base_url: str) -> None:
        self.folder = folder
        self.base_url = base_url

    def publish(self, files: dict[str, bytes]) -> tuple[dict[str, str], dict[str, str]]:
        """Serve ``files``; return their URLs and MD5s keyed by file name."""
        for name, content in files.items():
            (self.folder / name).write_bytes(content)
        urls = {name: self.base_url + name for name in files}
        md5s = {name: hashlib.md5(content).hexdigest() for name, content in files.items()}
        return urls, md5s


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[_Server]:
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    folder = tmp_path / "served"
    folder.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield _Server(folder, f"http://127.0.0.1:{httpd.server_address[1]}/")
    httpd.shutdown()
    httpd.server_close()


def _closed_port_url() -> str:
    """A loopback URL nothing listens on, which fails like a machine without network."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def _idx(array: np.ndarray) -> bytes:
    """Encode a uint8 array as an IDX file."""
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def _images(n: int, size: int = 28, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, size, size), dtype=np.uint8)


def _leftovers(folder: Path) -> list[str]:
    """Temporary files a download may have left behind."""
    return [p.name for p in folder.rglob("*") if p.name.endswith(".part")]


def _idx_files(train: int = 6, test: int = 4) -> tuple[dict[str, bytes], dict[str, np.ndarray]]:
    arrays = {
        "train-images-idx3-ubyte.gz": _images(train, seed=1),
        "train-labels-idx1-ubyte.gz": np.arange(train, dtype=np.uint8) % 10,
        "t10k-images-idx3-ubyte.gz": _images(test, seed=2),
        "t10k-labels-idx1-ubyte.gz": np.arange(test, dtype=np.uint8)[::-1] % 10,
    }
    return {name: gzip.compress(_idx(array)) for name, array in arrays.items()}, arrays


@pytest.mark.parametrize("name", ["mnist", "fashion-mnist", "kmnist"])
def test_idx_download_writes_npz_and_keeps_raw(server: _Server, tmp_path: Path, name: str) -> None:
    files, arrays = _idx_files()
    urls, md5s = server.publish(files)
    root = tmp_path / "data"
    written = download_dataset(name, root, progress=False, urls=urls, md5s=md5s)
    assert written == {split: root / name / f"{split}.npz" for split in ("train", "test")}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        stored = np.load(written[split])
        assert stored["images"].dtype == np.uint8 and stored["labels"].dtype == np.int64
        np.testing.assert_array_equal(stored["images"], arrays[f"{prefix}-images-idx3-ubyte.gz"])
        np.testing.assert_array_equal(stored["labels"], arrays[f"{prefix}-labels-idx1-ubyte.gz"])
    assert sorted(p.name for p in (root / name / "raw").iterdir()) == sorted(files)
    assert _leftovers(root) == []


def test_verified_raw_files_are_not_fetched_again(server: _Server, tmp_path: Path) -> None:
    files, _ = _idx_files()
    urls, md5s = server.publish(files)
    download_dataset("mnist", tmp_path, progress=False, urls=urls, md5s=md5s)
    (tmp_path / "mnist" / "train.npz").unlink()
    offline = {name: _closed_port_url() + name for name in files}
    download_dataset("mnist", tmp_path, progress=False, urls=offline, md5s=md5s)
    assert (tmp_path / "mnist" / "train.npz").is_file()


def test_progress_bar_goes_to_stderr(server: _Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files, _ = _idx_files()
    urls, md5s = server.publish(files)
    download_dataset("mnist", tmp_path, progress=True, urls=urls, md5s=md5s)
    captured = capsys.readouterr()
    assert "train-images-idx3-ubyte.gz" in captured.err and captured.out == ""


def test_emnist_zip_is_transposed_and_relabelled(server: _Server, tmp_path: Path) -> None:
    images = {"train": _images(5, seed=3), "test": _images(3, seed=4)}
    labels = {
        "train": np.array([1, 2, 26, 3, 1], np.uint8),
        "test": np.array([26, 1, 13], np.uint8),
    }
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("gzip/emnist-digits-train-labels-idx1-ubyte.gz", gzip.compress(b"other"))
        for split in ("train", "test"):
            prefix = f"gzip/emnist-letters-{split}"
            zipped.writestr(f"{prefix}-images-idx3-ubyte.gz", gzip.compress(_idx(images[split])))
            zipped.writestr(f"{prefix}-labels-idx1-ubyte.gz", gzip.compress(_idx(labels[split])))
    urls, md5s = server.publish({"gzip.zip": archive.getvalue()})
    download_dataset("emnist-letters", tmp_path, progress=False, urls=urls, md5s=md5s)
    for split in ("train", "test"):
        stored = np.load(tmp_path / "emnist-letters" / f"{split}.npz")
        np.testing.assert_array_equal(stored["images"], images[split].transpose(0, 2, 1))
        np.testing.assert_array_equal(stored["labels"], labels[split].astype(np.int64) - 1)


def test_emnist_zip_without_letters_raises(server: _Server, tmp_path: Path) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("gzip/readme.txt", "nothing here")
    urls, md5s = server.publish({"gzip.zip": archive.getvalue()})
    with pytest.raises(DataError, match="emnist-letters-train-images"):
        download_dataset("emnist-letters", tmp_path, progress=False, urls=urls, md5s=md5s)


def _libsvm(rows: list[tuple[int, dict[int, float]]]) -> bytes:
    text = "".join(
        f"{label} " + " ".join(f"{i}:{v}" for i, v in sorted(values.items())) + "\n" for label, values in rows
    )
    return bz2.compress(text.encode())


def test_usps_libsvm_is_scaled_and_relabelled(server: _Server, tmp_path: Path) -> None:
    dense = {i: -1.0 for i in range(1, 257)}
    train = [
        (1, {**dense, 1: 1.0, 17: 0.5}),  # pixel (0, 0) white, (1, 0) at 3/4
        (10, {i: v for i, v in dense.items() if i != 256}),  # absent feature means 0
    ]
    test = [(5, dense)]
    urls, md5s = server.publish({"usps.bz2": _libsvm(train), "usps.t.bz2": _libsvm(test)})
    download_dataset("usps", tmp_path, progress=False, urls=urls, md5s=md5s)
    stored = np.load(tmp_path / "usps" / "train.npz")
    images = stored["images"]
    assert images.shape == (2, 16, 16) and images.dtype == np.uint8
    assert images[0, 0, 0] == 255 and images[0, 1, 0] == 191 and images[0, 0, 1] == 0
    assert images[1, 15, 15] == 128 and images[1, 0, 0] == 0
    np.testing.assert_array_equal(stored["labels"], [0, 9])
    np.testing.assert_array_equal(np.load(tmp_path / "usps" / "test.npz")["labels"], [4])


def test_checksum_mismatch_deletes_file_and_writes_no_npz(server: _Server, tmp_path: Path) -> None:
    files, _ = _idx_files()
    urls, md5s = server.publish(files)
    md5s["t10k-images-idx3-ubyte.gz"] = "0" * 32
    with pytest.raises(DataError, match="checksum mismatch for t10k-images-idx3-ubyte.gz"):
        download_dataset("mnist", tmp_path, progress=False, urls=urls, md5s=md5s)
    assert list((tmp_path / "mnist").glob("*.npz")) == []
    assert not (tmp_path / "mnist" / "raw" / "t10k-images-idx3-ubyte.gz").exists()
    assert _leftovers(tmp_path) == []


def test_no_network_raises_dataset_unavailable(tmp_path: Path) -> None:
    offline = {source.filename: _closed_port_url() for source in DATASETS["kmnist"].sources}
    with pytest.raises(DatasetUnavailable) as info:
        download_dataset("kmnist", tmp_path, progress=False, urls=offline)
    message = str(info.value)
    assert "kmnist" in message and str(tmp_path / "kmnist") in message
    assert "DSVIZ_DATA_DIR" in message and "python -m dsviz download kmnist" in message
    assert not (tmp_path / "kmnist").exists()  # no empty kmnist/raw/ left behind


def test_cancelled_download_leaves_nothing_and_keeps_what_was_there(
    server: _Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [(label, {1: 0.5}) for label in range(1, 11)]
    urls, md5s = server.publish({"usps.bz2": _libsvm(rows), "usps.t.bz2": _libsvm(rows[:2])})
    kept = tmp_path / "usps" / "raw" / "notes.txt"
    kept.parent.mkdir(parents=True)
    kept.write_text("mine")
    seen = []

    def cancel(filename: str, done: int, total: int | None) -> None:
        seen.append(filename)
        if filename == "usps.t.bz2":
            raise KeyboardInterrupt  # the user stops the download after the first file

    with pytest.raises(KeyboardInterrupt):
        download_dataset("usps", tmp_path, progress=False, urls=urls, md5s=md5s, report=cancel)
    assert seen[0] == "usps.bz2" and "usps.t.bz2" in seen
    assert sorted(p.name for p in (tmp_path / "usps").rglob("*")) == ["notes.txt", "raw"]
    assert _leftovers(tmp_path) == []


def test_missing_remote_file_raises_dataset_unavailable(server: _Server, tmp_path: Path) -> None:
    urls = {"usps.bz2": server.base_url + "nowhere.bz2"}
    with pytest.raises(DatasetUnavailable, match="404"):
        download_dataset("usps", tmp_path, progress=False, urls=urls)


def _point_registry_at(monkeypatch: pytest.MonkeyPatch, name: str, urls: dict[str, str], md5s: dict[str, str]) -> None:
    info = DATASETS[name]
    sources = tuple(dataclasses.replace(s, url=urls[s.filename], md5=md5s.get(s.filename, s.md5)) for s in info.sources)
    monkeypatch.setitem(DATASETS, name, dataclasses.replace(info, sources=sources))


def test_load_downloads_missing_dataset(server: _Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dense = {i: 0.0 for i in range(1, 257)}
    rows = [(label, dense) for label in range(1, 11)]
    urls, md5s = server.publish({"usps.bz2": _libsvm(rows), "usps.t.bz2": _libsvm(rows[:2])})
    _point_registry_at(monkeypatch, "usps", urls, md5s)
    data = load("usps", split="test", data_dir=tmp_path)
    assert data.split_used == "test" and data.images.shape == (2, 28, 28)
    assert (data.images == 128).all()
    assert (tmp_path / "usps" / "train.npz").is_file()


def test_load_without_network_raises_dataset_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    offline = {source.filename: _closed_port_url() for source in DATASETS["kmnist"].sources}
    _point_registry_at(monkeypatch, "kmnist", offline, {})
    with pytest.raises(DatasetUnavailable) as info:
        load("kmnist", data_dir=tmp_path)
    assert "kmnist" in str(info.value) and str(tmp_path / "kmnist") in str(info.value)


# --- parsers ----------------------------------------------------------------------------------


def test_parse_idx_reads_wider_types() -> None:
    values = np.array([[1, -2], [300, 4]], dtype=">i4")
    data = bytes([0, 0, 0x0C, 2]) + struct.pack(">2I", 2, 2) + values.tobytes()
    np.testing.assert_array_equal(parse_idx(data), [[1, -2], [300, 4]])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x01\x00\x08\x01" + struct.pack(">I", 1) + b"\x00", "magic"),
        (b"\x00\x00\x08\x03" + struct.pack(">I", 1), "header"),
        (b"\x00\x00\x08\x01" + struct.pack(">I", 3) + b"\x00", "size mismatch"),
    ],
)
def test_parse_idx_rejects_malformed_files(data: bytes, message: str) -> None:
    with pytest.raises(DataError, match=message):
        parse_idx(data)


def test_parse_libsvm_rejects_malformed_lines() -> None:
    with pytest.raises(DataError, match="line 2"):
        parse_libsvm(["1 1:0.5", "2 1=0.5"], n_features=4)
    with pytest.raises(DataError, match="line 1"):
        parse_libsvm(["1 9:0.5"], n_features=4)


def test_corrupt_gzip_raises_data_error(server: _Server, tmp_path: Path) -> None:
    files, _ = _idx_files()
    files["train-images-idx3-ubyte.gz"] = b"not gzip at all"
    urls, md5s = server.publish(files)
    with pytest.raises(DataError, match="not a valid gzip"):
        download_dataset("mnist", tmp_path, progress=False, urls=urls, md5s=md5s)


# --- real data (DSVIZ_DATA_DIR) ---------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_data(real_data_dir: str) -> Path:
    return Path(real_data_dir)


def test_official_mnist_test_files_match_registry_and_npz(shared_data: Path) -> None:
    raw = shared_data / "mnist" / "raw"
    sources = {s.filename: s for s in DATASETS["mnist"].sources}
    names = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    for name in names:
        assert hashlib.md5((raw / name).read_bytes()).hexdigest() == sources[name].md5
    images, labels = (parse_idx(gzip.decompress((raw / name).read_bytes())) for name in names)
    stored = np.load(shared_data / "mnist" / "test.npz")
    np.testing.assert_array_equal(images, stored["images"])
    np.testing.assert_array_equal(labels, stored["labels"])
