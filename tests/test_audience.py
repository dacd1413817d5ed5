"""Sharing across sessions: viewers at once on a live server, the job board, the decoded-file memo.

Several viewers open the Dataset pairs page at once (through bench.audience's protocol client).

A live server on an empty cache and the smallest sample (n = 250): three
sessions connect together and each flips the plain-OT toggle (the coupling-lines slider is drawn in the
browser now, :mod:`dsviz.figures.pair_view`: it sends nothing to the server). None may
see an error, and the shared work must run once: one matrix job on the
server's job board and each OTDD cell computed once (the cells and sampling
floors of ``matrix_jobs`` over the datasets the data folder holds), counted from the server's log lines.
The link picks the same dataset twice (``tgt=mnist``), so the page stops before
the pair view: its UMAP fit (and numba's compilation of it) would triple the
test's time, and the view goes through the same job board as the matrix.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time

import numpy as np
import pytest

from bench.audience import audience, serve
from dsviz.data import load
from dsviz.runtime.jobs import JobBoard
from dsviz.studies.pairs import available_pair_datasets, matrix_jobs

USERS = 3


def test_three_viewers_share_one_matrix(tmp_path, real_data_dir):
    k = len(available_pair_datasets(data_dir=real_data_dir)[0])  # the data folder decides, not this test
    log = tmp_path / "server.log"
    env = {"DSVIZ_CACHE_DIR": str(tmp_path / "cache"), "DSVIZ_DATA_DIR": real_data_dir}
    with serve(log, env) as (url, _pid):
        summary = asyncio.run(
            audience(url, USERS, "dataset_pairs", actions=1, query="n=250&tgt=mnist", timeout=300, widget="show_ot")
        )
    text = log.read_text()
    assert summary["errors"] == 0, summary["error_messages"]
    assert summary["runs"] == USERS * 2
    assert text.count(f"job done: otdd-exact matrix over {k} datasets") == 1, text
    assert text.count("computed distance") == len(matrix_jobs(k)), text  # the registry's cache kind
    assert "computed umap" not in text and "job done" not in text.replace("job done: otdd-exact matrix", ""), text


def test_job_board_runs_one_job_per_key_and_reports_queue_position(tmp_path):
    board = JobBoard(workers=1, lock_root=tmp_path)
    release = threading.Event()
    calls: list[str] = []

    def slow(name):
        def compute(progress):
            calls.append(name)
            progress(1, 2, f"half of {name}")
            release.wait(10)
            return {"name": name}

        return compute

    first = board.submit("a", "job a", slow("a"))
    again = board.submit("a", "job a", slow("a"))
    second = board.submit("b", "job b", slow("b"))
    deadline = time.monotonic() + 10
    while first.state().what != "half of a" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert again is first
    assert first.state().queued_ahead is None and (first.state().done, first.state().total) == (1, 2)
    assert second.state().queued_ahead == 1  # job a runs, b waits behind it
    release.set()
    assert first.result(10) is again.result(10) and second.result(10) == {"name": "b"}
    assert calls == ["a", "b"] and board.computed == 2
    assert board.submit("a", "job a", slow("a")).result(1) is first.result()  # finished results are kept


def test_job_publishes_partial_results_while_it_runs(tmp_path):
    board = JobBoard(workers=1, lock_root=tmp_path)
    step = threading.Event()

    def compute(progress, publish):
        for i in range(3):
            publish([i])
            step.wait(10)
            step.clear()
        return "all"

    job = board.submit("p", "partial job", compute, partial=True)
    seen = []
    while not job.future.done():
        count, value = job.partial()
        if count and (not seen or seen[-1] != (count, value)):
            seen.append((count, value))
            step.set()
        time.sleep(0.005)
    assert job.result(1) == "all" and seen == [(1, [0]), (2, [1]), (3, [2])]
    assert board.submit("q", "plain job", lambda progress: 1).partial() == (0, None)


def test_failed_job_is_retried_by_the_next_caller(tmp_path):
    board = JobBoard(workers=1, lock_root=tmp_path)
    attempts = []

    def flaky(progress):
        attempts.append(1)
        if len(attempts) == 1:
            raise ValueError("bad input")
        return 42

    with pytest.raises(ValueError, match="bad input"):
        board.submit("k", "flaky", flaky).result(10)
    assert board.submit("k", "flaky", flaky).result(10) == 42 and len(attempts) == 2


def test_dataset_file_is_decoded_once_and_reread_when_it_changes(tmp_path, monkeypatch):
    import dsviz.data.loading as loading

    reads = []
    original = loading._read_npz
    monkeypatch.setattr(loading, "_read_npz", lambda path: reads.append(path) or original(path))
    rng = np.random.default_rng(0)
    path = tmp_path / "mine.npz"
    np.savez(path, images=rng.integers(0, 256, (40, 28, 28), dtype=np.uint8), labels=np.arange(40) % 4)
    a, b = load(str(path), n=20, seed=0), load(str(path), n=20, seed=1)
    whole = load(str(path))
    assert len(reads) == 1 and not np.array_equal(a.images, b.images)
    whole.images[0] = 0  # a full load is the caller's own copy, not the shared decoded file
    assert load(str(path)).images[0].any()
    np.savez(path, images=np.zeros((40, 28, 28), np.uint8), labels=np.arange(40) % 4)
    os.utime(path, ns=(time.time_ns() + 10**9,) * 2)  # a new mtime even on a coarse-clock file system
    assert not load(str(path), n=20, seed=0).images.any() and len(reads) == 2
