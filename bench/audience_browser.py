"""Check bench.audience against real browsers: K headless Chromiums, then K protocol viewers, same page.

Both measure a page load as the time from opening the page to the end of its
first script run (the browser: ``data-test-script-state`` back to
``notRunning`` on the app root, as tests/browser_helpers.py waits for; the
protocol client: ``script_finished``), then one interaction: the browser moves the coupling-lines slider
of the pair view (ArrowRight; redrawn in the browser, timed to the component's next ``data-frame``), the
protocol client flips the plain-OT toggle (a server run). For the browser
the first run alone (state ``running`` to ``notRunning``) is also given: the
load adds fetching and starting the frontend, which the protocol client skips. Start the server
yourself (warm cache) and pass its URL; prints one table row per client kind.

Usage: ``python -m bench.audience_browser --url http://127.0.0.1:8501 --users 3``.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import numpy as np

from bench.audience import audience

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
IDLE = "() => document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'notRunning'"
RUNNING = "() => document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'running'"


async def one_browser(browser, url: str, page: str, screenshot: str | None) -> tuple[float, float, float | None]:
    """(open to first run finished, first run started to finished, lines slider redraw) in seconds."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1100})
    tab = await context.new_page()
    start = time.perf_counter()
    await tab.goto(f"{url}/{page}")
    await tab.wait_for_function(RUNNING, timeout=600_000, polling=20)
    run_start = time.perf_counter()
    await tab.wait_for_function(IDLE, timeout=600_000, polling=20)
    load, run = time.perf_counter() - start, time.perf_counter() - run_start
    move = None
    root = tab.locator(".dsviz-pv-root[data-ready='1']")
    await root.wait_for(timeout=60_000)
    thumb = root.locator("input[name=lines]")
    if await thumb.count():
        await thumb.scroll_into_view_if_needed()
        await thumb.focus()
        frame = await root.get_attribute("data-frame")
        start = time.perf_counter()
        await tab.keyboard.press("ArrowRight")
        await tab.wait_for_function(
            "f => { const r = document.querySelector('.dsviz-pv-root');"
            " return r.dataset.frame !== f && r.dataset.ready === '1'; }",
            arg=frame,
            timeout=60_000,
        )
        move = time.perf_counter() - start
    if screenshot:
        await tab.screenshot(path=screenshot)
    await context.close()
    return load, run, move


async def browsers(url: str, users: int, page: str, screenshot: str | None) -> list[tuple[float, float, float | None]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            return await asyncio.gather(
                *[one_browser(browser, url, page, screenshot if i == 0 else None) for i in range(users)]
            )
        finally:
            await browser.close()


def _fmt(values: list[float]) -> str:
    v = np.array(values)
    return f"{np.percentile(v, 50):.2f} | {v.max():.2f}" if len(v) else "– | –"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--users", type=int, default=3)
    parser.add_argument("--page", default="dataset_pairs")
    parser.add_argument("--screenshot", default=None, help="PNG path for the first browser's page")
    args = parser.parse_args()
    real = asyncio.run(browsers(args.url, args.users, args.page, args.screenshot))
    sim = asyncio.run(audience(args.url, args.users, args.page, actions=1, widget="show_ot"))
    print(f"{args.users} clients at once on /{args.page}")
    print(
        "| client | load p50 s | load max s | first run p50 s | first run max s | interaction p50 s "
        "| interaction max s | errors |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| Chromium | {_fmt([r[0] for r in real])} | {_fmt([r[1] for r in real])} "
        f"| {_fmt([r[2] for r in real if r[2] is not None])} | – |"
    )
    print(
        f"| bench.audience | {sim['load_p50_s']:.2f} | {sim['load_max_s']:.2f} | – | – | {sim['action_p50_s']:.2f} "
        f"| {sim['action_max_s']:.2f} | {sim['errors']} |"
    )


if __name__ == "__main__":
    main()
