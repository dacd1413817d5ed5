"""Label-shuffle figure in headless Chromium: slider key press until the new OTDD and coupling are painted.

Measures the app (this checkout by default, or each ``--app NAME=DIR``, e.g. ``before=/tmp/ls-main``: a fresh
server is started in that folder) and/or exported files (``--html FILE``, opened from ``file://``), in headless
Chromium (1400×1100, the browser tests' flags). Each slider asked for (``--sliders``) is moved ``--presses``
times with ArrowRight on its focused thumb, one press after the previous one's redraw finished. Per press, in
the page's own clock (``performance.now``) from the ``keydown`` event:

* **OTDD + coupling**: until the frame holding the new OTDD and coupling has been painted. On the client-side
  figure (``dsviz/figures``): a ``MutationObserver`` sees its root's ``data-frame`` advance with ``data-ready="1"``
  (set in the ``requestAnimationFrame`` callback of the frame that shows the redraw) and the time is read in the
  first task after it, once that frame is rendered. (Before 2026-12-06 22:00 a polling loop read it up to two
  frames later: its own ``requestAnimationFrame`` tick ran before the figure's in the same frame, and it then
  waited one more frame.) On the older server-drawn page: the OTDD metric's text and the clouds chart's SVG both
  changed, then one more animation frame and a ``setTimeout(0)``;
* **all drawn**: the same, also waiting for the shuffle curve (``data-curve-ready="1"``, or its chart's SVG);
* **server ms** (server-drawn page only): the page's "Computed in … ms" caption; **kB in**: websocket bytes.

Prints a Markdown table with the median, p90, p95 and max per (target, slider); ``--json`` prints
``{target: {slider: {"median_ms", "p90_ms", "p95_ms", "max_ms", "all_drawn_median_ms", "presses"}}}``
instead, with the load average. ``--page augmentations --sliders magnitude`` measures the augmentation
explorer the same way.

Usage: ``python -m bench.label_shuffle_browser --json`` (this checkout's app),
``python -m bench.label_shuffle_browser --app before=/tmp/ls-main --app after=. --html f.html --presses 15``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
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
FIGURE_SLIDERS = "rot_a,shuffle_a,rot_b,shuffle_b"
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
# The client-side figure: watch its root's data-frame / data-ready / data-curve-ready after the key press.
ARM_FIGURE_JS = """
() => {
  const lsb = window.__lsb;
  const root = document.querySelector('.dsviz-figure');
  const frame = root.dataset.frame;
  const otdd = () => root.querySelector("[data-metric='otdd']")?.dataset.value ?? null;
  lsb.keydown = null;
  // data-frame advances inside the requestAnimationFrame callback of the frame that shows the redraw; the first
  // task after that callback runs once that frame's rendering is done, so it is when the frame was painted.
  const afterThisFrame = () => new Promise((r) => setTimeout(() => r(performance.now()), 0));
  const painted = () => new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now()), 0)));
  lsb.done = new Promise((resolve, reject) => {
    let coupling;
    const timer = setTimeout(() => { observer.disconnect(); reject(new Error('no redraw within 60 s')); }, 60000);
    const check = async () => {
      if (lsb.keydown === null) return;
      if (coupling === undefined && root.dataset.frame !== frame && root.dataset.ready === '1') coupling = afterThisFrame();
      if (coupling !== undefined && root.dataset.curveReady !== '0') {
        observer.disconnect();
        clearTimeout(timer);
        const c = await coupling;
        const all = await painted();
        resolve({ coupling: c - lsb.keydown, all: all - lsb.keydown, finished: all - lsb.keydown, bytes: 0, otdd: otdd() });
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(root, { attributes: true, attributeFilter: ['data-frame', 'data-ready', 'data-curve-ready'] });
  });
  return otdd();
}
"""
IDLE_JS = "() => document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'notRunning'"


@dataclass
class Press:
    """One key press: milliseconds from keydown, bytes received, the server's compute time (NaN: none)."""

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


async def _figure_ready(tab) -> None:
    """The client-side figure drawn and its background work done (the shuffle curve; ``data-idle``: the
    settings one step away solved ahead): the next press comes after a pause, as a user's does."""
    await tab.wait_for_function(
        "() => { const r = document.querySelector('.dsviz-figure');"
        " return r && r.dataset.ready === '1' && r.dataset.curveReady !== '0' && r.dataset.idle !== '0'; }",
        timeout=180_000,
        polling=50,
    )


async def _press_figure(tab, slider: str, presses: int) -> list[Press]:
    """Time ``presses`` ArrowRight presses on the client-side figure's ``<input name=slider>``."""
    thumb = tab.locator(f".dsviz-figure [name='{slider}']")
    await thumb.focus()
    out = []
    for _ in range(presses):
        await tab.evaluate(ARM_FIGURE_JS)
        await tab.keyboard.press("ArrowRight")
        timing = await tab.evaluate("window.__lsb.done")
        out.append(Press(timing["coupling"], timing["all"], timing["finished"], 0.0, float("nan")))
        await _figure_ready(tab)
        await tab.wait_for_timeout(100)
    return out


async def _press_server_page(tab, slider: str, presses: int) -> list[Press]:
    """Time ``presses`` ArrowRight presses on the server-drawn page's Streamlit slider ``slider``."""
    await _move(tab, "shuffle_a", "ArrowRight")  # warm-up: every code path once
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
    return out


async def measure_slider(browser, url: str, slider: str, presses: int, screenshot: Path | None) -> list[Press]:
    """Open ``url`` (an app page or an exported file) and time ``presses`` ArrowRight presses on ``slider``."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1100})
    tab = await context.new_page()
    await tab.add_init_script(INIT_JS)
    await tab.goto(url)
    figure = tab.locator(".dsviz-figure[data-ready='1']")
    old_chart = tab.locator(".st-key-curve .js-plotly-plot")
    await figure.or_(old_chart).first.wait_for(timeout=180_000)
    if url.startswith("http"):
        await _idle(tab)
    if await figure.count():
        await _figure_ready(tab)
        # warm-up: one move and back, so the first timed press does not pay for compiling the solver
        for arrow in ("ArrowRight", "ArrowLeft"):
            await tab.locator(".dsviz-figure [name='shuffle_a'], .dsviz-figure [name='magnitude']").first.focus()
            await tab.keyboard.press(arrow)
            await _figure_ready(tab)
        out = await _press_figure(tab, slider, presses)
    else:
        out = await _press_server_page(tab, slider, presses)
    if screenshot is not None:
        await tab.screenshot(path=str(screenshot), full_page=True)
    await context.close()
    return out


async def measure(targets: list[tuple[str, str]], sliders: list[str], presses: int, shots: Path | None) -> dict:
    """``targets``: (name, URL) pairs, each an app page URL or a ``file://`` URL."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            return {
                name: {
                    s: await measure_slider(
                        browser, url, s, presses, None if shots is None else shots / f"label_shuffle_{name}_{s}.png"
                    )
                    for s in sliders
                }
                for name, url in targets
            }
        finally:
            await browser.close()


