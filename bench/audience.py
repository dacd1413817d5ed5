"""Simulated viewers: N Streamlit sessions at once over Streamlit's own websocket protocol.

A viewer does what the browser's frontend does (streamlit/frontend ``App.tsx``,
``sendRerunBackMsg``): it opens ``/_stcore/stream`` (subprotocol ``streamlit``),
sends a ``BackMsg.rerun_script`` whose ``ClientState`` carries the query string,
the page name taken from the URL path (the page hash is not known before the
first run) and the widget states, then reads ``ForwardMsg``s until
``script_finished``. The ``Delta``s name each widget's id
(``new_element.<widget>.id``); moving a widget is another ``rerun_script`` with
the page's hash and that widget's new value in ``widget_states``, as the
frontend sends when a slider is released. Like the frontend's message cache,
a viewer lists the hashes of the cacheable messages it holds
(``cached_message_hashes``), so the server sends a ``ref_hash`` instead of
an unchanged element again. Timings: connect to the first run's
``script_finished``, then each widget change to its ``script_finished``.

A run counts as an error when the connection fails or closes, no
``script_finished`` arrives within ``--timeout``, the script does not compile,
or the page shows an exception or an ``st.error`` box.

Usage::

    python -m bench.audience --url http://127.0.0.1:8501 --users 30 --page dataset_pairs --actions 2 --json

``--pid`` samples that process's resident memory (``/proc``, with its children)
during the run and adds ``server_rss_mb`` (peak) to the output.

Why ``websockets`` and not a browser: thirty headless Chromiums do not fit on
two cores; the protocol client costs the server the same work per session
(script run, serialised deltas) without rendering anything.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED_OK = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
MOVABLE = ("slider", "selectbox", "number_input", "checkbox")


@dataclass
class Widget:
    """A widget seen in the page's deltas: its type, id and the values it can take."""

    kind: str
    id: str
    values: list


@dataclass
class RunResult:
    """One script run as a viewer saw it."""

    seconds: float
    error: str | None
    elements: int = 0
    bytes: int = 0


