"""The SimEx page's retraining-baseline evidence (ui/retrain_view.py): budget verdicts and the paper-order text."""

from __future__ import annotations

import numpy as np

from dsviz.studies.simex_baselines.retrain import RetrainBaseline, RetrainConfig
from ui.retrain_view import budget_table, paper_order_text

NAMES = ("mnist", "mnist-rotated", "mnist-background", "fashion-mnist", "emnist-letters")
SHORT = {"mnist": "M", "mnist-rotated": "R", "mnist-background": "B", "fashion-mnist": "F", "emnist-letters": "E"}
BASE = np.array([0.99, 0.5, 0.9, 0.9, 0.95])
RAW = np.array(
    [
        [0.99, 0.9, 0.9, 0.8, 0.9],
        [0.45, 0.5, 0.3, 0.3, 0.4],
        [0.6, 0.5, 0.9, 0.5, 0.6],
        [0.7, 0.6, 0.7, 0.9, 0.7],
        [0.9, 0.8, 0.8, 0.7, 0.95],
    ]
)


def test_budget_table_marks_a_base_below_90_percent_of_its_reference():
    reference = np.array([0.99, 0.9, 0.95, 0.92, 0.96])  # rotated: 0.5 / 0.9 = 56 %
    res = RetrainBaseline(NAMES, RAW, BASE, 0.0, RetrainConfig(), reference)
    table = budget_table(res)
    verdicts = table.iloc[:, -1].tolist()
    assert verdicts == ["yes", "no", "yes", "yes", "yes"]
    assert table.loc["mnist-rotated", "share of the reference"] == "55.6%"
    unmeasured = budget_table(RetrainBaseline(NAMES, RAW, BASE, 0.0, RetrainConfig()))
    assert set(unmeasured.iloc[:, -1]) == {"—"}


def test_paper_order_text_counts_positions_under_each_reading():
    text = paper_order_text(RetrainBaseline(NAMES, RAW, BASE, 0.0, RetrainConfig()), SHORT)
    assert "M, E, R, F, B (SimEx §5.1)" in text
    assert "column reading M, E, F, B, R (2 of 5 positions" in text and "row reading M, E, R, F, B (5 of 5)" in text
    assert "only the row reading" in text
    two = RetrainBaseline(NAMES[:2], RAW[:2, :2], BASE[:2], 0.0, RetrainConfig())
    assert "not all are here" in paper_order_text(two, SHORT)
