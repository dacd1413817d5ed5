"""ui.data_notice: the one command that fetches what a page misses."""

from __future__ import annotations

from ui.data_notice import downloadable, fix_command


def test_fix_command_names_each_downloadable_dataset_once():
    # derived MNIST variants need MNIST; bundled datasets are never downloaded; unknown names are skipped
    names = ["mnist-rotated", "usps", "mnist", "mnist-background", "digits", "mnist-5k", "nonsense"]
    assert downloadable(names) == ["mnist", "usps"]
    assert fix_command(["kmnist", "emnist-letters"]) == "python -m dsviz download kmnist emnist-letters"
