"""Images for figure payloads: tiles of samples, encoded as PNG ``data:`` URIs (no file to fetch)."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image


def image_grid(images: np.ndarray, labels: np.ndarray, per_class: int = 2, zoom: int = 3, gap: int = 2) -> np.ndarray:
    """Tile uint8 N x H x W images into one uint8 picture: one column per class, ``per_class`` rows.

    Column ``c`` holds the first ``per_class`` images of the ``c``-th present class
    (a class with fewer images leaves blank cells). Each pixel becomes a
    ``zoom`` x ``zoom`` block so the browser does not blur the digits; cells are
    separated by ``gap`` pixels of mid-grey.
    """
    classes = np.unique(labels)
    h, w = images.shape[1:]
    cell_h, cell_w = h * zoom + gap, w * zoom + gap
    out = np.full((per_class * cell_h + gap, len(classes) * cell_w + gap), 128, dtype=np.uint8)
    for col, c in enumerate(classes):
        picked = np.flatnonzero(labels == c)[:per_class]
        for row, i in enumerate(picked):
            big = np.kron(images[i], np.ones((zoom, zoom), dtype=np.uint8))
            top, left = gap + row * cell_h, gap + col * cell_w
            out[top : top + h * zoom, left : left + w * zoom] = big
    return out


def png_data_uri(picture: np.ndarray) -> str:
    """A uint8 grey (H x W) or RGB (H x W x 3) picture as a ``data:image/png;base64,...`` URI."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(picture, dtype=np.uint8)).save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


__all__ = ["image_grid", "png_data_uri"]
