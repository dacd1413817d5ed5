"""Once per server process: read the data files and import the heavy libraries in a background thread.

The first script run of a fresh server is what its first viewer (and every viewer
arriving with them) waits for; most of it is importing torch and decompressing the
dataset files. :func:`start_warm_up`, called by :mod:`ui.cold_start` before a page's
own imports and at the top of ``app.py``, begins both beside that run, once ``app.py`` has sent
its loading status (:func:`loading_status_shown`, or after :data:`SHOWN_WAIT_S`: a run that shares
the GIL with the warm-up drew that status 0.3-0.7 s later): the npz files
are decompressed first (zlib releases the GIL, so this runs on the second core while
the page imports torch), then the modules every page imports. The solvers' libraries (POT, which imports scikit-learn and SciPy: a second
of CPU) are imported only once no page is running (:func:`page_running`), so a viewer
opening a page that solves finds them loaded, and a page reading cached results
(Dataset pairs on a warm cache) does not share the two cores with them. Nothing here
changes a result: the files land in :mod:`dsviz.data.loading`'s per-process read memo,
the modules in ``sys.modules``.
"""

from __future__ import annotations

import gc
import importlib
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from dsviz.data import availability, load

_LOG = logging.getLogger("dsviz.warm_up")
MODULES = ("torch", "dsviz.methods", "dsviz.studies.pairs")
"""Imported in this order right after the data files (each is a no-op when a page already imported it)."""
IDLE_MODULES = ("ot", "scipy.stats", "sklearn.decomposition")
"""Imported once no page has run for :data:`IDLE_S` seconds: what the pages that solve import."""
IDLE_S = 1.0
POSTPONED = 1_000_000
"""While the warm-up imports :data:`MODULES`, a full garbage collection waits for this many younger ones."""
_STARTED: list[threading.Thread] = []
_LOCK = threading.Lock()
_READY = threading.Event()
_SHOWN = threading.Event()
SHOWN_WAIT_S = 1.0
"""At most this long the warm-up waits for :func:`loading_status_shown` before it starts."""
_RUNS = threading.Condition()
_RUNNING = [0]  # script runs of any session now between the start and the end of their page


def _read_data_files() -> None:
    for name, status in availability().items():
        if status.origin != "folder":
            continue  # not on disk (or a bundled copy, converted on first use): nothing to read ahead
        split = "train" if status.counts.get("train") else "test"  # the split the pages read first
        try:
            load(name, split=split, n=1, download=False)  # decompresses the whole file into the read memo
        except Exception:  # noqa: BLE001 - a broken file is the page's to report, with its message
            _LOG.debug("warm-up could not read %s/%s", name, split, exc_info=True)


def _wait_until_idle() -> None:
    """Return once no page has been running for :data:`IDLE_S` seconds."""
    with _RUNS:
        while True:
            _RUNS.wait_for(lambda: _RUNNING[0] == 0)
            if not _RUNS.wait_for(lambda: _RUNNING[0] > 0, timeout=IDLE_S):
                return


def _import(modules: tuple[str, ...]) -> None:
    """Import ``modules``, then move every object alive to the garbage collector's permanent generation.

    The libraries' millions of objects live as long as the server: frozen, they are no longer traversed by
    each full collection (100-150 ms each once torch is loaded; 30 viewers' runs allocate enough to trigger
    them), and an object frozen with them is still freed when its last reference goes.
    """
    for module in modules:
        importlib.import_module(module)
    gc.freeze()


def _warm_up(thresholds: tuple[int, int, int]) -> None:
    _SHOWN.wait(timeout=SHOWN_WAIT_S)  # leave the GIL to the run that draws the loading status first
    start = time.perf_counter()
    try:
        _read_data_files()
        _import(MODULES)
    finally:
        gc.set_threshold(*thresholds)
        _READY.set()
    _LOG.info("warm-up: data files read and libraries imported in %.1f s", time.perf_counter() - start)
    _wait_until_idle()
    start = time.perf_counter()
    _import(IDLE_MODULES)
    _LOG.info("warm-up: solver libraries imported in %.1f s (no page running)", time.perf_counter() - start)


def start_warm_up() -> threading.Thread:
    """Start :func:`_warm_up` in a daemon thread, once per process; later calls return the same thread.

    The objects alive by then (Streamlit's, and the modules imported before) are frozen first, like those
    :func:`_import` imports, and until :data:`MODULES` are imported and frozen, full collections wait
    (:data:`POSTPONED`): while torch loads, each 25 % growth of the heap triggered one, four in all, 0.4 s of
    the first viewer's wait spent traversing objects that live as long as the server.
    """
    with _LOCK:
        if not _STARTED:
            thresholds = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(thresholds[0], thresholds[1], POSTPONED)
            thread = threading.Thread(target=_warm_up, args=(thresholds,), name="dsviz-warm-up", daemon=True)
            thread.start()
            _STARTED.append(thread)
        return _STARTED[0]


def loading_status_shown() -> None:
    """Called by ``app.py`` once its loading status is on its way to the browser: the warm-up may start."""
    _SHOWN.set()


def warming_up() -> bool:
    """True while the warm-up reads the data files and imports :data:`MODULES` (the first seconds of a freshly
    started server)."""
    return bool(_STARTED) and not _READY.is_set()


@contextmanager
def page_running() -> Iterator[None]:
    """Around a script run's page: the warm-up imports :data:`IDLE_MODULES` only while no page runs."""
    with _RUNS:
        _RUNNING[0] += 1
        _RUNS.notify_all()
    try:
        yield
    finally:
        with _RUNS:
            _RUNNING[0] -= 1
            _RUNS.notify_all()
