"""Scatter labels placed without overlap (ui.label_layout) and the transfer scatter figure."""

from __future__ import annotations

import numpy as np

from ui.label_layout import Frame, label_sizes, overlapping_pairs, padded_range, place_labels
from ui.transfer_plots import FONT_SIZE, HEIGHT, MARGIN, WIDTH, transfer_scatter

LABELS = [
    "plain MNIST",
    "Rotation 45",
    "Rotation 90",
    "Rotation 180",
    "Center crop 0.2",
    "Center crop 0.4",
    "Translation 4",
    "Translation 8",
    "Zoom out 0.3",
    "Zoom out 0.6",
    "Gaussian blur 2",
    "Gaussian blur 4",
    "Gaussian noise 0.5",
    "Gaussian noise 1",
    "Elastic distortion 3",
]


def _boxes(frame, lx, ly, labels, font=11.0):
    px, py = frame.to_px(lx, ly)
    return np.column_stack([px, py]), label_sizes(labels, font)


def test_labels_of_a_tight_cluster_do_not_overlap_each_other_or_markers():
    rng = np.random.default_rng(0)
    for trial in range(5):
        x, y = rng.normal(size=15), rng.normal(size=15)
        x[:5], y[:5] = 0.3, 0.2  # five coincident points
        frame = Frame(690, 390, padded_range(x), padded_range(y))
        lx, ly = place_labels(x, y, LABELS, frame)
        centres, sizes = _boxes(frame, lx, ly, LABELS)
        assert overlapping_pairs(centres, sizes) == [], trial
        pts = np.column_stack(frame.to_px(x, y))
        covered = (np.abs(centres[:, None, :] - pts[None, :, :]) < sizes[:, None, :] / 2 + 7).all(axis=2)
        assert not covered.any()
        assert (centres - sizes / 2 >= -1e-9).all() and (centres[:, 0] + sizes[:, 0] / 2 <= 690 + 1e-9).all()
        again = place_labels(x, y, LABELS, frame)
        np.testing.assert_array_equal(again[0], lx)  # deterministic


def test_overlapping_pairs_detects_overlap():
    centres = np.array([[10.0, 10.0], [15.0, 12.0], [200.0, 10.0]])
    assert overlapping_pairs(centres, np.full((3, 2), 20.0)) == [(0, 1)]


def test_transfer_scatter_draws_one_arrow_label_per_point_inside_fixed_axes():
    rng = np.random.default_rng(2)
    x, y = rng.uniform(1000, 3000, 12), rng.normal(20, 10, 12)
    labels = [f"{a}→{b}" for a in "MEFU" for b in "MEFU" if a != b]
    fig = transfer_scatter(
        x, y, np.full(12, 3.0), labels, -0.01, 40.0, x_title="OTDD", y_title="drop", color="#1f77b4", selected=3
    )
    assert [a.text for a in fig.layout.annotations] == labels
    assert all(a.showarrow and a.x == x[i] and a.y == y[i] for i, a in enumerate(fig.layout.annotations))
    marker = fig.data[-1]
    assert list(marker.customdata) == list(range(12)) and marker.marker.size[3] > marker.marker.size[0]
    x0, x1 = fig.layout.xaxis.range
    y0, y1 = fig.layout.yaxis.range
    frame = Frame(WIDTH - MARGIN["l"] - MARGIN["r"], HEIGHT - MARGIN["t"] - MARGIN["b"], (x0, x1), (y0, y1))
    ax = np.array([a.ax for a in fig.layout.annotations])
    ay = np.array([a.ay for a in fig.layout.annotations])
    centres, sizes = _boxes(frame, ax, ay, labels, FONT_SIZE)
    assert overlapping_pairs(centres, sizes) == []
    assert ((x0 <= ax) & (ax <= x1) & (y0 <= ay) & (ay <= y1)).all()
