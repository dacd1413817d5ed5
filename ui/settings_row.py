"""A row of URL-bound number settings (:class:`ui.url_state.UrlNumber`), one widget per column."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ui.url_state import UrlNumber


def number_row(specs: Sequence[UrlNumber], columns: Sequence[Any]) -> list[int]:
    """Each integer spec's number input in its own column, in order; their current values."""
    values = []
    for spec, column in zip(specs, columns, strict=True):
        with column:
            values.append(int(spec.number_input()))
    return values
