"""Argument types shared by the commands."""

from __future__ import annotations

import argparse


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def count_or_all(text: str) -> int | None:
    """argparse type for ``--n``: an integer >= 1, or ``all`` (None: every image)."""
    if text.strip().lower() == "all":
        return None
    return positive_int(text)
