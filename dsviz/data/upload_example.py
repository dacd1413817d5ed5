"""The example upload: a bundled dataset written as the file a user would upload, so a page can show its figures
before anything is uploaded.

The example is scikit-learn's digits (:func:`dsviz.data.bundled.read_digits`: the 1,797 UCI digits in the
project's 28 x 28 layout) as an ``.npz`` with ``images`` and ``labels``, the first format
:func:`dsviz.data.upload.read_upload` accepts. It goes through the same reading, conversion and storage as an
upload: the digits already have bright strokes on a dark border at 28 x 28, so the conversion keeps them as
they are, and the stored upload is the bundled ``digits`` test split.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from dsviz.data.bundled import read_digits


@dataclass(frozen=True)
class ExampleFile:
    """A file standing in for an upload: its name, its bytes, and a phrase naming it on a page."""

    filename: str
    data: bytes
    description: str


def example_upload() -> ExampleFile:
    """The bundled digits as an uploadable ``.npz`` (uncompressed, about 1.4 MB)."""
    images, labels = read_digits()["test"]
    buf = io.BytesIO()
    np.savez(buf, images=images, labels=labels)
    return ExampleFile("digits.npz", buf.getvalue(), "the bundled digits dataset")
