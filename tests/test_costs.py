"""dsviz.costs: measured step costs scale to an estimate; a cancelled step records nothing."""

from __future__ import annotations

import pytest

from dsviz import costs


def test_estimate_scales_the_last_measurement(tmp_path):
    assert costs.estimate("fleet", 100, root=tmp_path) is None
    costs.record("fleet", 1000, 4.0, root=tmp_path)
    assert costs.estimate("fleet", 250, root=tmp_path) == pytest.approx(1.0)
    costs.record("fleet", 1000, 8.0, root=tmp_path)
    assert costs.estimate("fleet", 250, root=tmp_path) == pytest.approx(2.0)


def test_cancelled_step_records_nothing_and_bad_file_is_empty(tmp_path):
    with pytest.raises(KeyboardInterrupt), costs.measured("otdd", 10, root=tmp_path):
        raise KeyboardInterrupt
    assert costs.estimate("otdd", 10, root=tmp_path) is None
    (tmp_path / "costs.json").write_text("{not json")
    assert costs.estimate("otdd", 10, root=tmp_path) is None
    with costs.measured("otdd", 10, root=tmp_path):
        pass
    assert costs.estimate("otdd", 20, root=tmp_path) >= 0
