"""Uploads: every bad input gets a clear DataError, the conversion rule, storage by content hash, the CLI."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import tomllib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from dsviz.data import DataError, load
from dsviz.data.upload import UploadLimits, read_upload, save_upload, to_mnist_format, upload_path

ROOT = Path(__file__).resolve().parents[1]
RNG = np.random.default_rng(0)


def _png(image: np.ndarray, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, fmt)
    return buf.getvalue()


def _zip(members: dict[str, bytes], dirs: tuple[str, ...] = ()) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for d in dirs:
            archive.writestr(zipfile.ZipInfo(d), b"")
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def _npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _digit(size=(28, 28), light=True) -> np.ndarray:
    """A dark bar on white paper (``light``) or a bright bar on black."""
    img = np.full(size, 255 if light else 0, np.uint8)
    h, w = size
    img[h // 4 : 3 * h // 4, w // 2 - max(1, w // 10) : w // 2 + max(1, w // 10)] = 0 if light else 255
    return img


def _class_zip(classes=("a", "b"), per=3, size=(28, 28)) -> dict[str, bytes]:
    return {f"{c}/{i}.png": _png(_digit(size)) for c in classes for i in range(per)}


def _csv(rows: list[list], header: bool = False) -> bytes:
    lines = [",".join(["label"] + [f"p{i}" for i in range(len(rows[0]) - 1)])] if header else []
    lines += [",".join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


GOOD_IMAGES = RNG.integers(0, 256, size=(6, 28, 28), dtype=np.uint8)
GOOD_LABELS = np.array([0, 0, 0, 1, 1, 1])
BAD_INPUTS = {
    "unsupported type": ("data.txt", b"hello", "not a supported type"),
    "no file ending": ("data", b"hello", "not a supported type"),
    "empty file": ("data.npz", b"", "empty"),
    "corrupt zip": ("data.zip", b"PK\x03\x04 this is not really a zip", "corrupt"),
    "corrupt npz": ("data.npz", _npz(images=GOOD_IMAGES, labels=GOOD_LABELS)[:-40], "corrupt"),
    "npz that is text": ("data.npz", b"images,labels\n1,2\n", "corrupt"),
    "npz missing labels": ("data.npz", _npz(images=GOOD_IMAGES), "missing array(s) labels"),
    "npz pickled objects": ("data.npz", _npz(images=GOOD_IMAGES, labels=np.array([{}] * 6, dtype=object)), "corrupt"),
    "length mismatch": ("data.npz", _npz(images=GOOD_IMAGES, labels=GOOD_LABELS[:5]), "6 images but 5 labels"),
    "one class only": ("data.npz", _npz(images=GOOD_IMAGES, labels=np.zeros(6, int)), "only one class"),
    "a class with one image": (
        "data.npz",
        _npz(images=GOOD_IMAGES, labels=np.array([0, 0, 0, 0, 0, 1])),
        "fewer than 2 images: 1",
    ),
    "more than 100 classes": (
        "data.npz",
        _npz(images=np.zeros((202, 8, 8), np.uint8), labels=np.arange(202) // 2),
        "101 classes; at most 100",
    ),
    "NaN pixels": ("data.npz", _npz(images=np.where(GOOD_IMAGES > 250, np.nan, 0.5), labels=GOOD_LABELS), "NaN"),
    "infinite pixels": (
        "data.npz",
        _npz(images=np.where(GOOD_IMAGES > 250, np.inf, 0.5), labels=GOOD_LABELS),
        "infinity",
    ),
    "pixels over 255": (
        "data.npz",
        _npz(images=GOOD_IMAGES.astype(np.int32) + 100, labels=GOOD_LABELS),
        "expected [0, 255]",
    ),
    "negative pixels": (
        "data.npz",
        _npz(images=GOOD_IMAGES.astype(np.int16) - 5, labels=GOOD_LABELS),
        "expected [0, 255]",
    ),
    "NaN labels": ("data.npz", _npz(images=GOOD_IMAGES, labels=np.array([0, 0, 0, 1, 1, np.nan])), "NaN"),
    "string pixels": ("data.npz", _npz(images=np.array([["a"]] * 6), labels=GOOD_LABELS), "images must be"),
    "empty class folder": ("data.zip", _zip(_class_zip(("a", "b")), dirs=("c/",)), "no PNG/JPEG images: c"),
    "class folder of text files": (
        "data.zip",
        _zip({**_class_zip(("a", "b")), "c/readme.txt": b"hi"}),
        "no PNG/JPEG images: c",
    ),
    "zip with no folders": ("data.zip", _zip({"a.png": _png(_digit())}), "no class folders"),
    "path traversal": ("data.zip", _zip({**_class_zip(), "../evil/x.png": _png(_digit())}), "path traversal"),
    "nested traversal": ("data.zip", _zip({**_class_zip(), "a/../../x.png": _png(_digit())}), "path traversal"),
    "absolute name": ("data.zip", _zip({**_class_zip(), "/etc/x.png": _png(_digit())}), "absolute path"),
    "drive letter": ("data.zip", _zip({**_class_zip(), "C:\\x\\y.png": _png(_digit())}), "absolute path"),
    "csv not square": ("data.csv", _csv([[0, 1, 2, 3], [1, 4, 5, 6]]), "not a square image"),
    "csv non-number pixel": ("data.csv", _csv([[0] + [0] * 15 + [1], [1] + ["x"] + [0] * 15]), "not a number"),
    "csv short row": ("data.csv", b"0,1,2,3,4\n1,1,2\n", "missing or not a number"),
    "csv long row": ("data.csv", b"0,1,2,3,4\n1,1,2,3,4,5,6\n", "malformed"),
    "csv NaN pixel": (
        "data.csv",
        _csv([[0, 1, 2, 3, 4], [0, 1, 2, 3, 4], [1, 1, "nan", 3, 4], [1, 1, 2, 3, 4]]),
        "not a number",
    ),
    "csv out of range": (
        "data.csv",
        _csv([[0, 1, 2, 3, 400], [0, 1, 2, 3, 4], [1, 1, 2, 3, 4], [1, 1, 2, 3, 4]]),
        "expected [0, 255]",
    ),
    "csv binary": ("data.csv", b"\x00\x01\x02\xff\xfe", "not UTF-8"),
    "csv only header": ("data.csv", b"label,p1,p2,p3,p4\n", "no data rows"),
}


@pytest.mark.parametrize("filename,data,message", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_gives_one_clear_error(filename, data, message):
    with pytest.raises(DataError) as info:
        read_upload(filename, data)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_file_over_the_size_limit():
    data = _npz(images=GOOD_IMAGES, labels=GOOD_LABELS)
    with pytest.raises(DataError, match="over the 0 MB limit"):
        read_upload("data.npz", data, limits=UploadLimits(max_upload_bytes=len(data) - 1))
    assert len(read_upload("data.npz", data, limits=UploadLimits(max_upload_bytes=len(data))).images) == 6


def test_config_limit_is_the_documented_default():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert UploadLimits().max_upload_bytes == config["server"]["maxUploadSize"] * 2**20


@pytest.fixture
def no_decompression(monkeypatch):
    """Fail if any zip member is opened for reading (decompressed)."""
    original = zipfile.ZipFile.open

    def refuse(self, name, mode="r", *args, **kwargs):
        if mode == "r":
            raise AssertionError("a member was decompressed before the bomb checks")
        return original(self, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)


def test_zip_bomb_by_size_is_refused_before_extracting(no_decompression):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("a/bomb.png", b"\0" * (8 * 2**20))
        archive.writestr("b/bomb.png", b"\0" * (8 * 2**20))
    data = buf.getvalue()
    assert len(data) < 100_000  # 16 MB of zeros in a small file
    with pytest.raises(DataError, match="possible zip bomb"):
        read_upload("bomb.zip", data, limits=UploadLimits(max_decompressed_bytes=10 * 2**20))
    with pytest.raises(DataError, match="possible zip bomb"):
        read_upload("bomb.npz", data, limits=UploadLimits(max_decompressed_bytes=10 * 2**20))


def test_zip_bomb_by_file_count_is_refused_before_extracting(no_decompression):
    data = _zip({f"{c}/{i}.png": b"" for c in "ab" for i in range(40)})
    with pytest.raises(DataError, match="80 entries; at most 50"):
        read_upload("many.zip", data, limits=UploadLimits(max_members=50))


def test_member_whose_declared_size_lies_is_corrupt():
    """A member that decompresses to more than its declared size is cut there and fails its CRC."""
    data = bytearray(
        _zip(
            {"a/1.png": _png(_digit()), "a/2.png": _png(_digit()), "b/1.png": _png(_digit()), "b/2.png": _png(_digit())}
        )
    )
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("a/1.png")
    # shrink the declared size in the central directory entry of a/1.png
    central = bytes(data).rfind(b"PK\x01\x02", 0, bytes(data).find(b"a/1.png", info.header_offset + 40))
    data[central + 24 : central + 28] = (info.file_size // 2).to_bytes(4, "little")
    with pytest.raises(DataError, match="corrupt"):
        read_upload("lie.zip", bytes(data))


def test_non_images_are_skipped_and_listed():
    members = {
        **_class_zip(),
        "a/notes.txt": b"text",
        "b/photo.gif": _gif(),
        "readme.md": b"# hi",
        "__MACOSX/a/._1.png": b"junk",
        "a/.DS_Store": b"junk",
        "b/broken.png": b"\x89PNG\r\n\x1a\n broken",
    }
    up = read_upload("data.zip", _zip(members))
    assert up.counts == {"a": 3, "b": 3}
    skipped = "\n".join(up.skipped)
    for name in ("a/notes.txt", "b/photo.gif", "readme.md", "__MACOSX/a/._1.png", "a/.DS_Store", "b/broken.png"):
        assert name in skipped
    assert "GIF is not PNG or JPEG" in skipped and "not inside a class folder" in skipped


def _gif() -> bytes:
    buf = io.BytesIO()
    Image.fromarray(_digit()).save(buf, "GIF")
    return buf.getvalue()


def test_images_of_very_different_sizes_get_a_note_and_the_same_output_size():
    members = {
        "a/small.png": _png(_digit((16, 16))),
        "a/big.png": _png(_digit((300, 200))),
        "b/x.jpg": _png(_digit((64, 64)), "JPEG"),
        "b/y.png": _png(_digit((28, 28))),
    }
    up = read_upload("sizes.zip", _zip(members))
    assert up.images.shape == (4, 28, 28)
    assert len(up.notes) == 1 and "16 to 300 pixels" in up.notes[0]


def test_one_wrapping_folder_is_allowed():
    up = read_upload("wrapped.zip", _zip({f"mydata/{k}": v for k, v in _class_zip(("cat", "dog")).items()}))
    assert up.classes == ("cat", "dog")


def test_string_labels_are_mapped_to_classes():
    up = read_upload("data.npz", _npz(images=GOOD_IMAGES, labels=np.array(["dog", "cat", "dog", "cat", "dog", "cat"])))
    assert up.classes == ("cat", "dog")
    assert up.labels.tolist() == [1, 0, 1, 0, 1, 0]
    up = read_upload("data.csv", _csv([["  b", 1, 2, 3, 4], ["a", 1, 2, 3, 4], ["b", 0, 0, 0, 0], ["a", 9, 9, 9, 9]]))
    assert up.classes == ("a", "b") and up.labels.tolist() == [1, 0, 1, 0]


def test_integer_classes_sort_as_numbers():
    up = read_upload("data.npz", _npz(images=np.zeros((6, 4, 4), np.uint8), labels=np.array([10, 2, 10, 2, 9, 9])))
    assert up.classes == ("2", "9", "10")


def test_mnist_csv_with_header_reads_like_the_npz():
    rows = [[int(label)] + img.ravel().tolist() for img, label in zip(GOOD_IMAGES, GOOD_LABELS, strict=True)]
    from_csv = read_upload("mnist.csv", _csv(rows, header=True), invert=False)
    from_npz = read_upload("mnist.npz", _npz(images=GOOD_IMAGES, labels=GOOD_LABELS), invert=False)
    np.testing.assert_array_equal(from_csv.images, GOOD_IMAGES)
    assert from_csv.sha256 == from_npz.sha256  # identity is the content, not the file or its format


def test_conversion_rule_known_values():
    # a 56 x 28 (tall) white page with a black 28 x 6 bar: inverted, scaled by 1/2, padded to 28 x 28
    page = np.full((56, 28), 255, np.uint8)
    page[14:42, 11:17] = 0
    (out,), inverted = to_mnist_format([page])
    assert inverted == 1
    assert out[:, :7].max() == 0 and out[:, 21:].max() == 0  # padding: 7 columns each side, at the background
    assert out[8:20, 13:15].min() == 255  # the bar, now bright: columns 11-16 -> 7 + 5.5..8 after halving
    assert out[:6].max() == 0 and out[22:].max() == 0  # rows 14-41 -> 7..21, blurred by one pixel
    (kept,), inverted = to_mnist_format([page], invert=False)
    assert inverted == 0 and kept[:, :7].min() == 255  # light background kept, padded with it
    # colour -> BT.601 luminance; transparent -> white
    red = np.zeros((28, 28, 3), np.uint8)
    red[..., 0] = 255
    (gray,), _ = to_mnist_format([red], invert=False)
    assert np.all(gray == round(0.299 * 255))
    clear = np.zeros((28, 28, 4), np.uint8)
    (white,), inverted = to_mnist_format([clear], invert=False)
    assert inverted == 0 and np.all(white == 255)
    # floats in [0, 1] are scaled to [0, 255] by the npz reader
    up = read_upload("f.npz", _npz(images=np.ones((4, 28, 28)) * 0.5, labels=np.array([0, 0, 1, 1])), invert=False)
    assert np.all(up.images == 128)


def test_mnist_like_images_are_unchanged():
    up = read_upload("m.npz", _npz(images=np.stack([_digit(light=False)] * 4), labels=np.array([0, 0, 1, 1])))
    assert up.inverted == 0
    np.testing.assert_array_equal(up.images[0], _digit(light=False))


def test_saved_upload_roundtrips_through_load_and_stays_in_the_cache(tmp_path):
    cache = tmp_path / "cache"
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    up = read_upload("d.npz", _npz(images=GOOD_IMAGES, labels=np.array(["x", "y", "x", "y", "y", "x"])))
    path = save_upload(up, cache)
    assert path == cache / "uploads" / f"{up.sha256}.npz" == upload_path(up.sha256, cache)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        f"cache/uploads/{up.sha256}.npz"
    ]
    back = load(str(path))
    assert back.classes == up.classes
    np.testing.assert_array_equal(back.images, up.images)
    np.testing.assert_array_equal(back.labels, up.labels)
    # saving again leaves the file alone; other content gets another file
    stamp = path.stat().st_mtime_ns
    assert save_upload(up, cache) == path and path.stat().st_mtime_ns == stamp
    other = read_upload("d.npz", _npz(images=GOOD_IMAGES[::-1], labels=GOOD_LABELS))
    assert save_upload(other, cache) != path and path.stat().st_mtime_ns == stamp
    for bad in ("../../etc/passwd", "mnist", up.sha256.upper(), up.sha256 + "/x"):
        with pytest.raises(DataError):
            upload_path(bad, cache)


def test_integer_class_names_roundtrip(tmp_path):
    up = read_upload("d.npz", _npz(images=np.zeros((6, 28, 28), np.uint8), labels=np.array([3, 12, 3, 12, 7, 7])))
    back = load(str(save_upload(up, tmp_path)))
    assert back.classes == up.classes == ("3", "7", "12")
    np.testing.assert_array_equal(back.labels, up.labels)


# --- fuzzing: the readers either accept the input or raise DataError, never anything else ---

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _accepts_or_data_error(filename: str, data: bytes) -> None:
    try:
        up = read_upload(filename, data)
    except DataError as exc:
        assert str(exc)
        return
    assert up.images.dtype == np.uint8 and up.images.shape[1:] == (28, 28)
    assert len(up.images) == len(up.labels) and 2 <= len(up.classes) <= 100
    assert np.bincount(up.labels).min() >= 2


@FUZZ
@given(st.binary(max_size=400))
def test_fuzz_npz_reader_with_random_bytes(data):
    _accepts_or_data_error("f.npz", data)
    _accepts_or_data_error("f.zip", data)


@FUZZ
@given(
    hnp.arrays(
        st.sampled_from([np.uint8, np.int16, np.float32, np.float64, np.bool_]),
        hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=6),
    ),
    hnp.arrays(st.sampled_from([np.int64, np.float64, "U3"]), hnp.array_shapes(min_dims=1, max_dims=2, max_side=8)),
    st.integers(0, 60),
)
def test_fuzz_npz_reader_with_random_arrays(images, labels, cut):
    data = _npz(images=images, labels=labels)
    _accepts_or_data_error("f.npz", data)
    _accepts_or_data_error("f.npz", data[: len(data) - cut])


CSV_FIELD = st.one_of(
    st.integers(-5, 300).map(str),
    st.floats(allow_nan=True).map(str),
    st.text(max_size=4),
    st.sampled_from(["", " ", '"', "0", "255", "1e2", "a,b"]),
)


@FUZZ
@given(st.lists(st.lists(CSV_FIELD, min_size=1, max_size=10), max_size=8), st.booleans())
def test_fuzz_csv_reader(rows, trailing_newline):
    text = "\n".join(",".join(r) for r in rows) + ("\n" if trailing_newline else "")
    _accepts_or_data_error("f.csv", text.encode())


@FUZZ
@given(st.binary(max_size=300))
def test_fuzz_csv_reader_with_random_bytes(data):
    _accepts_or_data_error("f.csv", data)


def test_cli_otdd_accepts_an_uploaded_npz(tmp_path, real_data_dir):
    mnist = load("mnist", split="test", n=100, seed=5, data_dir=real_data_dir)
    up = read_upload("mine.npz", _npz(images=255 - mnist.images, labels=mnist.labels))  # light background: inverted
    path = save_upload(up, tmp_path / "cache")
    env = {**os.environ, "DSVIZ_DATA_DIR": real_data_dir, "DSVIZ_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run(
        [sys.executable, "-m", "dsviz", "otdd", str(path), "mnist", "--n", "100", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["src_classes"] == list(mnist.classes) and result["n_src"] == 100
    assert result["otdd"] > 0
    bad = subprocess.run(
        [sys.executable, "-m", "dsviz", "otdd", str(tmp_path / "nope.npz"), "mnist", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2 and bad.stdout == "" and len(bad.stderr.strip().splitlines()) == 1


PAGE_BAD_INPUTS = [
    "unsupported type",
    "corrupt npz",
    "length mismatch",
    "one class only",
    "path traversal",
    "empty class folder",
    "NaN pixels",
    "csv not square",
]


def test_page_shows_each_bad_input_as_a_message_and_keeps_working(tmp_path, monkeypatch):
    """One session uploads bad file after bad file: each gives an st.error, never an exception."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("pages/compare_upload.py").run()
    stored = set(tmp_path.rglob("*.npz"))  # the example's: the bundled digits standing in for an upload
    for case in PAGE_BAD_INPUTS:
        filename, data, message = BAD_INPUTS[case]
        at.file_uploader(key="upload").set_value((filename, data, "application/octet-stream")).run()
        assert not at.exception, (case, at.exception)
        (error,) = at.error
        assert message in error.value and "cannot be used" in error.value, case
    assert set(tmp_path.rglob("*.npz")) == stored  # nothing stored for bad input
