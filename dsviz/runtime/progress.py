"""The one progress protocol of dsviz: ``progress(done, total, what)``.

Every long computation (a dataset-distance method, a matrix of them, a training
run, a sweep) takes an optional ``progress`` callable and calls it with the units
done so far, the units in all, and a short human-readable label of the current
step. Pages turn it into ``st.progress``, the CLI into a tqdm bar.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int, str], None]
"""``progress(done, total, what)``."""


def labelled(progress: Progress | None, prefix: str) -> Progress | None:
    """``progress`` with ``prefix`` put before every label (None stays None)."""
    if progress is None:
        return None
    return lambda done, total, what="": progress(done, total, f"{prefix}: {what}" if what else prefix)


__all__ = ["Progress", "labelled"]
