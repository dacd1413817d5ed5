"""Parallel work over the CPU cores as independent one-thread pieces.

torch parallelises each elementwise operation or LAPACK call over its intra-op threads and
joins them at the end of every call. For many small calls (a log-sum-exp over one block of a
cost matrix, an eigendecomposition of a 500 x 500 matrix) those joins dominate, and on a
shared machine, where a thread waits for a core, they multiply: measured on this 2-core
machine under load 20 (``bench/otdd_stages.py``), one log-sum-exp sweep over a 5000 x 5000
cost took 0.8-10 s with torch's 2 threads and 0.16-0.2 s with one, and a batch of ten
500 x 500 ``eigvalsh`` 7-40 s against 0.6 s. :func:`map_split` instead gives each core one
Python thread that runs its share with one intra-op thread (torch releases the GIL inside its
operations), so the pieces never wait on each other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import torch

T = TypeVar("T")
R = TypeVar("R")


def map_split(fn: Callable[[T], R], items: Sequence[T], workers: int | None = None) -> list[R]:
    """``[fn(item) for item in items]``, run on ``workers`` threads (default: torch's thread count,
    at most one per item), each with one torch intra-op thread; inline when torch has one thread.

    ``torch.set_num_threads`` sets the calling thread's OpenMP and MKL thread counts and the
    default of threads started later; each worker sets 1 for itself, and the caller's own count
    is set again at the end so that threads started later get it back.
    """
    previous = torch.get_num_threads()
    if previous <= 1 or not items:
        return [fn(item) for item in items]
    workers = max(1, min(workers or previous, len(items)))

    def run(item: T) -> R:
        torch.set_num_threads(1)
        return fn(item)

    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(run, items))
    finally:
        torch.set_num_threads(previous)


def split_range(stop: int, parts: int) -> list[tuple[int, int]]:
    """``range(stop)`` cut into at most ``parts`` contiguous, nearly equal, non-empty ``(start, stop)``."""
    parts = max(1, min(parts, stop))
    bounds = [stop * k // parts for k in range(parts + 1)]
    return [(bounds[k], bounds[k + 1]) for k in range(parts) if bounds[k + 1] > bounds[k]]
