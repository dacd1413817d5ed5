"""Heavy computations shared by every session of one server: computed once per key, a bounded number at a time.

Thirty viewers opening the same page must not start thirty copies of the same
matrix, and a few viewers asking for different heavy results must not all
compete for two cores at once. :class:`JobBoard` runs each job on a small pool
of worker threads (``workers`` at a time, the rest queued in arrival order) and
keys it: a caller asking for a key that is queued, running or already done
gets that same job, so the result is computed once and the object is shared
(callers must not mutate it). Jobs run outside any session, so a viewer who
leaves or reruns does not cancel a computation others are waiting for.

Each job holds the :func:`dsviz.runtime.inflight.exclusive` lock of its key while it
runs, so another process (a second server, ``python -m dsviz precompute``)
computing the same key at the same time waits and then reads it from the disk
cache instead of computing it again.

Callers poll :meth:`Job.state` to show progress: the queue position while
waiting, then the job's own ``progress(done, total, what)`` reports. A job
submitted with ``partial=True`` is also given :meth:`Job.publish`, to hand out
partial results while it runs (e.g. a matrix whose cells fill in one by one);
callers read them with :meth:`Job.partial`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from dsviz.runtime.inflight import exclusive
from dsviz.runtime.progress import Progress

_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobState:
    """Where a job is: ``queued_ahead`` jobs before it (None once it runs), then its progress."""

    queued_ahead: int | None
    done: int = 0
    total: int = 0
    what: str = ""
    finished: bool = False


class Job:
    """One keyed computation on the board; :meth:`result` blocks, :meth:`state` does not."""

    def __init__(self, board: JobBoard, key: Hashable, label: str) -> None:
        self.board, self.key, self.label = board, key, label
        self.future: Future = Future()
        self._progress: tuple[int, int, str] = (0, 0, "queued")
        self.started = False
        self.seconds = 0.0
        self._partial: tuple[int, object] = (0, None)

    def publish(self, value: object) -> None:
        """The computation's partial result so far (shared read-only, like the final one)."""
        self._partial = (self._partial[0] + 1, value)

    def partial(self) -> tuple[int, object]:
        """(how many partial results were published, the latest one or None)."""
        return self._partial

    def report(self, done: int, total: int, what: str) -> None:
        """The computation's progress callback."""
        self._progress = (done, total, what)

    def state(self) -> JobState:
        if self.future.done():
            return JobState(None, *self._progress, finished=True)
        if not self.started:
            return JobState(self.board.queued_ahead(self))
        return JobState(None, *self._progress)

    def result(self, timeout: float | None = None):
        return self.future.result(timeout)


class JobBoard:
    """A keyed pool of heavy jobs (see module docstring); ``memo`` finished results are kept, oldest dropped."""

    def __init__(self, workers: int = 1, memo: int = 32, lock_root: str | os.PathLike[str] | None = None) -> None:
        self.workers, self.memo = workers, memo
        self.lock_root = lock_root
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dsviz-job")
        self._lock = threading.Lock()
        self._jobs: OrderedDict[Hashable, Job] = OrderedDict()
        self._queue: list[Job] = []
        self.computed = 0

    def submit(
        self,
        key: Hashable,
        label: str,
        compute: Callable[..., object],
        lock_params: Mapping | None = None,
        partial: bool = False,
    ) -> Job:
        """The job of ``key``: the existing one (queued, running or finished) or a new one running ``compute``.

        ``compute(progress)``, or ``compute(progress, publish)`` with ``partial`` (see :meth:`Job.publish`).
        A job that failed is forgotten, so the next caller retries it. ``lock_params``
        (JSON-serialisable) name the cross-process lock; default: ``repr(key)``.
        """
        with self._lock:
            job = self._jobs.get(key)
            if job is not None:
                self._jobs.move_to_end(key)
                return job
            job = Job(self, key, label)
            self._jobs[key] = job
            self._queue.append(job)
            self._trim()
        run = (lambda progress: compute(progress, job.publish)) if partial else compute
        self._pool.submit(self._run, job, run, dict(lock_params or {"key": repr(key)}))
        return job

    def finished(self, key: Hashable) -> bool:
        """True when the job of ``key`` is on the board and has finished without an error."""
        with self._lock:
            job = self._jobs.get(key)
        return job is not None and job.future.done() and job.future.exception() is None

    def queued_ahead(self, job: Job) -> int | None:
        """Jobs waiting before ``job`` plus those running (None when it runs or is not queued)."""
        with self._lock:
            if job not in self._queue:
                return None
            return self._queue.index(job) + self.running()

    def running(self) -> int:
        return sum(1 for j in self._jobs.values() if j.started and not j.future.done())

    def _trim(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.future.done()]
        for k in finished[: max(len(finished) - self.memo, 0)]:
            del self._jobs[k]

    def _run(self, job: Job, compute: Callable[[Progress], object], lock_params: dict) -> None:
        with self._lock:
            self._queue.remove(job)
            job.started = True
        start = time.perf_counter()
        try:
            with exclusive("job", lock_params, self.lock_root):
                value = compute(job.report)
        except BaseException as exc:  # the waiting sessions show it; the next submit retries
            with self._lock:
                if self._jobs.get(job.key) is job:
                    del self._jobs[job.key]
            job.future.set_exception(exc)
            _LOG.info("job failed: %s (%s)", job.label, exc)
            return
        job.seconds = time.perf_counter() - start
        with self._lock:
            self.computed += 1
        _LOG.info("job done: %s in %.1f s", job.label, job.seconds)
        job.future.set_result(value)
