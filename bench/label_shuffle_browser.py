"""Label-shuffle page in headless Chromium: slider key press until the new OTDD and the redrawn coupling are on screen.

For each app checkout given (``--app NAME=DIR``, e.g. ``before=/tmp/main`` and
``after=.``) a fresh server is started (``streamlit run app.py`` in that folder),
the label-shuffle page is opened in headless Chromium (1400×1100, the browser
tests' flags) and each slider asked for (``--sliders``) is moved ``--presses``
times with ArrowRight on its focused thumb, one press after the previous one's
script run finished. Per press, all in the page's own clock (``performance.now``),
from the ``keydown`` event:

* **OTDD + coupling**: until the OTDD metric's text differs from before the press
  *and* the clouds chart's SVG (every ``d``, ``transform`` and fill of its scatter
  layer: coupling lines and points) differs, then one more animation frame and a
  ``setTimeout(0)``, so the frame holding both has been painted;
* **all drawn**: the same, also waiting for the shuffle-curve chart's SVG to change;
* **run finished**: until the app root's ``data-test-script-state`` is
  ``notRunning`` again with everything above on screen;
* **server ms**: the page's "Computed in … ms" caption (``OTDDResult.seconds``);
* **kB in**: websocket bytes the page received for the press.

Before the measured presses one warm-up move (``shuffle_a`` right, then left)
runs every code path once. Prints one Markdown table row per (app, slider) with
the median, p90 and max over the presses.

Usage: ``python -m bench.label_shuffle_browser --app before=/tmp/ls-main --app after=. --presses 15``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.audience import serve

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
PAGE = "label_shuffle"
OTDD_VALUE = ".st-key-metric_otdd [data-testid='stMetricValue']"
COMPUTED = re.compile(r"Computed in (\d+) ms")

# Installed before the page's own scripts: counts websocket bytes and keeps the last keydown time.
INIT_JS = """
window.__lsb = { bytesIn: 0, keydown: null };
document.addEventListener('keydown', (e) => { window.__lsb.keydown = e.timeStamp; }, true);
const send = WebSocket.prototype.send;
WebSocket.prototype.send = function (data) {
  if (!this.__lsbCounted) {
    this.__lsbCounted = true;
    this.addEventListener('message', (e) => {
      window.__lsb.bytesIn += e.data.byteLength ?? e.data.size ?? e.data.length ?? 0;
    });
  }
  return send.call(this, data);
};
"""

# Snapshot the page, then watch every animation frame until the press's effects are on screen.
ARM_JS = """
([otddSelector]) => {
  const lsb = window.__lsb;
  const svg = (key) => {
    const gd = document.querySelector(`.st-key-${key} .js-plotly-plot`);
    if (!gd) return null;
    const parts = [];
    gd.querySelectorAll('.scatterlayer path').forEach((p) => {
      parts.push(p.getAttribute('d') || '', p.getAttribute('transform') || '', p.style.fill || '');
    });
    return parts.join('|');
  };
  const otdd = () => document.querySelector(otddSelector)?.innerText.trim() ?? null;
  const idle = () => document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState === 'notRunning';
  const old = { otdd: otdd(), clouds: svg('clouds'), curve: svg('curve') };
  lsb.keydown = null;
  lsb.bytesAtArm = lsb.bytesIn;
  const painted = () => new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now()), 0)));
  lsb.done = new Promise((resolve, reject) => {
    const seen = {};
    const deadline = performance.now() + 60000;
    const tick = async () => {
      if (performance.now() > deadline) { reject(new Error('no redraw within 60 s: ' + JSON.stringify(seen))); return; }
      if (lsb.keydown !== null) {
        const otddNow = otdd() !== old.otdd, cloudsNow = svg('clouds') !== old.clouds;
        const curveNow = svg('curve') !== old.curve;
        if (seen.coupling === undefined && otddNow && cloudsNow) seen.coupling = painted();
        if (seen.all === undefined && otddNow && cloudsNow && curveNow) seen.all = painted();
        if (seen.all !== undefined && idle()) {
          const finished = performance.now();
          const [coupling, all] = await Promise.all([seen.coupling, seen.all]);
          resolve({ coupling: coupling - lsb.keydown, all: all - lsb.keydown, finished: Math.max(finished, all) - lsb.keydown,
                    bytes: lsb.bytesIn - lsb.bytesAtArm, otdd: otdd() });
          return;
        }
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  return old.otdd;
}
"""
IDLE_JS = "() => document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'notRunning'"


@dataclass
class Press:
    """One key press: milliseconds from keydown, bytes received, the server's compute time."""

    coupling_ms: float
    all_ms: float
    finished_ms: float
    kbytes: float
    server_ms: float


async def _idle(tab) -> None:
    await tab.wait_for_timeout(300)
    await tab.wait_for_function(IDLE_JS, timeout=120_000, polling=50)


async def _move(tab, key: str, arrow: str) -> None:
    await tab.locator(f".st-key-{key}").get_by_role("slider").focus()
    await tab.keyboard.press(arrow)
    await _idle(tab)


async def measure_slider(browser, url: str, slider: str, presses: int, screenshot: Path | None) -> list[Press]:
    """Open the page and time ``presses`` ArrowRight presses on ``slider``."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1100})
    tab = await context.new_page()
    await tab.add_init_script(INIT_JS)
    await tab.goto(f"{url}/{PAGE}")
    await tab.locator(".st-key-curve .js-plotly-plot").wait_for(timeout=180_000)
    await _idle(tab)
    await _move(tab, "shuffle_a", "ArrowRight")
    await _move(tab, "shuffle_a", "ArrowLeft")
    thumb = tab.locator(f".st-key-{slider}").get_by_role("slider")
    await thumb.focus()
    out = []
    for _ in range(presses):
        await tab.evaluate(ARM_JS, [OTDD_VALUE])
        await tab.keyboard.press("ArrowRight")
        timing = await tab.evaluate("window.__lsb.done")
        caption = COMPUTED.search(await tab.locator("[data-testid='stMain']").inner_text())
        out.append(
            Press(
                timing["coupling"],
                timing["all"],
                timing["finished"],
                timing["bytes"] / 1000,
                float(caption.group(1)) if caption else float("nan"),
            )
        )
        await tab.wait_for_timeout(100)
    if screenshot is not None:
        await tab.screenshot(path=str(screenshot), full_page=True)
    await context.close()
    return out


async def measure_app(root: Path, sliders: list[str], presses: int, shots: Path | None, name: str) -> dict:
    from playwright.async_api import async_playwright

    env = {"DSVIZ_CACHE_DIR": os.environ.get("DSVIZ_CACHE_DIR", tempfile.mkdtemp(prefix="lsb-cache-"))}
    with tempfile.TemporaryDirectory() as logs, serve(Path(logs) / "server.log", env=env, root=root) as (url, _):
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                return {
                    s: await measure_slider(
                        browser, url, s, presses, None if shots is None else shots / f"label_shuffle_{name}_{s}.png"
                    )
                    for s in sliders
                }
            finally:
                await browser.close()


def _stats(values: list[float]) -> str:
    v = np.array(values)
    return f"{np.median(v):.0f} | {np.percentile(v, 90):.0f} | {v.max():.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--app",
        action="append",
        required=True,
        metavar="NAME=DIR",
        help="a checkout to serve, e.g. before=/tmp/ls-main (repeat for each side)",
    )
    parser.add_argument("--sliders", default="shuffle_b,rot_b", help="comma-separated slider keys to move")
    parser.add_argument("--presses", type=int, default=15)
    parser.add_argument("--screenshots", type=Path, default=None, help="folder for a screenshot after each slider")
    args = parser.parse_args()
    sliders = args.sliders.split(",")
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
    rows, load_start = [], os.getloadavg()
    for spec in args.app:
        name, _, folder = spec.partition("=")
        results = asyncio.run(measure_app(Path(folder).resolve(), sliders, args.presses, args.screenshots, name))
        for slider, presses in results.items():
            rows.append(
                f"| {name} | {slider} | {len(presses)} | {_stats([p.coupling_ms for p in presses])} "
                f"| {np.median([p.all_ms for p in presses]):.0f} "
                f"| {np.median([p.finished_ms for p in presses]):.0f} "
                f"| {np.nanmedian([p.server_ms for p in presses]):.0f} "
                f"| {np.median([p.kbytes for p in presses]):.1f} |"
            )
    print(
        f"label-shuffle page, ArrowRight presses; 1-min load average {load_start[0]:.2f} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end"
    )
    print(
        "| app | slider | presses | OTDD + coupling p50 ms | p90 ms | max ms | all drawn p50 ms "
        "| run finished p50 ms | server compute p50 ms | kB in p50 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
