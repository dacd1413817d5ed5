"""Run a grid of independent tasks in-process or on a Ray cluster; only the driver writes the cache.

A *task* is a :class:`Task`: a unique ``name``, a picklable ``spec`` (a frozen
dataclass saying what to compute), a top-level function ``fn(spec, cache)``
computing it, and the resources it needs (``gpu=True`` when it trains or
computes on the torch device: Ray then reserves ``num_gpus=1`` wherever the
cluster has GPUs). ``fn`` calls the ordinary cached dsviz functions with the
``cache`` it is handed, e.g.::

    @dataclass(frozen=True)
    class Cell:
        src: str
        tgt: str
        n: int

    def cell(spec: Cell, cache: Cache) -> float:          # top level: Ray imports it by name
        return methods.compare("otdd-exact", spec.src, spec.tgt, n=spec.n, cache=cache).distance.value

    tasks = [Task(f"{a}|{b}", cell, Cell(a, b, 500), gpu=True) for a, b in pairs]
    with make_executor("ray", address=None) as executor:
        grid = executor.run(tasks, progress=bar)
    grid.raise_failures()            # or report grid.failed ({name: "Error: message"})
    grid.values["mnist|usps"]        # fn's return value
    # ...then call the same cached function on the driver: every value is a cache hit.

How a grid runs (:meth:`Executor.run`):

1. *Probe* (Ray): on the driver each task's ``fn`` runs against a :class:`ProbeCache`,
   which answers from the cache and raises :class:`NotCached` at the first
   miss instead of computing. Tasks that finish are already cached and are not
   submitted (``GridResult.cached``): a resumed grid computes only what is
   missing. (So ``fn`` should do its work inside the cached functions it calls,
   as every dsviz function does; a probe that raises anything else counts as
   "not cached", and the task then reports its own error.)
2. *Compute*: each remaining task runs once (in-process for :class:`LocalExecutor`,
   as a Ray task for :class:`RayExecutor`) against a :class:`CaptureCache`: it
   reads the driver's cache folder where the worker can see that path (same
   machine or shared storage; read-only, e.g. the OTDD a pair's UMAP task
   reuses) and keeps every value ``fn`` would store in memory. Workers read data from their ``DSVIZ_DATA_DIR``.
3. *Store*: the value and the captured entries return to the driver, which
   writes each entry with :meth:`dsviz.runtime.cache.Cache.store` (atomic: temp file +
   fsync + rename) as soon as its task completes, then advances the progress
   bar. A driver killed at any moment leaves complete entries only; the tasks
   in flight are simply computed again by the next run.

Faults: a task that raises, or whose worker process dies, is retried up to
``max_retries`` times (Ray's ``max_retries`` with ``retry_exceptions=True``;
the local executor retries exceptions the same way). A task that still fails is
reported in ``GridResult.failed`` by name with its error; the other tasks'
results are kept and stored.

Ray (PyPI ``ray``) is imported only inside :class:`RayExecutor`, so the app and
the local path never load it. ``address=None`` starts a local cluster sized to
this machine (``os.cpu_count()`` CPUs, the visible GPUs) and shuts it down
afterwards; ``"auto"``, ``"host:port"`` or ``"ray://host:port"`` join an
existing one and ship this ``dsviz`` package to its workers (``runtime_env``
``py_modules``), which then need the data under their own ``DSVIZ_DATA_DIR``.
Use an executor as a context manager (``with make_executor(...) as ex:``) so a
cluster it started is shut down when the command ends and is started once for
all its grids; a Ray session already initialised in this process
(``ray.init``) is used as it is and left running.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dsviz.runtime.cache import Cache
from dsviz.runtime.progress import Progress  # called on the driver as tasks complete

EXECUTORS = ("local", "ray")
DEFAULT_RETRIES = 2


@dataclass(frozen=True)
class Task:
    """One unit of a grid: ``fn(spec, cache)`` with ``fn`` a top-level (importable) function.

    ``num_cpus`` is the CPU share Ray reserves; ``gpu`` asks for one GPU where the
    cluster has any (the task's ``device="auto"`` then resolves to it).
    """

    name: str
    fn: Callable[[Any, Cache], Any]
    spec: Any
    gpu: bool = False
    num_cpus: float = 1.0


@dataclass
class TaskOutput:
    """What a task sends back to the driver: its value, the cache entries it produced, its compute time."""

    value: Any
    entries: dict[tuple[str, str], dict[str, np.ndarray]]
    seconds: float
    attempt_pid: int


@dataclass
class GridResult:
    """Outcome of :meth:`Executor.run`.

    Attributes:
        values: task name -> ``fn``'s return value, for the tasks computed in this run.
        seconds: task name -> compute seconds on its worker.
        cached: names of tasks whose values were already in the cache (not run).
        failed: task name -> ``"ErrorType: message"`` of tasks that failed after all retries.
        wall_seconds: wall-clock time of the whole grid on the driver.
        start_seconds: of which starting or joining the cluster (0 for the local executor).
    """

    values: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    cached: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    wall_seconds: float = 0.0
    start_seconds: float = 0.0

    @property
    def computed(self) -> list[str]:
        return list(self.values)

    def summary(self) -> dict:
        """JSON-ready: ``computed``, ``cached``, ``failed``, ``task_seconds``, ``wall_seconds``, ``start_seconds``."""
        return {
            "computed": self.computed,
            "cached": self.cached,
            "failed": self.failed,
            "task_seconds": self.seconds,
            "wall_seconds": self.wall_seconds,
            "start_seconds": self.start_seconds,
        }

    def raise_failures(self) -> None:
        """Raise :class:`GridFailed` listing every failed task by name (finished ones are already stored)."""
        if self.failed:
            raise GridFailed(self.failed)


class GridFailed(RuntimeError):
    """Some tasks of a grid failed after their retries; ``failed`` maps names to errors."""

    def __init__(self, failed: Mapping[str, str]) -> None:
        self.failed = dict(failed)
        lines = "; ".join(f"{name}: {error}" for name, error in self.failed.items())
        super().__init__(f"{len(self.failed)} task(s) failed (the finished ones are cached): {lines}")


class NotCached(Exception):
    """Raised by :class:`ProbeCache` at the first value that would have to be computed."""


class ProbeCache(Cache):
    """Look-ups only: a hit is returned, a miss raises :class:`NotCached` (nothing is computed or stored)."""

    def get_or_compute(self, function, params, data_fingerprint, compute, encode, decode):
        found = self.get(function, params, data_fingerprint, decode)
        if found is None:
            raise NotCached(function)
        return found, True

    def store(self, function: str, key: str, arrays: Mapping[str, np.ndarray]) -> Path:
        raise NotCached(function)


class CaptureCache(Cache):
    """Worker side: reads the cache folder without ever changing it; stores go to ``entries`` in memory."""

    def __init__(self, root: str | os.PathLike | None = None) -> None:
        super().__init__(root)
        self.entries: dict[tuple[str, str], dict[str, np.ndarray]] = {}

    def load(self, function: str, key: str) -> dict[str, np.ndarray] | None:
        if (function, key) in self.entries:
            return dict(self.entries[(function, key)])
        return super().load(function, key)

    def discard(self, function: str, key: str) -> None:
        """A corrupt entry is left for the driver (it is recomputed here and stored over by the driver)."""
        self.entries.pop((function, key), None)

    def store(self, function: str, key: str, arrays: Mapping[str, np.ndarray]) -> Path:
        self.entries[(function, key)] = {name: np.asarray(value) for name, value in arrays.items()}
        return self.path(function, key)


def run_task(task: Task, root: str | os.PathLike | None = None) -> TaskOutput:
    """Compute one task against a :class:`CaptureCache` reading ``root`` (default: this process's
    cache folder); this is what a worker runs."""
    cache = CaptureCache(root)
    start = time.perf_counter()
    value = task.fn(task.spec, cache)
    return TaskOutput(value, cache.entries, time.perf_counter() - start, os.getpid())


def is_cached(task: Task, cache: Cache) -> bool:
    """Whether every value ``task`` needs is already in ``cache`` (runs ``fn`` against a :class:`ProbeCache`)."""
    try:
        task.fn(task.spec, ProbeCache(cache.root))
    except Exception:  # noqa: BLE001 - NotCached, or an error the task itself will report by name
        return False
    return True


def describe_error(exc: BaseException) -> str:
    """``"ErrorType: message"`` of the original exception (unwrapping Ray's task errors)."""
    cause = getattr(exc, "cause", None)
    if isinstance(cause, BaseException):
        exc = cause
    message = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {message[0] if message else ''}".rstrip(": ")


def _unique(tasks: Sequence[Task]) -> list[Task]:
    """Tasks in order with exact duplicates dropped; two different tasks under one name is an error."""
    seen: dict[str, Task] = {}
    for task in tasks:
        if task.name in seen and seen[task.name] != task:
            raise ValueError(f"two different tasks are named {task.name!r}")
        seen.setdefault(task.name, task)
    return list(seen.values())


class Executor:
    """Probe, compute, store (see the module docstring); subclasses implement :meth:`_compute`."""

    name = "executor"
    probe = True
    """Look tasks up on the driver before submitting them (step 1)."""

    def __init__(self, max_retries: int = DEFAULT_RETRIES) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.max_retries = max_retries

    def run(self, tasks: Sequence[Task], cache: Cache | None = None, progress: Progress | None = None) -> GridResult:
        """Compute every task not already cached; store results on the driver as they complete."""
        start = time.perf_counter()
        store = cache if cache is not None else Cache()
        tasks = _unique(tasks)
        result = GridResult()
        todo = []
        for task in tasks:
            (result.cached.append(task.name) if self.probe and is_cached(task, store) else todo.append(task))
        total, done = len(tasks), len(result.cached)
        if progress is not None:
            progress(done, total, f"{done} cached")

        def finished(task: Task, output: TaskOutput | None, error: str | None) -> None:
            nonlocal done
            if output is not None and not output.entries and not self.probe:
                result.cached.append(task.name)  # every value it needed was a hit
            elif output is not None:
                for (function, key), arrays in output.entries.items():
                    store.store(function, key, arrays)
                result.values[task.name] = output.value
                result.seconds[task.name] = output.seconds
            else:
                result.failed[task.name] = error or "failed"
            done += 1
            if progress is not None:
                progress(done, total, task.name)

        if todo:
            result.start_seconds = self._compute(todo, finished, store)
        result.wall_seconds = time.perf_counter() - start
        return result

    def close(self) -> None:
        """Release what the executor started (a local Ray cluster); it may be used again afterwards."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _compute(
        self, tasks: list[Task], finished: Callable[[Task, TaskOutput | None, str | None], None], cache: Cache
    ) -> float:
        """Run ``tasks`` (``cache``: the driver's), calling ``finished(task, output, None)`` or
        ``finished(task, None, error)`` on the driver as each completes; return the seconds spent
        starting or joining the cluster."""
        raise NotImplementedError


class LocalExecutor(Executor):
    """Every task in this process, one after the other (retrying exceptions ``max_retries`` times).

    No probe: a task whose values are all cached reads them (through the capture cache) and
    produces no entry, and is counted as cached; that saves loading its data twice.
    """

    name = "local"
    probe = False

    def _compute(self, tasks, finished, cache) -> float:
        for task in tasks:
            for attempt in range(self.max_retries + 1):
                try:
                    output = run_task(task, cache.root)
                except Exception as exc:  # noqa: BLE001 - reported by name, like Ray does
                    if attempt == self.max_retries:
                        finished(task, None, describe_error(exc))
                else:
                    finished(task, output, None)
                    break
        return 0.0


class RayExecutor(Executor):
    """Tasks as Ray tasks (``ray.remote(run_task)``), results collected with ``ray.wait`` as they complete."""

    name = "ray"

    def __init__(
        self, address: str | None = None, max_retries: int = DEFAULT_RETRIES, num_cpus: int | None = None
    ) -> None:
        super().__init__(max_retries)
        self.address = address
        self.num_cpus = num_cpus
        self._owned = False

    def _connect(self, ray) -> None:
        """Start or join a cluster unless this process already has one (then it is used and left running)."""
        if ray.is_initialized():
            return
        common = {"include_dashboard": False, "logging_level": "WARNING"}
        if self.address is None:
            ray.init(num_cpus=self.num_cpus or os.cpu_count(), **common)
        else:
            package = str(Path(__file__).resolve().parent)
            ray.init(address=self.address, runtime_env={"py_modules": [package]}, **common)
        self._owned = True

    def close(self) -> None:
        """Shut down the cluster this executor started or joined (not one the caller initialised)."""
        if self._owned:
            import ray

            ray.shutdown()
            self._owned = False

    def _compute(self, tasks, finished, cache) -> float:
        try:
            import ray  # only here: the app and the local executor never load Ray
        except ImportError as exc:
            raise ValueError("--executor ray needs Ray: pip install -r requirements-ray.txt") from exc
        start = time.perf_counter()
        self._connect(ray)
        started = time.perf_counter() - start
        has_gpus = ray.cluster_resources().get("GPU", 0) > 0
        remote = ray.remote(run_task)
        pending = {
            remote.options(
                name=task.name[:200],
                num_cpus=task.num_cpus,
                num_gpus=1 if task.gpu and has_gpus else 0,
                max_retries=self.max_retries,
                retry_exceptions=True,
            ).remote(task, str(cache.root)): task
            for task in tasks
        }
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            for ref in ready:
                task = pending.pop(ref)
                try:
                    output = ray.get(ref)
                except Exception as exc:  # noqa: BLE001 - RayTaskError, WorkerCrashedError, ...
                    finished(task, None, describe_error(exc))
                else:
                    finished(task, output, None)
        return started


def make_executor(name: str = "local", address: str | None = None, max_retries: int = DEFAULT_RETRIES) -> Executor:
    """``local`` or ``ray`` (``address``: None starts a local cluster, ``auto``/``host:port``/``ray://...`` joins)."""
    if name == "local":
        if address is not None:
            raise ValueError("--address needs --executor ray")
        return LocalExecutor(max_retries)
    if name == "ray":
        return RayExecutor(address, max_retries)
    raise ValueError(f"unknown executor {name!r}; choose one of {', '.join(EXECUTORS)}")


def executor_arguments(parser) -> None:
    """Add ``--executor``, ``--address`` and ``--max-retries`` to an argparse parser."""
    parser.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="local",
        help="local: in this process; ray: Ray tasks (pip install ray)",
    )
    parser.add_argument(
        "--address",
        default=None,
        help="Ray cluster to join: auto, host:port or ray://host:port (default: start a local one)",
    )
    parser.add_argument(
        "--max-retries",
        type=int,
        default=DEFAULT_RETRIES,
        help=f"retries of a failed task before it is reported (default {DEFAULT_RETRIES})",
    )


def executor_from_args(args) -> Executor:
    return make_executor(args.executor, args.address, args.max_retries)


__all__ = [
    "CaptureCache",
    "Executor",
    "GridFailed",
    "GridResult",
    "LocalExecutor",
    "NotCached",
    "ProbeCache",
    "RayExecutor",
    "Task",
    "TaskOutput",
    "describe_error",
    "executor_arguments",
    "executor_from_args",
    "is_cached",
    "make_executor",
    "run_task",
]