def measure_app(root: Path, page: str, sliders: list[str], presses: int, shots: Path | None, name: str) -> dict:
    """Start a server in ``root`` and measure its ``page``."""
    env = {"DSVIZ_CACHE_DIR": os.environ.get("DSVIZ_CACHE_DIR", tempfile.mkdtemp(prefix="lsb-cache-"))}
    with tempfile.TemporaryDirectory() as logs, serve(Path(logs) / "server.log", env=env, root=root) as (url, _):
        return asyncio.run(measure([(name, f"{url}/{page}")], sliders, presses, shots))


def summary(presses: list[Press]) -> dict:
    """Median, p90, p95 and max of key press → OTDD + coupling painted (ms), and the median until all is drawn."""
    v = np.array([p.coupling_ms for p in presses])
    return {
        "median_ms": round(float(np.median(v)), 1),
        "p90_ms": round(float(np.percentile(v, 90)), 1),
        "p95_ms": round(float(np.percentile(v, 95)), 1),
        "max_ms": round(float(v.max()), 1),
        "all_drawn_median_ms": round(float(np.median([p.all_ms for p in presses])), 1),
        "server_ms_median": round(float(np.nanmedian([p.server_ms for p in presses])), 1)
        if any(np.isfinite(p.server_ms) for p in presses)
        else None,
        "kb_in_median": round(float(np.median([p.kbytes for p in presses])), 1),
        "presses": len(presses),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--app",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="a checkout to serve, e.g. before=/tmp/ls-main (repeat for each); default: this checkout, "
        "unless only --html is given",
    )
    parser.add_argument("--html", action="append", default=[], type=Path, help="an exported figure file to open")
    parser.add_argument("--page", default="label_shuffle", help="the app page to open (default label_shuffle)")
    parser.add_argument("--sliders", default=FIGURE_SLIDERS, help="comma-separated slider names to move")
    parser.add_argument("--presses", type=int, default=15)
    parser.add_argument("--screenshots", type=Path, default=None, help="folder for a screenshot after each slider")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args()
    sliders = args.sliders.split(",")
    apps = args.app or ([] if args.html else ["app=."])
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()
    results: dict[str, dict[str, list[Press]]] = {}
    for spec in apps:
        name, _, folder = spec.partition("=")
        results.update(measure_app(Path(folder).resolve(), args.page, sliders, args.presses, args.screenshots, name))
    if args.html:
        files = [(f"html:{path.name}", path.resolve().as_uri()) for path in args.html]
        results.update(asyncio.run(measure(files, sliders, args.presses, args.screenshots)))
    table = {name: {s: summary(p) for s, p in by_slider.items()} for name, by_slider in results.items()}
    load = {"load_1min_start": round(load_start[0], 2), "load_1min_end": round(os.getloadavg()[0], 2)}
    if args.json:
        print(json.dumps({**table, "_load": load}, indent=1))
        return
    print(
        f"label-shuffle figure, ArrowRight presses; 1-min load average {load['load_1min_start']:.2f} at the start, "
        f"{load['load_1min_end']:.2f} at the end"
    )
    print(
        "| target | slider | presses | OTDD + coupling p50 ms | p90 ms | p95 ms | max ms | all drawn p50 ms "
        "| server compute p50 ms | kB in p50 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, by_slider in table.items():
        for slider, t in by_slider.items():
            print(
                f"| {name} | {slider} | {t['presses']} | {t['median_ms']:.0f} | {t['p90_ms']:.0f} | {t['p95_ms']:.0f} "
                f"| {t['max_ms']:.0f} | {t['all_drawn_median_ms']:.0f} | {t['server_ms_median'] or '–'} "
                f"| {t['kb_in_median']} |"
            )


if __name__ == "__main__":
    main()