@dataclass
class Viewer:
    """One simulated browser tab (one Streamlit session)."""

    url: str
    page: str
    query: str = ""
    timeout: float = 600.0
    page_hash: str = ""
    widgets: dict[str, Widget] = field(default_factory=dict)
    states: dict[str, WidgetState] = field(default_factory=dict)
    cached: set[str] = field(default_factory=set)

    def _stream_url(self) -> str:
        parts = urlsplit(self.url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"

    def _rerun(self) -> bytes:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self.page_hash
        if not self.page_hash:
            cs.page_name = self.page
        cs.widget_states.widgets.extend(self.states.values())
        cs.cached_message_hashes.extend(sorted(self.cached))
        cs.context_info.timezone = "UTC"
        cs.context_info.locale = "en-US"
        cs.context_info.url = f"{self.url.rstrip('/')}/{self.page}" + (f"?{self.query}" if self.query else "")
        return msg.SerializeToString()

    def _learn(self, element) -> None:
        kind = element.WhichOneof("type")
        if kind not in MOVABLE:
            return
        proto = getattr(element, kind)
        if kind == "slider":
            if len(proto.default) != 1:
                return
            count = int(round((proto.max - proto.min) / proto.step)) + 1
            values = [proto.min + i * proto.step for i in range(count)]
        elif kind == "number_input":
            integer = proto.data_type == proto.INT
            values = [(int if integer else float)(proto.default + d * proto.step) for d in range(1, 6)]
        elif kind == "selectbox":
            values = list(proto.options)
        else:
            values = [True, False]
        self.widgets[proto.id] = Widget(kind, proto.id, values)

    async def run(self, ws, payload: bytes) -> RunResult:
        """Send one rerun request and read until its ``script_finished``."""
        start = time.perf_counter()
        await ws.send(payload)
        error, elements, size = None, 0, 0
        while True:
            raw = await asyncio.wait_for(ws.recv(), timeout=max(self.timeout - (time.perf_counter() - start), 0.1))
            size += len(raw)
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if msg.metadata.cacheable and msg.hash:
                self.cached.add(msg.hash)
            if kind == "ref_hash":
                elements += 1  # an unchanged element the client already holds
            elif kind == "new_session":
                self.page_hash = msg.new_session.page_script_hash or self.page_hash
            elif kind == "navigation" and msg.navigation.page_script_hash:
                self.page_hash = msg.navigation.page_script_hash
            elif kind == "page_not_found":
                error = error or f"page not found: {msg.page_not_found.page_name}"
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                elements += 1
                if element.WhichOneof("type") == "exception":
                    error = error or f"exception: {element.exception.type}: {element.exception.message[:200]}"
                elif element.WhichOneof("type") == "alert" and element.alert.format == Alert.ERROR:
                    error = error or f"st.error: {element.alert.body[:200]}"
                self._learn(element)
            elif kind == "script_finished":
                status = msg.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # the server started another run for us: its finish is the one to wait for
                if status not in FINISHED_OK:
                    error = error or "script did not compile"
                return RunResult(time.perf_counter() - start, error, elements, size)

    def move(self, rng: random.Random, key: str | None) -> bool:
        """Set a new value on the widget whose user key is ``key`` (default: the first slider)."""
        candidates = [
            w
            for w in self.widgets.values()
            if (key is None and w.kind == "slider") or (key is not None and w.id.endswith(f"-{key}"))
        ]
        if not candidates or len(candidates[0].values) < 2:
            return False
        widget = candidates[0]
        current = self.states.get(widget.id)
        state = WidgetState(id=widget.id)
        choices = [v for v in widget.values if current is None or _value_of(current) != v]
        value = rng.choice(choices)
        if widget.kind == "slider":
            state.double_array_value.data.append(float(value))
        elif widget.kind == "number_input" and isinstance(value, int):
            state.int_value = value
        elif widget.kind == "number_input":
            state.double_value = value
        elif widget.kind == "selectbox":
            state.string_value = str(value)
        else:
            state.bool_value = bool(value)
        self.states[widget.id] = state
        return True


def _value_of(state: WidgetState):
    kind = state.WhichOneof("value")
    if kind == "double_array_value":
        return state.double_array_value.data[0]
    return getattr(state, kind)


async def one_viewer(viewer: Viewer, actions: int, widget: str | None, seed: int) -> list[RunResult]:
    """Connect, load the page, then make ``actions`` widget changes; one :class:`RunResult` per run."""
    rng = random.Random(seed)
    results: list[RunResult] = []
    start = time.perf_counter()
    try:
        async with websockets.connect(
            viewer._stream_url(),
            subprotocols=["streamlit"],
            max_size=None,
            ping_interval=None,
            open_timeout=viewer.timeout,
            close_timeout=5,
        ) as ws:
            first = await viewer.run(ws, viewer._rerun())
            first.seconds = time.perf_counter() - start  # connect included
            results.append(first)
            for _ in range(actions):
                if not viewer.move(rng, widget):
                    results.append(RunResult(0.0, f"no widget {widget or '(slider)'} on the page"))
                    break
                results.append(await viewer.run(ws, viewer._rerun()))
    except (OSError, asyncio.TimeoutError, websockets.WebSocketException) as exc:
        results.append(RunResult(time.perf_counter() - start, f"{type(exc).__name__}: {exc}"))
    return results


class RssSampler:
    """Peak resident memory (MB) of a process and its children, sampled from ``/proc`` in a thread,
    and the CPU seconds the process used meanwhile (``cpu_s``: user + system, all its threads)."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid, self.interval, self.peak_mb, self.cpu_s = pid, interval, 0.0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    @staticmethod
    def rss_mb(pid: int) -> float:
        """VmRSS of ``pid`` plus its descendants, in MB (0 for a process that is gone)."""
        total, todo = 0.0, [pid]
        while todo:
            p = todo.pop()
            try:
                for line in Path(f"/proc/{p}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) / 1024
                for task in Path(f"/proc/{p}/task").iterdir():
                    todo += [int(c) for c in (task / "children").read_text().split()]
            except (OSError, ValueError):
                continue
        return total

    @staticmethod
    def cpu_seconds(pid: int) -> float:
        """utime + stime of ``pid`` (fields 14 and 15 of ``/proc/<pid>/stat``), in seconds."""
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self.rss_mb(self.pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._cpu0 = self.cpu_seconds(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self.rss_mb(self.pid))
        self.cpu_s = self.cpu_seconds(self.pid) - self._cpu0


async def audience(
    url: str,
    users: int,
    page: str,
    actions: int = 0,
    *,
    query: str = "",
    widget: str | None = None,
    timeout: float = 600.0,
    ramp_s: float = 0.0,
) -> dict:
    """Run ``users`` viewers at once (spread over ``ramp_s`` seconds); the summary the CLI prints.

    ``p50_s``/``p95_s``/``max_s`` are over every run (page loads and widget changes);
    ``load_*`` and ``action_*`` split them.
    """
    start = time.perf_counter()
    gate = asyncio.Event()

    async def delayed(i: int) -> list[RunResult]:
        await gate.wait()
        await asyncio.sleep(ramp_s * i / max(users, 1))
        return await one_viewer(Viewer(url, page, query, timeout), actions, widget, seed=i)

    tasks = [asyncio.create_task(delayed(i)) for i in range(users)]
    gate.set()
    per_user = await asyncio.gather(*tasks)
    seconds = time.perf_counter() - start
    runs = [r for rs in per_user for r in rs]
    loads = [rs[0] for rs in per_user if rs]
    moves = [r for rs in per_user for r in rs[1:]]
    errors = [r.error for r in runs if r.error]

    def stats(prefix: str, rs: list[RunResult]) -> dict:
        t = np.array([r.seconds for r in rs if not r.error])
        if not len(t):
            return {f"{prefix}p50_s": None, f"{prefix}p95_s": None, f"{prefix}max_s": None}
        return {
            f"{prefix}p50_s": round(float(np.percentile(t, 50)), 3),
            f"{prefix}p95_s": round(float(np.percentile(t, 95)), 3),
            f"{prefix}max_s": round(float(t.max()), 3),
        }

    return {
        "users": users,
        "page": page,
        "errors": len(errors),
        **stats("", runs),
        "seconds": round(seconds, 3),
        "runs": len(runs),
        **stats("load_", loads),
        **stats("action_", moves),
        "mb_per_load": round(float(np.mean([r.bytes for r in loads])) / 1e6, 3) if loads else None,
        "error_messages": sorted(set(errors))[:5],
    }


ROOT = Path(__file__).resolve().parents[1]


def _healthy(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def serve(
    log_path: Path, env: dict[str, str] | None = None, timeout: float = 120.0, root: Path = ROOT
) -> Iterator[tuple[str, int]]:
    """Run ``streamlit run app.py`` in ``root`` (default: this checkout) on a free localhost port with ``env``
    added; yield (URL, pid), stop it after."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            command, cwd=root, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(url):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start:\n{Path(log_path).read_text()}")
            time.sleep(0.25)
        yield url, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="base URL of the running app, e.g. http://127.0.0.1:8501")
    parser.add_argument("--users", type=int, required=True, help="simultaneous sessions")
    parser.add_argument("--page", required=True, help="page URL path, e.g. dataset_pairs")
    parser.add_argument("--actions", type=int, default=0, help="widget changes per viewer after the page loads")
    parser.add_argument("--widget", default=None, help="user key of the widget to move (default: the first slider)")
    parser.add_argument("--query", default="", help="query string of the link, e.g. n=2000")
    parser.add_argument("--ramp", type=float, default=0.0, help="spread the connections over this many seconds")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per run before it counts as an error")
    parser.add_argument("--pid", type=int, default=None, help="server process to sample resident memory of")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    def go() -> dict:
        return asyncio.run(
            audience(
                args.url,
                args.users,
                args.page.strip("/"),
                args.actions,
                query=args.query,
                widget=args.widget,
                timeout=args.timeout,
                ramp_s=args.ramp,
            )
        )

    if args.pid:
        with RssSampler(args.pid) as sampler:
            summary = go()
        summary["server_rss_mb"] = round(sampler.peak_mb, 1)
        summary["server_cpu_s"] = round(sampler.cpu_s, 1)
    else:
        summary = go()
    if args.json:
        print(json.dumps(summary))
    else:
        for key, value in summary.items():
            print(f"{key:16s} {value}")
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
