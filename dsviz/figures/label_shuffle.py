"""Payload of the label-shuffle figure: the browser solves each slider's OTDD itself.

Why the browser solves rather than the server precomputing: the four sliders (two
rotations in 5-degree steps, two shuffle fractions in steps of 0.05) reach
73 x 21 x 73 x 21 = 2.35 million settings per (points, seed), far too many to
precompute, while each setting is a small problem: two 2-D clouds of ``n <= 500`` points
in two classes. So the payload carries the unrotated clouds and, for every shuffle
fraction, each dataset's labels (the random draws of :func:`dsviz.studies.toy.shuffle_labels`
cannot be replayed in JavaScript), and ``js/label_shuffle.js`` rotates the clouds, builds
the costs and solves the four class-to-class OT problems and the outer OT problems exactly
(``js/emd.js``, successive shortest paths). So that a key press only has to paint, the
solves run ahead in background tasks once a redraw is on screen (one solve per task, so a
press waits for at most one): B's shuffle curve for the view, then the settings one step
away on every slider, solved and their clouds drawn in hidden panes, so a press that reaches
one only swaps panes. Points and seed stay server controls: they draw new data.

Tolerance: both sides solve the same linear programs exactly, so the browser's OTDD, OT
and label distances equal :func:`dsviz.studies.toy.pair_distances` (POT's network simplex)
up to floating-point rounding; :data:`REL_TOLERANCE` is what the tests demand.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from dsviz.studies.toy import CLASSES, SHUFFLE_FRACTIONS, ToyPair

REL_TOLERANCE = 1e-9
"""Largest relative difference allowed between the browser's values and the Python ones."""

CONTROLS = {
    "rot_a": {"label": "Rotation of A (degrees)", "min": 0, "max": 360, "step": 5},
    "shuffle_a": {"label": "Label shuffle of A", "min": 0.0, "max": 1.0, "step": 0.05},
    "rot_b": {"label": "Rotation of B (degrees)", "min": 0, "max": 360, "step": 5},
    "shuffle_b": {"label": "Label shuffle of B", "min": 0.0, "max": 1.0, "step": 0.05},
}
"""The figure's controls, named as the page's URL parameters."""


def view_of(pair: ToyPair) -> dict[str, float]:
    """The control values of ``pair`` (``rot_a``, ``shuffle_a``, ``rot_b``, ``shuffle_b``)."""
    return {
        "rot_a": float(pair.rotation_a),
        "shuffle_a": float(pair.shuffle_a),
        "rot_b": float(pair.rotation_b),
        "shuffle_b": float(pair.shuffle_b),
    }


def label_shuffle_payload(pair: ToyPair) -> dict:
    """What ``js/label_shuffle.js`` needs to draw every setting of ``pair``'s points and seed.

    Returns
    -------
    dict
        ``points_a``, ``points_b``: the unrotated clouds (n x 2); ``fractions``: the shuffle
        grid; ``labels_a``, ``labels_b``: one label list per fraction; ``classes``; ``controls``;
        ``initial``: ``pair``'s control values; ``n``, ``seed``.
    """
    fractions = [float(f) for f in SHUFFLE_FRACTIONS]
    labels_a, labels_b = [], []
    points_a = points_b = None
    for f in fractions:
        x_a, y_a, x_b, y_b = replace(pair, rotation_a=0.0, rotation_b=0.0, shuffle_a=f, shuffle_b=f).datasets()
        points_a, points_b = x_a, x_b
        labels_a.append(y_a.astype(int).tolist())
        labels_b.append(y_b.astype(int).tolist())
    return {
        "n": pair.n_points,
        "seed": pair.seed,
        "points_a": np.asarray(points_a).tolist(),
        "points_b": np.asarray(points_b).tolist(),
        "fractions": fractions,
        "labels_a": labels_a,
        "labels_b": labels_b,
        "classes": list(CLASSES),
        "controls": CONTROLS,
        "initial": view_of(pair),
    }


__all__ = ["CONTROLS", "REL_TOLERANCE", "label_shuffle_payload", "view_of"]
