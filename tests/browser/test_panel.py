"""The "Synthetic vs Real" panel in the real App: it shows the stored run as the report formats it,
and a click on a gap region shows exactly that region's samples in the grid."""

from __future__ import annotations

import re
import time

import pytest
from app_helpers import open_dataset, screenshot

from fiftyone_plugin.fo.regions import list_regions, region_view
from fiftyone_plugin.fo.runs import RunNames, list_analyses, load_summary
from fiftyone_plugin.report.document import document_of
from fiftyone_plugin.report.grades import VERDICTS, format_value, verdict
from fiftyone_plugin.report.verdict import headline

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DATASET = "browser-panel"
PANEL = "synthgap_panel"


def open_panel(page, ready: str = "[data-cy=synthgap-answer]") -> None:
    """Open the synthgap panel (or bring it forward: the App server remembers open panels) and
    wait for ``ready``."""
    page.click("[data-cy=new-panel-btn]")
    option = page.locator(f"[data-cy=new-panel-option-{PANEL}]")
    try:
        option.wait_for(timeout=15_000)
        option.click()
    except Exception:  # already open in this server session: its option is not offered
        page.keyboard.press("Escape")
        page.click(f"[data-cy=panel-tab-{PANEL}]")
    page.wait_for_selector(ready, timeout=120_000)


def shown_count(page) -> int:
    """The App's sample count ("123 samples" above the grid)."""
    text = page.locator("[data-cy=entry-counts]").inner_text()
    return int(re.search(r"([\d,]+)\s+samples?", text).group(1).replace(",", ""))


def wait_for_count(page, expected: int, timeout: float = 60) -> int:
    deadline = time.time() + timeout
    while True:
        count = shown_count(page)
        if count == expected or time.time() > deadline:
            return count
        time.sleep(0.5)


def test_panel_tells_the_stored_story_and_a_gap_region_click_filters_the_grid(
    page, app_url, analyzed_demo
):
    dataset = analyzed_demo
    run = list_analyses(dataset)[-1]
    summary = load_summary(dataset, run)
    metrics = summary["metrics"]

    page.set_viewport_size({"width": 1800, "height": 1300})
    open_dataset(page, app_url, DATASET)
    open_panel(page)
    panel = page.locator(f"[data-cy=panel-content-{PANEL}]")

    # The verdict and the metrics, graded and formatted as the HTML report does it
    document = {**metrics, **summary}
    assert page.locator("[data-cy=synthgap-answer]").inner_text() == VERDICTS[verdict(document)][0]
    diagnosis = (summary.get("diagnosis") or {}).get("text")
    if diagnosis:
        assert page.locator("[data-cy=synthgap-diagnosis]").inner_text() == diagnosis
    # the tiny demo's style shift comes with missing content found: no advice to try another model
    assert not headline(document_of(summary))["advice"]
    assert page.locator("[data-cy=synthgap-advice]").count() == 0
    for key in ("coverage", "recall", "precision", "c2st_auc"):
        if key in metrics:
            shown = page.locator(f"[data-cy=synthgap-metric_{key}_value]").inner_text()
            assert shown == format_value(metrics[key]), key
    counts = page.locator("[data-cy=synthgap-counts]").inner_text()
    assert f"{format_value(metrics['n_real'])} real" in counts

    # Clusters and gap regions, largest gap first, with their counts
    regions = list_regions(dataset, run)
    rows = panel.locator("[data-cy=synthgap-regions] tbody tr")
    assert rows.count() == len(regions)
    for i, region in enumerate(regions[:5]):
        cells = rows.nth(i).locator("td").all_inner_texts()
        assert cells[0] == region.name
        assert cells[2:4] == [str(region.n_real), str(region.n_synthetic)]
    page.wait_for_timeout(2_000)  # let the grid's thumbnails load for the screenshot
    screenshot(page, "panel_overview")

    # A click on the largest gap region shows exactly its samples
    gap = next(r for r in regions if r.kind == "region")
    expected = region_view(dataset, run, gap.key)
    rows.nth(regions.index(gap)).locator("td").first.click()
    assert wait_for_count(page, len(expected)) == len(expected)
    page.wait_for_function(
        f"document.querySelectorAll('[data-cy=looker]').length == {len(expected)}", timeout=60_000
    )
    assert f"view={RunNames(run).view(gap.name)}" in page.url
    screenshot(page, "panel_gap_region")

    # The worst synthetic images are one click away
    panel.get_by_role("button", name="Show the least realistic").click()
    least = dataset.load_saved_view(RunNames(run).view("least-realistic"))
    assert wait_for_count(page, len(least)) == len(least)

    panel.get_by_role("button", name="Show all samples").click()
    assert wait_for_count(page, len(dataset)) == len(dataset)

    # the whole panel, top to bottom (verdict, regions, galleries, realism, history)
    page.set_viewport_size({"width": 1800, "height": 3600})
    page.locator("[data-cy=synthgap-realism_title]").wait_for()
    page.wait_for_timeout(3_000)
    screenshot(page, "panel_full")


def test_a_dataset_without_analysis_shows_what_to_do(page, app_url, analyzed_demo):
    import fiftyone as fo

    name = "browser-panel-empty"
    if fo.dataset_exists(name):
        fo.delete_dataset(name)
    empty = fo.Dataset(name)
    empty.add_sample(fo.Sample(filepath=analyzed_demo.first().filepath, domain="real"))
    try:
        open_dataset(page, app_url, name)
        open_panel(page, ready="[data-cy=synthgap-empty_title]")
        title = page.locator("[data-cy=synthgap-empty_title]")
        assert title.inner_text() == "No synthgap analysis yet"
        panel = page.locator(f"[data-cy=panel-content-{PANEL}]")
        panel.get_by_role("button", name="Run analysis").click()
        page.wait_for_selector("[data-cy=operators-prompt-modal]")
        assert page.get_by_text("Analyze the synthetic-to-real gap").count()
        screenshot(page, "panel_empty_state")
    finally:
        fo.delete_dataset(name)
