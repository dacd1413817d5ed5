"""The result object of an OTDD computation and the summary of its coupling (cached by :mod:`dsviz.runtime.codec`)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from dsviz.runtime.codec import INLINE, to_json


@dataclass
class PlanSummary:
    """What is kept of a coupling ``pi`` between n1 source and n2 target points (:func:`dsviz.otdd.summaries.plan_summaries`).

    Attributes:
        class_coupling: K1 x K2 transported mass between classes (sums to 1).
        src_top_index, src_top_mass: n1 x k, each source point's k partners with the
            most mass (index into the target points), mass descending; index -1 pads.
        tgt_top_index, tgt_top_mass: n2 x k, the same for target points.
        plan_rows, plan_cols, plan_mass: the strongest entries of the coupling
            (all nonzero entries for exact OT, at most n1 + n2 - 1), mass descending.
    """

    class_coupling: np.ndarray
    src_top_index: np.ndarray
    src_top_mass: np.ndarray
    tgt_top_index: np.ndarray
    tgt_top_mass: np.ndarray
    plan_rows: np.ndarray
    plan_cols: np.ndarray
    plan_mass: np.ndarray


@dataclass
class OTDDResult:
    """Everything one OTDD run produces.

    Values follow Alvarez-Melis & Fusi, "Geometric Dataset Distances via Optimal
    Transport" (NeurIPS 2020), Eq. (3)-(4) with p = 2: the ground cost between
    (x, y) and (x', y') is ``||x - x'||^2 + W_2^2(P_y, P_y')`` and the reported
    ``otdd`` is the optimal transport cost ``<pi*, C>`` (a squared distance).

    Attributes:
        otdd: OTDD value (debiased when ``options['debiased']``).
        ot: plain feature-only OT value ``<pi_x*, ||x - x'||^2>`` on the same data,
            debiased in the same way.
        feature_component: ``sum pi*_ij ||x_i - x'_j||^2`` of the OTDD coupling.
        label_component: ``sum pi*_ij W_2^2(P_{y_i}, P_{y'_j})`` of the OTDD coupling.
            ``feature_component + label_component`` is the biased OTDD value.
        label_distances: K1 x K2 matrix of ``W_2^2`` between class-conditionals.
        src_classes, tgt_classes: class names, in the row/column order of the matrices.
        plan: the class coupling, each point's strongest partners and the strongest
            entries of the OTDD coupling (:class:`PlanSummary`).
        n_src, n_tgt: number of points on each side.
        timings: seconds per stage.
        options: the settings that produced the result.
    """

    otdd: float
    ot: float
    feature_component: float
    label_component: float
    label_distances: np.ndarray
    src_classes: list[str]
    tgt_classes: list[str]
    plan: PlanSummary = field(metadata=INLINE)
    n_src: int
    n_tgt: int
    timings: dict[str, float] = field(default_factory=dict)
    options: dict = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        """Total wall-clock seconds over all stages."""
        return float(sum(self.timings.values()))

    def summary(self) -> dict:
        """JSON-ready summary (the CLI's ``--json`` keys are built from this): every field but the plan as plain
        numbers, strings and lists (:func:`dsviz.runtime.codec.to_json`), and the plan's class coupling."""
        out = {f.name: to_json(getattr(self, f.name)) for f in fields(self) if f.name != "plan"}
        return {**out, "class_coupling": to_json(self.plan.class_coupling)}


__all__ = ["OTDDResult", "PlanSummary"]
