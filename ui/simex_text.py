"""Sentences of the SimEx page that state results: written from what was computed, never fixed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import torch

from ui.estimates import device_name


def resnet_confusion_cell(device: torch.device) -> str:
    """The Table 2 cell of the paper's ResNet-18 confusion baseline, which dsviz does not compute.

    It would only be practical on a GPU; where one is present, the reason it is missing is that
    dsviz has no ResNet-18 baseline, not the device."""
    if device.type == "cuda":
        return f"not computed: dsviz has no ResNet-18 baseline (this machine has a {device_name(device)})"
    return "not computed: needs a GPU (this machine has none)"


def _mean(values: np.ndarray) -> str:
    finite = np.asarray(values, float)[np.isfinite(values)]
    return f"{finite.mean():.2f}" if finite.size else "—"


def table1_findings(
    names: Sequence[str],
    delta: np.ndarray,
    trained: np.ndarray,
    retrain_accuracy: np.ndarray,
    rho_simex: np.ndarray,
    rho_sample: np.ndarray,
    short: Mapping[str, str] | None = None,
) -> str:
    """What Table 1 shows, counted from its matrices (row = data, column = base).

    Retraining orders data by decreasing normalized accuracy, SimEx by increasing Δ; the
    sentences count how often retraining's first and last dataset repeat across bases and how
    often SimEx puts a base's own dataset first, and give the mean ρ of both similarities.
    """
    label = [(short or {}).get(n, n) for n in names]
    acc = np.asarray(retrain_accuracy, float)
    k = acc.shape[1]
    firsts = Counter(int(np.argmax(acc[:, j])) for j in range(k))
    lasts = Counter(int(np.argmin(acc[:, j])) for j in range(k))
    (first, n_first), (last, n_last) = firsts.most_common(1)[0], lasts.most_common(1)[0]
    text = f"Retraining puts {label[first]} first for {n_first} of {k} bases and {label[last]} last for {n_last} of {k}"
    own_by_retraining = sum(int(np.argmax(acc[:, j])) == j for j in range(k))
    if n_first == k and own_by_retraining < k:
        text += (
            ": its order hardly depends on the base, so it ranks how easy each dataset is to classify more than "
            "how similar it is to the base (dividing a column by the base's own accuracy cannot change its order)"
        )
    ok = np.flatnonzero(np.asarray(trained, bool))
    own = sum(int(np.argmin(np.asarray(delta, float)[:, j])) == j for j in ok)
    text += (
        f". SimEx puts the base's own dataset first for {own} of {len(ok)} trained bases. "
        f"Mean ρ against retraining: SimEx {_mean(rho_simex)}, sample space {_mean(rho_sample)}."
    )
    return text
