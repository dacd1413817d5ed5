"""Benchmark: the Dataset pairs page from an empty cache, timed in a real browser.

Starts ``streamlit run app.py`` with a fresh ``DSVIZ_CACHE_DIR`` (a new temporary
folder: every OTDD cell and UMAP embedding is computed), opens
``/dataset_pairs`` (default: n = 2000 per dataset, otdd-exact) in headless
Chromium and polls the page every 0.25 s. It records, from the moment the page
is opened, when each of these is first on screen:

- ``title``: the page's title (its ``h1``), the first thing the page draws;
- ``progress``: a status box or a progress bar;
- ``pair view computed``: its status box says done (the server has the result);
- ``hover component``: the hover scatter's root element exists, still loading;
- ``pair view``: the default pair's view (component pair_view), ready (``.dsviz-pv-root[data-ready='1']``);
- ``matrix``: the matrix heatmap, complete or filling in (a chart keyed ``matrix_*``);
- ``matrix complete``: the heatmap with every cell filled (no trace of not-yet-computed cells);
- ``idle``: the script run finished with nothing left to compute.

``first view`` is the later of ``pair view`` and ``matrix``. Also printed: the
distinct status-box labels seen while waiting (what the progress said).
``--numba-cache DIR`` sets ``NUMBA_CACHE_DIR`` for the server: a folder holding
only pynndescent's kernels is a machine where UMAP never ran (pynndescent
compiles its own at import, ~60 s, in any empty folder: not what a page load
costs); the same folder again after that run is every later server start.
Without it numba's default cache location is used.

``--app DIR`` serves another checkout's app (e.g. ``git worktree add /tmp/before main`` for the
before row), timed by this script.

Usage: ``DSVIZ_DATA_DIR=... python -m bench.pairs_first_view [--query n=2000] [--app DIR] [--screenshot PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from bench.audience import ROOT, serve
from ui.pair_plots import PENDING

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SNAPSHOT = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const gd = document.querySelector('[class*="st-key-matrix_"] .js-plotly-plot');
  // complete: the clickable matrix (its keyed chart), no grey "not computed yet" cells
  const complete = !!gd && !!gd.data && !gd.data.some(t => t.name === PENDING);
  const labels = Array.from(document.querySelectorAll('[data-testid="stExpander"] summary'))
    .map(e => e.innerText.trim()).filter(t => t);
  return {
    idle: app?.dataset.testScriptState === 'notRunning',
    title: Array.from(document.querySelectorAll('[data-testid="stMain"] h1')).some(h => h.innerText.trim()),
    progress: !!document.querySelector('[data-testid="stProgress"], [data-testid="stExpander"]'),
    computed: labels.some(t => t.includes('joint embedding') && t.includes('done')),
    hover: !!document.querySelector('.dsviz-pv-root'),
    pair: !!document.querySelector(".dsviz-pv-root[data-ready='1']"),
    matrix: !!gd,
    complete: complete,
    labels: labels,
  };
}"""
EVENTS = ("title", "progress", "computed", "hover", "pair", "matrix", "complete", "idle")
NAMES = {
    "title": "page title visible",
    "progress": "progress visible",
    "computed": "(pair view computed: its status says done)",
    "hover": "(hover component drawn, not ready yet)",
    "pair": "default pair view",
    "matrix": "matrix heatmap",
    "complete": "matrix complete",
    "idle": "all done (script idle)",
}


def _full_page(tab, path: str) -> None:
    """Screenshot the whole page (Streamlit scrolls inside ``stMain``: grow the viewport to fit it)."""
    height = tab.locator("[data-testid='stMain']").evaluate("e => e.scrollHeight")
    tab.set_viewport_size({"width": 1400, "height": max(height, 1100)})
    tab.screenshot(path=path)
    tab.set_viewport_size({"width": 1400, "height": 1100})


def first_view(url: str, query: str, timeout_s: float, screenshot: str | None) -> tuple[dict[str, float], list[str]]:
    """Seconds from opening the page to each event, and the status labels seen in order.

    With ``screenshot`` (a .png path): the page at the first view (``-first.png``) and when all is done."""
    from playwright.sync_api import sync_playwright

    seen: dict[str, float] = {}
    labels: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        tab = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
        start = time.perf_counter()
        tab.goto(f"{url}/dataset_pairs?{query}")
        snapshot = SNAPSHOT.replace("PENDING", json.dumps(PENDING))
        while time.perf_counter() - start < timeout_s:
            snap = tab.evaluate(snapshot)
            now = time.perf_counter() - start
            for label in snap["labels"]:
                if label not in labels:
                    labels.append(label)
            for event in EVENTS[:-1]:
                if snap[event] and event not in seen:
                    seen[event] = now
            # idle only counts once the page has drawn everything (the first run is idle before it starts)
            if screenshot and "pair" in seen and "matrix" in seen and "shot" not in seen:
                seen["shot"] = now  # the first view, as the viewer sees it (the matrix may still fill in)
                _full_page(tab, screenshot.replace(".png", "-first.png"))
            if snap["idle"] and snap["pair"] and snap["complete"] and "idle" not in seen:
                seen["idle"] = now
                break
            tab.wait_for_timeout(250)
        if screenshot:
            _full_page(tab, screenshot)
        browser.close()
    return seen, labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--query", default="", help="query string, e.g. n=2000 (the page's default)")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--numba-cache", default=None, help="NUMBA_CACHE_DIR for the server (default: numba's own)")
    parser.add_argument("--app", default=None, help="checkout whose app.py is served (default: this one)")
    parser.add_argument(
        "--screenshot", default=None, help="PNG path: the page when done (and -first.png at the first view)"
    )
    args = parser.parse_args()
    before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        env = {"DSVIZ_CACHE_DIR": str(Path(tmp) / "cache")}
        if args.numba_cache:
            env["NUMBA_CACHE_DIR"] = args.numba_cache
        os.makedirs(env["DSVIZ_CACHE_DIR"])
        root = Path(args.app) if args.app else ROOT
        with serve(Path(tmp) / "server.log", env, root=root) as (url, _pid):
            opened = time.time()
            seen, labels = first_view(url, args.query, args.timeout, args.screenshot)
        log = (Path(tmp) / "server.log").read_text().splitlines()
    print(
        f"{root}: /dataset_pairs?{args.query} from an empty cache; 1-min load average {before:.2f} before, "
        f"{os.getloadavg()[0]:.2f} after"
    )
    print("status labels seen: " + " | ".join(" ".join(label.split()) for label in labels))
    print(f"server log (dsviz lines; page opened at {time.strftime('%H:%M:%S', time.localtime(opened))}):")
    print("\n".join(line for line in log if " dsviz." in line))
    print("| on screen | s after opening the page |")
    print("|---|---|")
    for event in EVENTS:
        print(f"| {NAMES[event]} | {seen[event]:.1f} |" if event in seen else f"| {NAMES[event]} | not seen |")
    if "pair" in seen and "matrix" in seen:
        print(f"| **first view (matrix + default pair)** | **{max(seen['pair'], seen['matrix']):.1f}** |")


if __name__ == "__main__":
    main()
