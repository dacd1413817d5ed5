"""The SimEx and method-agreement pages in headless Chromium, on tiny settings.

Trains the fleets on demand through the pages' buttons (or reads them from the
server's cache when a previous run left them there), chooses an autoencoder in
the reconstruction grid, and saves screenshots to ``artifacts/``.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from browser_helpers import full_page_screenshot, wait_for_app_idle
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from dsviz.data import availability

pytestmark = pytest.mark.browser

TINY = "n=60&n_eval=20&epochs=1"
TRAIN_TIMEOUT_MS = 300_000
GRID = ".st-key-recon_grid"


def _train_if_needed(page, button_key: str, ready_selector: str) -> None:
    """Click the page's train button when the result is not cached, then wait for ``ready_selector``."""
    page.locator(f".st-key-{button_key} button, {ready_selector}").first.wait_for(timeout=TRAIN_TIMEOUT_MS)
    wait_for_app_idle(page, TRAIN_TIMEOUT_MS)
    button = page.locator(f".st-key-{button_key} button")
    if button.count():
        button.click()
    page.locator(ready_selector).first.wait_for(timeout=TRAIN_TIMEOUT_MS)
    wait_for_app_idle(page, TRAIN_TIMEOUT_MS)


def _rows(page) -> list[tuple[str, float]]:
    """(class name, Δ) of each row of the reconstruction grid, top to bottom."""
    texts = page.locator(f"{GRID} [data-testid='stMarkdownContainer']").all_inner_texts()
    rows = []
    for text in texts:
        match = re.match(r"\s*\d+\.\s*(\S+)\s*Δ = ([0-9.]+)", text.replace("\n", " "))
        if match:
            rows.append((match.group(1), float(match.group(2))))
    return rows


def test_reconstruction_grid_follows_the_chosen_autoencoder(page, streamlit_server, artifacts_dir, real_data_dir):
    page.goto(f"{streamlit_server}/simex?{TINY}")
    _train_if_needed(page, "train_class_fleet", GRID)
    rows = _rows(page)
    assert sorted(name for name, _ in rows) == [str(d) for d in range(10)]
    assert [d for _, d in rows] == sorted(d for _, d in rows)
    page.locator(f"{GRID} img").nth(9).wait_for(timeout=60_000)
    assert page.locator(f"{GRID} img").count() == 10
    page.locator(".st-key-delta_heatmap .js-plotly-plot").wait_for(timeout=60_000)  # plotly draws after the grid
    assert page.locator(".st-key-delta_heatmap .js-plotly-plot").count() == 1
    full_page_screenshot(page, artifacts_dir / "simex_page.png")

    wait_for_app_idle(page, TRAIN_TIMEOUT_MS)
    option = page.get_by_role("option", name="4", exact=True)
    for _ in range(3):  # a rerun that lands while the list is open closes it: open it again
        page.locator(".st-key-ae [role='combobox']").click()
        try:
            option.wait_for(timeout=10_000)
            break
        except PlaywrightTimeoutError:
            wait_for_app_idle(page, TRAIN_TIMEOUT_MS)
    option.click()
    page.get_by_text(re.compile(r"reconstruction by the autoencoder trained on\s+4")).wait_for(timeout=60_000)
    wait_for_app_idle(page, TRAIN_TIMEOUT_MS)
    chosen = _rows(page)
    assert sorted(name for name, _ in chosen) == [str(d) for d in range(10)]
    assert [d for _, d in chosen] == sorted(d for _, d in chosen)
    assert chosen != rows  # another autoencoder gives other errors
    assert parse_qs(urlparse(page.url).query)["ae"] == ["4"]
    page.locator(GRID).scroll_into_view_if_needed()
    page.locator(GRID).screenshot(path=artifacts_dir / "simex_reconstructions_ae4.png")


def test_method_agreement_page(page, streamlit_server, artifacts_dir, real_data_dir):
    datasets = "&".join(f"datasets={d}" for d in ("mnist", "kmnist", "emnist-letters", "mnist-rotated"))
    page.goto(f"{streamlit_server}/method_agreement?{TINY}&{datasets}")
    _train_if_needed(page, "compute_agreement", ".st-key-agreement_heatmap .js-plotly-plot")
    status = availability(real_data_dir)
    if not status["kmnist"].available:  # the page's one data notice names it
        notice = page.locator("[data-testid='stAlert']").filter(has_text="Not in the data folder")
        assert notice.count() == 1 and "kmnist" in notice.inner_text()
    if status["emnist-letters"].message:
        assert page.get_by_text(status["emnist-letters"].message[:40]).count() >= 1
    table = page.locator(".st-key-cost_table")
    table.wait_for(timeout=60_000)
    full_page_screenshot(page, artifacts_dir / "method_agreement_page.png")
