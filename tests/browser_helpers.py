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
