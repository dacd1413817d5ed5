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
