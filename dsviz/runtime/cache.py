"""A small on-disk cache for computed results.

An entry is one ``.npz`` file named by the SHA-256 of (function name, parameters,
data fingerprint, dsviz version). Writes are atomic: the value goes to a unique
temporary file in the same folder, is flushed to disk, then ``os.replace``-d onto
the final name, so a reader sees either no entry or a complete one, and two
processes writing the same key leave one complete file (the last rename wins;
both hold the same value). A truncated or corrupt entry fails to load (zip CRC,
missing members, key mismatch), is deleted and recomputed.

Why not joblib.Memory or diskcache: the values here are plain named arrays, we
want the key to include a data fingerprint and the package version explicitly,
and entries must be readable with numpy alone (the app, the CLI and the
benchmarks share them). That is ~100 lines; a dependency would add more.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

import numpy as np

from dsviz import __version__
from dsviz.runtime.atomic import atomic_write
from dsviz.runtime.codec import decoder, encode

_KEY_MEMBER = "__cache_key__"
_LOG = logging.getLogger(__name__)
T = TypeVar("T")


def default_cache_dir() -> Path:
    """``DSVIZ_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/dsviz`` (``~/.cache/dsviz``)."""
    env = os.environ.get("DSVIZ_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dsviz"


def fingerprint(*arrays: np.ndarray) -> str:
    """SHA-256 over dtype, shape and bytes of each array (order matters)."""
    h = hashlib.sha256()
    for arr in arrays:
        a = np.ascontiguousarray(arr)
        h.update(str(a.dtype).encode())
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def cache_key(function: str, params: Mapping, data_fingerprint: str, version: str = __version__) -> str:
    """Hex key of one entry; ``params`` must be JSON-serialisable (sorted for stability)."""
    payload = json.dumps(
        {"function": function, "params": params, "data": data_fingerprint, "version": version},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


class Cache:
    """Folder of ``<function>/<key>.npz`` entries (see module docstring)."""

    def __init__(self, root: str | os.PathLike | None = None) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()

    def path(self, function: str, key: str) -> Path:
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in function)
        return self.root / safe / f"{key}.npz"

    def load(self, function: str, key: str) -> dict[str, np.ndarray] | None:
        """The stored arrays, or None when absent or unreadable (a bad file is removed)."""
        path = self.path(function, key)
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in data.files}
            if str(arrays.pop(_KEY_MEMBER)) != key:
                raise ValueError("cache key mismatch")
            return arrays
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            self.discard(function, key)
            return None

    def discard(self, function: str, key: str) -> None:
        """Remove a corrupt entry (it is then recomputed)."""
        self.path(function, key).unlink(missing_ok=True)

    def store(self, function: str, key: str, arrays: Mapping[str, np.ndarray]) -> Path:
        """Write atomically (unique temp file + fsync + ``os.replace``)."""
        path = self.path(function, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path) as fh:
            np.savez(fh, **{_KEY_MEMBER: np.asarray(key)}, **arrays)
        return path

    def get(
        self,
        function: str,
        params: Mapping,
        data_fingerprint: str,
        decode: Callable[[Mapping[str, np.ndarray]], T],
    ) -> T | None:
        """The decoded cached value, or None when absent; an entry that loads but does
        not decode (missing or malformed members) counts as corrupt and is removed."""
        key = cache_key(function, params, data_fingerprint)
        found = self.load(function, key)
        if found is None:
            return None
        try:
            return decode(found)
        except (KeyError, ValueError, TypeError):
            self.discard(function, key)
            return None

    def get_or_compute(
        self,
        function: str,
        params: Mapping,
        data_fingerprint: str,
        compute: Callable[[], T],
        encode: Callable[[T], Mapping[str, np.ndarray]],
        decode: Callable[[Mapping[str, np.ndarray]], T],
    ) -> tuple[T, bool]:
        """Return ``(value, hit)``: the cached value (see :meth:`get`), or ``compute()``'s, stored first.

        Each computation is logged (logger ``dsviz.runtime.cache``, INFO: ``computed <function> <key> in <s> s``),
        so a server's log counts how often a result was computed rather than read.
        """
        found = self.get(function, params, data_fingerprint, decode)
        if found is not None:
            return found, True
        start = time.perf_counter()
        value = compute()
        key = cache_key(function, params, data_fingerprint)
        self.store(function, key, encode(value))
        _LOG.info("computed %s %s in %.1f s", function, key[:12], time.perf_counter() - start)
        return value, False


def cached(
    cache: Cache | None,
    function: str,
    params: Mapping,
    data_fingerprint: str,
    compute: Callable[[], T],
    kind: type[T],
    *,
    cached_only: bool = False,
) -> tuple[T | None, bool]:
    """A study's result through the cache, ``(value, hit)``: the one prologue of every cached study.

    Looks up ``function`` under ``params`` and ``data_fingerprint`` in ``cache`` (the default cache when
    None) and decodes it as a ``kind`` (:func:`dsviz.runtime.codec.decode`); on a miss runs ``compute``
    and stores its value (:meth:`Cache.get_or_compute`), or with ``cached_only`` computes nothing and
    gives ``(None, False)``.
    """
    store = cache if cache is not None else Cache()
    decode = decoder(kind)
    if cached_only:
        found = store.get(function, params, data_fingerprint, decode)
        return found, found is not None
    return store.get_or_compute(function, params, data_fingerprint, compute, encode, decode)
