"""Helpers shared by the browser tests (Playwright pages on the live app)."""

from __future__ import annotations


def wait_for_app_idle(page, timeout_ms: float) -> None:
    """Wait until no script run is in progress (Streamlit marks it on the app root)."""
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'notRunning'",
        timeout=timeout_ms,
    )


def full_page_screenshot(page, path) -> None:
    """Screenshot the whole page: Streamlit scrolls inside ``stMain``, so grow the viewport to fit it."""
    viewport = page.viewport_size
    height = page.locator("[data-testid='stMain']").evaluate("e => e.scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": max(height, viewport["height"])})
    page.wait_for_timeout(800)
    page.screenshot(path=path)
    page.set_viewport_size(viewport)


def single_chart(page, selector: str, button_title: str | None = None, timeout_ms: float = 60_000):
    """The one plotly.js chart at ``selector``, once the page has settled on it.

    When a chart's config changes (PNG ↔ SVG), Streamlit draws the new chart and keeps the previous drawing in
    the DOM, collapsed to 0×0 and faded, until the script run ends: for up to about a second two charts match
    the selector, and a wait on "the app is idle" can return before that run has even started. So wait on the
    state itself: exactly one chart, drawn with a non-zero size and, when ``button_title`` is given, with that
    camera button in its toolbar (the button's title names the format: "Download plot" saves SVG).
    """
    page.wait_for_function(
        """([s, title]) => {
            const charts = document.querySelectorAll(s);
            if (charts.length !== 1) return false;
            const box = charts[0].getBoundingClientRect();
            if (box.width === 0 || box.height === 0) return false;
            return title === null || charts[0].querySelector(`.modebar-btn[data-title="${title}"]`) !== null;
        }""",
        arg=[selector, button_title],
        timeout=timeout_ms,
    )
    return page.locator(selector)


def block_network(page) -> list[str]:
    """Abort every request that is not ``file:`` or ``data:``; return the (growing) list of blocked URLs."""
    blocked: list[str] = []

    def route(r) -> None:
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return blocked


def figure_value(page, metric: str, root: str = ".dsviz-figure") -> float:
    """The full-precision ``data-value`` of the figure's ``data-metric=metric`` element."""
    return float(page.locator(f"{root} [data-metric='{metric}']").first.get_attribute("data-value"))


def move_figure_control(page, name: str, key: str = "ArrowRight", root: str = ".dsviz-figure") -> None:
    """Press ``key`` on the figure's control ``name`` and wait for the redraw it causes (``data-frame`` + 1)."""
    frame = page.locator(root).get_attribute("data-frame")
    page.locator(f"{root} [name='{name}']").focus()
    page.keyboard.press(key)
    page.wait_for_function(
        "([root, frame]) => { const r = document.querySelector(root);"
        " return r.dataset.frame !== frame && r.dataset.ready === '1'; }",
        arg=[root, frame],
        timeout=60_000,
    )
