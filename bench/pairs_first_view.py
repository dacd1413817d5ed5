"""Benchmark: the Dataset pairs page from an empty cache, timed in a real browser.

Starts ``streamlit run app.py`` with a fresh ``DSVIZ_CACHE_DIR`` (a new temporary
folder: every OTDD cell and UMAP embedding is computed), opens
``/dataset_pairs`` (default: n = 2000 per dataset, otdd-exact) in headless
Chromium and polls the page every 0.25 s. It records, from the moment the page
is opened, when each of these is first on screen:

- ``progress``: a status box or a progress bar (the page is not blank);
- ``pair view``: the default pair's hover scatter, ready (``.dsviz-hs-root[data-ready='1']``);
- ``matrix``: the matrix heatmap (``.st-key-matrix_chart .js-plotly-plot``);
- ``matrix complete``: the heatmap with every cell filled (no NaN in its ``z``);
- ``idle``: the script run finished with nothing left to compute.

``first view`` is the later of ``pair view`` and ``matrix``. Also printed: the
distinct status-box labels seen while waiting (what the progress said).
A numba cache folder (``NUMBA_CACHE_DIR``) is made fresh too unless
``--numba-cache DIR`` names one to reuse (a second server on the same machine).

Usage: ``DSVIZ_DATA_DIR=... python -m bench.pairs_first_view [--query n=2000] [--screenshot PATH]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from bench.audience import serve

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SNAPSHOT = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const gd = document.querySelector('.st-key-matrix_chart .js-plotly-plot');
  let complete = false;
  if (gd && gd.data && gd.data.length) {
    const z = gd.data[0].z || [];
    complete = z.length > 0 && z.every(row => Array.from(row).every(v => v !== null && !Number.isNaN(v)));
  }
  const labels = Array.from(document.querySelectorAll('[data-testid="stExpander"] summary'))
    .map(e => e.innerText.trim()).filter(t => t);
  return {
    idle: app?.dataset.testScriptState === 'notRunning',
    progress: !!document.querySelector('[data-testid="stProgress"], [data-testid="stExpander"]'),
    pair: !!document.querySelector(".dsviz-hs-root[data-ready='1']"),
    matrix: !!gd,
    complete: complete,
    labels: labels,
  };
}"""
EVENTS = ("progress", "pair", "matrix", "complete", "idle")
NAMES = {"progress": "progress visible", "pair": "default pair view", "matrix": "matrix heatmap",
         "complete": "matrix complete", "idle": "all done (script idle)"}


def first_view(url: str, query: str, timeout_s: float, screenshot: str | None) -> tuple[dict[str, float], list[str]]:
    """Seconds from opening the page to each event, and the status labels seen in order."""
    from playwright.sync_api import sync_playwright

    seen: dict[str, float] = {}
    labels: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        tab = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
        start = time.perf_counter()
        tab.goto(f"{url}/dataset_pairs?{query}")
        while time.perf_counter() - start < timeout_s:
            snap = tab.evaluate(SNAPSHOT)
            now = time.perf_counter() - start
            for label in snap["labels"]:
                if label not in labels:
                    labels.append(label)
            for event in EVENTS[:-1]:
                if snap[event] and event not in seen:
                    seen[event] = now
            # idle only counts once the page has drawn everything (the first run is idle before it starts)
            if snap["idle"] and snap["pair"] and snap["complete"] and "idle" not in seen:
                seen["idle"] = now
                break
            tab.wait_for_timeout(250)
        if screenshot:
            tab.screenshot(path=screenshot, full_page=True)
        browser.close()
    return seen, labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--query", default="", help="query string, e.g. n=2000 (the page's default)")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--numba-cache", default=None, help="reuse this NUMBA_CACHE_DIR (default: a fresh one)")
    parser.add_argument("--screenshot", default=None)
    args = parser.parse_args()
    before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        env = {"DSVIZ_CACHE_DIR": str(Path(tmp) / "cache"),
               "NUMBA_CACHE_DIR": args.numba_cache or str(Path(tmp) / "numba")}
        os.makedirs(env["DSVIZ_CACHE_DIR"])
        with serve(Path(tmp) / "server.log", env) as (url, _pid):
            seen, labels = first_view(url, args.query, args.timeout, args.screenshot)
    print(f"/dataset_pairs?{args.query} from an empty cache; 1-min load average {before:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after")
    print("status labels seen: " + " | ".join(labels))
    print("| on screen | s after opening the page |")
    print("|---|---|")
    for event in EVENTS:
        print(f"| {NAMES[event]} | {seen[event]:.1f} |" if event in seen else f"| {NAMES[event]} | not seen |")
    if "pair" in seen and "matrix" in seen:
        print(f"| **first view (matrix + default pair)** | **{max(seen['pair'], seen['matrix']):.1f}** |")


if __name__ == "__main__":
    main()
