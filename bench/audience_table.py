"""Benchmark: the audience joins the Dataset pairs page, on a warm and on a cold cache.

For each row a fresh server (``streamlit run app.py``) is started; N simulated
viewers (:mod:`bench.audience`) open the page at once and each flips the
plain-OT toggle ``--actions`` times (a server run; the coupling-lines slider is drawn in the browser). Printed per row: users, p50/p95/max
seconds over all runs (page loads and slider moves), the page loads' and the
slider moves' p95,
errors, the server's peak resident memory (with children), the CPU seconds the
server used for the row (a figure less sensitive than latency to other jobs on
the machine), how many OTDD and
UMAP results the server computed (``computed ...`` lines of ``dsviz.runtime.cache`` in
its log) and the 1-minute load average of the machine before the row.
Warm = the disk cache already holds the page's results (``--warm-cache``, filled
by ``python -m dsviz precompute pairs``); cold = an empty cache folder. With
``--primed`` each warm server first serves the page to one viewer, untimed (the
speaker opened the link before the talk: imports done, results in memory).

Usage: ``DSVIZ_DATA_DIR=... python -m bench.audience_table --warm-cache DIR [--users 1 10 30] [--cold-users 1 30]
[--app DIR]`` (``--app``: serve another checkout, e.g. ``git worktree add /tmp/before main``, for a before row).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from pathlib import Path

from bench.audience import ROOT, RssSampler, audience, serve

PAGE = "dataset_pairs"


def row(
    cache_dir: str,
    users: int,
    actions: int,
    n: int,
    log_dir: Path,
    label: str,
    primed: bool = False,
    app: Path = ROOT,
) -> dict:
    """One fresh server of checkout ``app`` on ``cache_dir`` (first primed by one untimed viewer); ``users`` viewers;
    the row's figures."""
    log = log_dir / f"server-{label}-{users}.log"
    query = "" if n == 2000 else f"n={n}"
    with serve(log, {"DSVIZ_CACHE_DIR": cache_dir}, root=app) as (url, pid), RssSampler(pid) as rss:
        if primed:
            asyncio.run(audience(url, 1, PAGE, 0, query=query))
        load, cpu = os.getloadavg()[0], RssSampler.cpu_seconds(pid)
        summary = asyncio.run(audience(url, users, PAGE, actions, query=query, widget="show_ot"))
        cpu = RssSampler.cpu_seconds(pid) - cpu
    text = log.read_text()
    return {
        **summary,
        "cache": label,
        "server_rss_mb": round(rss.peak_mb),
        "load": load,
        "cpu": cpu,
        "otdd_computed": text.count("computed otdd"),
        "umap_computed": text.count("computed umap"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm-cache", required=True, help="cache folder already holding the page's results")
    parser.add_argument("--users", type=int, nargs="+", default=[1, 10, 30])
    parser.add_argument("--cold-users", type=int, nargs="*", default=[1, 10, 30])
    parser.add_argument("--actions", type=int, default=2, help="plain-OT toggle flips per viewer")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--primed", action="store_true", help="one untimed viewer first on each warm server")
    parser.add_argument("--app", type=Path, default=ROOT, help="checkout whose app to serve (default: this one)")
    parser.add_argument("--logs", default=None, help="folder for the servers' logs (default: a temporary one)")
    args = parser.parse_args()
    log_dir = Path(args.logs or tempfile.mkdtemp(prefix="audience-logs-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    print(f"n = {args.n}, {args.actions} toggle flips per viewer; server logs in {log_dir}")
    print(
        "| cache | users | p50 s | p95 s | max s | load p95 s | move p95 s | errors | server RSS MB "
        "| server CPU s | OTDD computed | UMAP computed | wall s | load avg |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    warm = "warm, primed" if args.primed else "warm"
    plan = [(warm, u) for u in args.users] + [("cold", u) for u in args.cold_users]
    for label, users in plan:
        with tempfile.TemporaryDirectory(prefix="audience-cold-") as cold:
            r = row(
                cold if label == "cold" else args.warm_cache,
                users,
                args.actions,
                args.n,
                log_dir,
                label.replace(", ", "-"),
                primed=label != "cold" and args.primed,
                app=args.app,
            )
        print(
            f"| {label} | {users} | {r['p50_s']} | {r['p95_s']} | {r['max_s']} | {r['load_p95_s']} | {r['action_p95_s']} "
            f"| {r['errors']} | {r['server_rss_mb']} | {r['cpu']:.1f} | {r['otdd_computed']} | {r['umap_computed']} | {r['seconds']:.0f} "
            f"| {r['load']:.1f} |",
            flush=True,
        )
        if r["error_messages"]:
            print(f"  errors: {r['error_messages']}", flush=True)


if __name__ == "__main__":
    main()
