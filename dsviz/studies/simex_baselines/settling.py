"""SimEx Fig. 6a: how a fleet's ordering settles against a baseline over training epochs (Hwang et al., 2020, §5.2).

After every epoch the fleet's Δ is re-measured (:attr:`FleetRun.history`); each
epoch's ordering is compared with the baseline's by Spearman ρ, and repeated
fleets (seeds) give the mean and the sample standard deviation (ddof = 1) per
epoch, the paper's error bars.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dsviz.simex import runs
from dsviz.simex.baseline import sample_mse_matrix
from dsviz.simex.fleet import FleetRun
from dsviz.simex.ranking import nan_mean, ordering_agreement
from dsviz.studies.simex_baselines.confusion import ConfusionBaseline, mean_confusion_spearman
from dsviz.studies.simex_baselines.retrain import RetrainBaseline, spearman_per_base


def finite_list(values) -> list | float | None:
    """A JSON-ready list (nested like ``values``, or a scalar) with NaN and inf as ``None``."""
    arr = np.asarray(values, dtype=float)
    return np.where(np.isfinite(arr), arr, None).tolist()


def settling_against_baseline(
    fleets: Sequence[tuple[runs.Parts, FleetRun]],
    retrain: RetrainBaseline | None = None,
    confusion: ConfusionBaseline | None = None,
) -> dict:
    """Fig. 6a: after each epoch, ρ of the fleet's ordering against the baseline, mean and std over seeds.

    The reference is the retraining baseline (mean of Table 1's per-base ρ) or the
    confusion baseline (Table 2's mean ρ) when computed, else the sample-space
    baseline (mean row ρ). Untrained members are left out.
    """
    per_seed = []
    for seed_parts, fleet in fleets:
        ok = fleet.trained_mask
        if retrain is not None:
            curve = [nan_mean(spearman_per_base(h, retrain.accuracy, ok)) for h in fleet.history]
        elif confusion is not None:
            curve = [mean_confusion_spearman(np.where(ok[None, :], h, np.nan), confusion.matrix) for h in fleet.history]
        else:
            base = sample_mse_matrix(seed_parts.evaluate, seed_parts.train)
            curve = [ordering_agreement(h[:, ok], base[:, ok]) if ok.sum() >= 2 else np.nan for h in fleet.history]
        per_seed.append(curve)
    arr = np.asarray(per_seed, dtype=float)
    reference = "retraining" if retrain is not None else "confusion" if confusion is not None else "sample MSE"
    return {
        "reference": reference,
        "epochs": list(range(1, arr.shape[1] + 1)),
        "mean": finite_list(nan_mean(arr, 0)),
        "std": finite_list(arr.std(0, ddof=1) if len(arr) > 1 else np.zeros(arr.shape[1])),
        "per_seed": finite_list(arr),
    }
