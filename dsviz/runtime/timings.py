"""Measured cost of long steps, so a page can say how long a first-time computation will take.

Each measured step records ``seconds / units`` (units: the step's size, e.g. training
images x epochs) under its name in ``<cache dir>/costs.json``; :func:`estimate` scales
the last measurement to a new size. The file is tiny and rewritten atomically; an
unreadable one counts as empty.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dsviz.runtime.atomic import atomic_write
from dsviz.runtime.cache import default_cache_dir


def _path(root: Path | None) -> Path:
    return (root if root is not None else default_cache_dir()) / "costs.json"


def _read(root: Path | None) -> dict[str, dict[str, float]]:
    try:
        data = json.loads(_path(root).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record(step: str, units: float, seconds: float, root: Path | None = None) -> None:
    """Remember that ``step`` took ``seconds`` for ``units`` of work (the last measurement wins)."""
    if units <= 0:
        return
    data = _read(root)
    data[step] = {"units": float(units), "seconds": float(seconds)}
    path = _path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as handle:
        handle.write(json.dumps(data, indent=1).encode())


@contextmanager
def measured(step: str, units: float, root: Path | None = None) -> Iterator[None]:
    """Time the block and :func:`record` it, only when it completes (a cancelled step records nothing)."""
    start = time.perf_counter()
    yield
    record(step, units, time.perf_counter() - start, root)


def estimate(step: str, units: float, root: Path | None = None) -> float | None:
    """Seconds ``step`` should take for ``units``, scaled linearly from the last measurement; None if never measured."""
    last = _read(root).get(step)
    if not last or last.get("units", 0) <= 0:
        return None
    return float(last["seconds"]) * units / float(last["units"])
