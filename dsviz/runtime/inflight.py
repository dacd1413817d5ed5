"""One computation per key at a time, across threads and processes: a per-key file lock.

Several app sessions (threads of one Streamlit server) or CLI runs (processes)
asking for the same result at once should compute it once. Callers wrap their
cached computation in :func:`exclusive`: the first holder computes and stores
the value in the :class:`~dsviz.runtime.cache.Cache`; the others wait on the lock and
then find it there. ``fcntl.flock`` locks belong to an open file description, so
the same lock file opened by two threads of one process excludes them from each
other just as it does two processes; the kernel releases it if a holder dies.
Why not the ``filelock`` package: it is not installed and this is a few lines of
the standard library (POSIX only, like the deployment).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from dsviz.runtime.cache import default_cache_dir


def lock_path(name: str, params: Mapping, root: str | os.PathLike[str] | None = None) -> Path:
    """``<cache>/locks/<sha256 of name and params>.lock``."""
    digest = hashlib.sha256(
        json.dumps({"name": name, "params": params}, sort_keys=True, default=str).encode()
    ).hexdigest()
    base = Path(root) if root is not None else default_cache_dir()
    return base / "locks" / f"{digest}.lock"


@contextmanager
def exclusive(name: str, params: Mapping, root: str | os.PathLike[str] | None = None) -> Iterator[None]:
    """Hold the lock of ``(name, params)`` for the ``with`` block; blocks while another holder has it."""
    path = lock_path(name, params, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
