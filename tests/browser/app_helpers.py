"""Helpers for browser tests: open a dataset in the App, keep screenshots as artifacts.

Imported by name (``from app_helpers import ...``): pytest puts this folder on ``sys.path``.
"""

from __future__ import annotations

import os

ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "artifacts")


def screenshot(page, name: str) -> str:
    """Save a screenshot to tests/artifacts/<name>.png (kept as a test artifact)."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, f"{name}.png")
    page.screenshot(path=path)
    return path


def open_dataset(page, app_url: str, dataset: str) -> None:
    """Open the App on ``dataset`` and dismiss the first-load popover."""
    page.goto(f"{app_url}/datasets/{dataset}")
    page.wait_for_selector("[data-cy=fo-grid]")
    # A restored Embeddings panel brings a second popover whose backdrop covers the first one's
    # button: dismiss the topmost first.
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    dismiss = page.get_by_text("Dismiss", exact=True)
    for _ in range(dismiss.count()):
        try:
            dismiss.last.click(timeout=10_000)
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
