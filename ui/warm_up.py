"""Once per server process: read the data files and import the heavy libraries in a background thread.

The first script run of a fresh server is what its first viewer (and every viewer
arriving with them) waits for; most of it is importing torch, POT and SciPy and
decompressing the dataset files. :func:`start_warm_up`, called at the top of
``app.py``, begins both beside that run: the npz files are decompressed first
(zlib releases the GIL, so this runs on the second core while the page imports
torch), then the libraries the pages import are imported, so a viewer opening a
second page finds them loaded. Nothing here changes a result: the files land in
:mod:`dsviz.data.loading`'s per-process read memo, the modules in ``sys.modules``.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time

from dsviz.data import availability, load

_LOG = logging.getLogger("dsviz.warm_up")
MODULES = ("torch", "ot", "scipy.stats", "sklearn.decomposition", "dsviz.methods", "dsviz.studies.pairs")
"""Imported in this order (each is a no-op when a page already imported it)."""
_STARTED: list[threading.Thread] = []
_LOCK = threading.Lock()


def _warm_up() -> None:
    start = time.perf_counter()
    for name, status in availability().items():
        if status.origin != "folder":
            continue  # not on disk (or a bundled copy, converted on first use): nothing to read ahead
        split = "train" if status.counts.get("train") else "test"  # the split the pages read first
        try:
            load(name, split=split, n=1, download=False)  # decompresses the whole file into the read memo
        except Exception:  # noqa: BLE001 - a broken file is the page's to report, with its message
            _LOG.debug("warm-up could not read %s/%s", name, split, exc_info=True)
    for module in MODULES:
        importlib.import_module(module)
    _LOG.info("warm-up: data files read and libraries imported in %.1f s", time.perf_counter() - start)


def start_warm_up() -> threading.Thread:
    """Start :func:`_warm_up` in a daemon thread, once per process; later calls return the same thread."""
    with _LOCK:
        if not _STARTED:
            thread = threading.Thread(target=_warm_up, name="dsviz-warm-up", daemon=True)
            thread.start()
            _STARTED.append(thread)
        return _STARTED[0]


def warming_up() -> bool:
    """True while the warm-up thread runs (the first seconds of a freshly started server)."""
    return bool(_STARTED) and _STARTED[0].is_alive()
