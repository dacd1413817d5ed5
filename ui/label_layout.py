"""Non-overlapping text labels for scatter plots, placed greedily and deterministically.

Plotly has no label placement of its own. Each label is a box of its estimated
pixel size (``CHAR_WIDTH`` x font size per character). Labels are placed one at
a time (points from top to bottom, then left to right): the first of a fixed
list of candidate positions around the label's point (above, below, right,
left, the diagonals, on rings of growing distance) where the box lies inside
the plot area and overlaps neither a label already placed nor any point's
marker wins. A leader line from each label to its point (an arrow in plotly)
keeps the pairing readable, as the adjustText arrows of the authors' plotting
code do. No randomness: the same data always gives the same picture.

Why not adjustText: it works on matplotlib artists and renderers, and the
figures here are plotly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

CHAR_WIDTH = 0.62
"""Average glyph width of plotly's default sans-serif font, in units of the font size."""


@dataclass(frozen=True)
class Frame:
    """The plot area in pixels and the data ranges it shows (x right, y up)."""

    width: float
    height: float
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    def to_px(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        return (np.asarray(x) - x0) / (x1 - x0) * self.width, (np.asarray(y) - y0) / (y1 - y0) * self.height

    def to_data(self, px: np.ndarray, py: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        return x0 + np.asarray(px) / self.width * (x1 - x0), y0 + np.asarray(py) / self.height * (y1 - y0)


def padded_range(values: np.ndarray, fraction: float = 0.12) -> tuple[float, float]:
    """[min, max] of ``values`` widened by ``fraction`` of its span on each side (1 when the span is 0)."""
    lo, hi = float(np.min(values)), float(np.max(values))
    span = hi - lo if hi > lo else 1.0
    return lo - fraction * span, hi + fraction * span


def label_sizes(labels: Sequence[str], font_size: float, pad: float = 4.0) -> np.ndarray:
    """n x 2 estimated (width, height) in pixels of each label's box."""
    return np.array([[len(t) * CHAR_WIDTH * font_size + pad, 1.35 * font_size + pad] for t in labels], dtype=float)


def _overlap(c: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise overlaps (n x n, x and y) of boxes with centres ``c`` and sizes ``s``; <= 0 means apart."""
    half = s / 2
    ox = half[:, None, 0] + half[None, :, 0] - np.abs(c[:, None, 0] - c[None, :, 0])
    oy = half[:, None, 1] + half[None, :, 1] - np.abs(c[:, None, 1] - c[None, :, 1])
    return ox, oy


_DIRECTIONS = np.array([[0, 1], [0, -1], [1, 0], [-1, 0], [1, 1], [-1, 1], [1, -1], [-1, -1]], dtype=float)


def _candidates(point: np.ndarray, size: np.ndarray, gap: float, rings: int) -> np.ndarray:
    """Centres of the candidate boxes around ``point``: each direction, at growing distances."""
    out = []
    for ring in range(rings):
        reach = gap + ring * gap
        for d in _DIRECTIONS:
            out.append(point + d * (size / 2 + reach))
    return np.asarray(out)


def place_boxes(
    points_px: np.ndarray,
    sizes: np.ndarray,
    frame: Frame,
    *,
    marker_radius: float = 7.0,
    gap: float = 6.0,
    rings: int = 40,
) -> np.ndarray:
    """Label centres (n x 2, pixels): none overlaps another label or a marker when a free
    candidate exists; a label with no free candidate keeps the first one inside the frame."""
    pts = np.asarray(points_px, dtype=float)
    n = len(pts)
    centres = np.zeros((n, 2))
    placed: list[int] = []
    order = sorted(range(n), key=lambda i: (-pts[i, 1], pts[i, 0], i))
    marker = np.full((n, 2), 2 * marker_radius)
    for i in order:
        size, half = sizes[i], sizes[i] / 2
        cands = _candidates(pts[i], size, gap, rings)
        inside = (
            (cands[:, 0] >= half[0])
            & (cands[:, 0] <= frame.width - half[0])
            & (cands[:, 1] >= half[1])
            & (cands[:, 1] <= frame.height - half[1])
        )
        cands = cands[inside] if inside.any() else np.clip(cands, half, [frame.width, frame.height] - half)
        free = np.ones(len(cands), dtype=bool)
        for boxes, box_sizes in ((centres[placed], sizes[placed]), (pts, marker)):
            if len(boxes):
                ox = half[0] + box_sizes[None, :, 0] / 2 - np.abs(cands[:, None, 0] - boxes[None, :, 0])
                oy = half[1] + box_sizes[None, :, 1] / 2 - np.abs(cands[:, None, 1] - boxes[None, :, 1])
                free &= ~((ox > 0) & (oy > 0)).any(axis=1)
        centres[i] = cands[int(np.argmax(free))] if free.any() else cands[0]
        placed.append(i)
    return centres


def overlapping_pairs(centres: np.ndarray, sizes: np.ndarray) -> list[tuple[int, int]]:
    """Index pairs (i < j) of label boxes that overlap."""
    ox, oy = _overlap(centres, sizes)
    i, j = np.nonzero(np.triu((ox > 0.5) & (oy > 0.5), k=1))
    return list(zip(i.tolist(), j.tolist()))


def place_labels(
    x: np.ndarray,
    y: np.ndarray,
    labels: Sequence[str],
    frame: Frame,
    font_size: float = 11.0,
    marker_radius: float = 7.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Data coordinates of each label's centre, placed by :func:`place_boxes` in ``frame``."""
    px, py = frame.to_px(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    centres = place_boxes(np.column_stack([px, py]), label_sizes(labels, font_size), frame, marker_radius=marker_radius)
    return frame.to_data(centres[:, 0], centres[:, 1])


__all__ = ["Frame", "label_sizes", "overlapping_pairs", "padded_range", "place_boxes", "place_labels"]
