"""Benchmark: pages opened for the first time on a fresh server, as a new user sees them, in a real browser.

Starts ``streamlit run app.py`` with an empty ``DSVIZ_CACHE_DIR`` (``--bundled-only``: also an empty
``DSVIZ_DATA_DIR`` and ``HOME``, so only the datasets shipped inside installed packages exist, as on a fresh
clone with no data folder), opens each ``--page`` in turn in headless Chromium (the browser tests' flags) and polls
it every 0.25 s. Per page, seconds from opening it until:

- ``title``: the page's title (its ``h1``);
- ``progress``: a status box or a progress bar;
- ``chart``: a chart (a Plotly chart or a client-side figure) in the page;
- ``ready``: a chart on screen, the script run finished and no status box still running, twice in a row.

Pages are opened one after the other on the same server, so a later page can reuse what an earlier one computed.

Usage: ``python -m bench.first_open --bundled-only --page simex --page method_agreement [--timeout 300]
[--screenshots DIR]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from bench.audience import serve
from bench.pairs_first_view import ARGS, CHROMIUM

SNAPSHOT = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const app = document.querySelector('[data-testid="stApp"]');
  if (!main) return {};
  const running = Array.from(main.querySelectorAll('[data-testid="stExpander"] summary'))
    .some((e) => /running|queued|waiting/i.test(e.innerText) || e.querySelector('[data-testid="stExpanderIconSpinner"]'));
  const chart = !!main.querySelector('.js-plotly-plot, .dsviz-figure[data-ready="1"]');
  return {
    title: Array.from(main.querySelectorAll('h1')).some((h) => h.innerText.trim()),
    progress: !!main.querySelector('[data-testid="stProgress"], [data-testid="stExpander"], [data-testid="stStatusWidget"]'),
    chart: chart,
    settled: chart && !running && app?.dataset.testScriptState === 'notRunning',
  };
}"""
EVENTS = ("title", "progress", "chart", "ready")


def open_page(browser, url: str, page: str, timeout_s: float, screenshot: Path | None = None) -> dict[str, float]:
    """Seconds from opening ``url/page`` to each event (missing: not seen within ``timeout_s``); with
    ``screenshot``, the whole page as it is when ready (or at the timeout) is saved there."""
    tab = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
    seen: dict[str, float] = {}
    settled_once = False
    start = time.perf_counter()
    tab.goto(f"{url}/{page}")
    while time.perf_counter() - start < timeout_s:
        snap = tab.evaluate(SNAPSHOT)
        now = time.perf_counter() - start
        for event in EVENTS[:-1]:
            if snap.get(event) and event not in seen:
                seen[event] = now
        if snap.get("settled"):
            if settled_once:
                seen["ready"] = now
                break
            settled_once = True
        else:
            settled_once = False
        tab.wait_for_timeout(250)
    if screenshot is not None:
        height = tab.locator("[data-testid='stMain']").evaluate("e => e.scrollHeight")
        tab.set_viewport_size({"width": 1400, "height": max(height, 1100)})
        tab.screenshot(path=str(screenshot))
    tab.context.close()
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", action="append", required=True, help="a page's URL path, e.g. simex (repeatable)")
    parser.add_argument("--bundled-only", action="store_true", help="no data folder and an empty HOME")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per page")
    parser.add_argument("--screenshots", type=Path, help="folder for a full-page screenshot of each page when ready")
    args = parser.parse_args()
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    before = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {"DSVIZ_CACHE_DIR": str(Path(tmp) / "cache")}
        if args.bundled_only:
            for name in ("data", "home"):
                (Path(tmp) / name).mkdir()
            env.update(DSVIZ_DATA_DIR=str(Path(tmp) / "data"), HOME=str(Path(tmp) / "home"))
        with serve(Path(tmp) / "server.log", env) as (url, _pid), sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for page in args.page:
                shot = args.screenshots / f"{page}.png" if args.screenshots else None
                rows.append((page, open_page(browser, url, page, args.timeout, shot)))
            browser.close()
    print(
        f"fresh server, empty cache{', bundled data only' if args.bundled_only else ''}; "
        f"1-min load average {before:.2f} before, {os.getloadavg()[0]:.2f} after"
    )
    print("| page | title s | progress s | chart s | ready s |")
    print("|---|---|---|---|---|")
    for page, seen in rows:
        cells = [f"{seen[e]:.1f}" if e in seen else "not seen" for e in EVENTS]
        print(f"| {page} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
