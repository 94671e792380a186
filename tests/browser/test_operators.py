"""Our App operators in the real App: "Analyze the synthetic-to-real gap" run from the operator
browser stores a run and opens the Embeddings panel on it, colored by domain ("real" and
"synthetic" in its legend with no click); "Show a gap region or cluster" then shows exactly that region's samples."""

from __future__ import annotations

import re
import time

import pytest
from app_helpers import open_dataset, screenshot

from fiftyone_plugin import defaults
from fiftyone_plugin.fo.regions import REGION, list_regions
from fiftyone_plugin.fo.runs import RunNames, list_analyses

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DATASET = "browser-operators"
EMBEDDINGS = "[data-cy=panel-content-Embeddings]"


@pytest.fixture(scope="module")
def marked_demo(tiny_demo):
    """The tiny demo imported with its domains marked, not analyzed.

    Embeddings are computed here, in Python, to keep the browser part short: the analyze form
    then offers the stored field, and the operator run in the App does the analysis itself.
    """
    import fiftyone as fo

    from fiftyone_plugin.fo.embeddings import compute_embeddings
    from fiftyone_plugin.fo.samples import import_images, list_images
    from fiftyone_plugin.options import EmbeddingOptions

    if fo.dataset_exists(DATASET):
        fo.delete_dataset(DATASET)
    dataset = fo.Dataset(DATASET)
    import_images(dataset, list_images(tiny_demo["real"]), defaults.REAL)
    import_images(dataset, list_images(tiny_demo["synthetic"]), defaults.SYNTHETIC)
    compute_embeddings(dataset, options=EmbeddingOptions(num_workers=0))
    colored = dataset.app_config.color_scheme.fields
    assert [f["path"] for f in colored] == [defaults.DOMAIN_FIELD]  # set by import_images
    assert list_analyses(dataset) == [] and dataset.list_brain_runs() == []
    yield dataset
    fo.delete_dataset(DATASET)


def open_operator(page, label: str):
    """Open the operator browser, search for ``label``, pick it; returns the form modal."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    try:
        page.locator("[data-cy=action-browse-operations]").click(timeout=5_000)
    except PlaywrightTimeoutError:  # a side panel narrows the grid's toolbar and covers it
        page.locator("body").press("`")
    page.locator("[data-cy=operators-browser-search]").fill(label)
    page.locator("[data-cy=operators-browser]").get_by_text(label, exact=True).click()
    modal = page.locator("[data-cy=operators-prompt-modal]")
    modal.wait_for()
    return modal


def choose_execute(modal) -> None:
    """Run now rather than schedule: the analyze operator offers Schedule first (delegated by
    default); Execute is in the split button's menu."""
    execute = modal.get_by_role("button", name="Execute", exact=True)
    split = modal.get_by_role("group", name="split button")
    execute.or_(split).first.wait_for(timeout=60_000)  # the form's buttons render late
    if not execute.count():
        split.get_by_role("button").last.click()
        modal.page.get_by_role("menuitem", name=re.compile(r"^Execute")).click()
    execute.wait_for()
    execute.click()


def wait_for_run(name: str, timeout: float = 600) -> list[str]:
    """The dataset's analysis runs, once there is one (the App runs the operator on its server)."""
    import fiftyone as fo

    deadline = time.time() + timeout
    while True:
        dataset = fo.load_dataset(name)
        dataset.reload()
        runs = list_analyses(dataset)
        if runs or time.time() > deadline:
            return runs
        time.sleep(1)


def dismiss_popover(locator, timeout: float = 5_000) -> None:
    """Click the "Explore Enterprise" popover's Dismiss in ``locator`` if one shows up."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    dismiss = locator.get_by_text("Dismiss", exact=True).first
    try:
        dismiss.wait_for(timeout=timeout)
        dismiss.click()
    except PlaywrightTimeoutError:
        pass


def expect_sample_count(page, count: int) -> None:
    """The App's sample count above the grid reads ``count samples``."""
    from playwright.sync_api import expect

    counts = page.locator("[data-cy=entry-counts]")
    expect(counts).to_have_text(re.compile(rf"^\s*{count:,} samples?\b"), timeout=60_000)


def test_analyze_then_embeddings_by_domain_then_show_a_gap_region(page, app_url, marked_demo):
    import fiftyone as fo
    from fiftyone import ViewField as F
    from playwright.sync_api import expect

    domains = marked_demo.count_values(defaults.DOMAIN_FIELD)
    open_dataset(page, app_url, DATASET)
    expect_sample_count(page, len(marked_demo))

    # 1. Analyze from the operator browser: the form offers the stored embeddings and the
    # default run name; Execute runs it now, on the App's server.
    modal = open_operator(page, "Analyze the synthetic-to-real gap")
    expect(modal).to_contain_text(
        f"{domains[defaults.REAL]} real and {domains[defaults.SYNTHETIC]} synthetic samples",
        timeout=60_000,
    )
    expect(modal).to_contain_text(defaults.embeddings_field(defaults.MODEL))
    expect(modal.get_by_role("textbox").first).to_have_value(defaults.RUN_KEY)
    choose_execute(modal)
    # the run streams its progress into the form: a bar and the current step
    expect(modal.get_by_role("progressbar")).to_be_visible(timeout=60_000)

    runs = wait_for_run(DATASET)
    assert runs == [defaults.RUN_KEY]
    dataset = fo.load_dataset(DATASET)
    names = RunNames(runs[0])
    assert dataset.has_brain_run(names.brain_key)
    # the operator's output once it has finished, metrics under their human names
    output = page.get_by_role("dialog").filter(has_text="Summary:")
    expect(output).to_contain_text(f"brain key '{names.brain_key}'", timeout=300_000)
    expect(output).to_contain_text("Coverage, style removed")
    assert "coverage_aligned" not in output.inner_text()
    screenshot(page, "analyze_gap_result")
    output.get_by_role("button", name="Done").click()
    expect(output).to_have_count(0)

    # 2. The operator opened the Embeddings panel on the run, colored by domain: no click.
    panel = page.locator(EMBEDDINGS)
    panel.wait_for(timeout=60_000)
    color_by = panel.get_by_role("button", name="Color by")
    legend = panel.locator(".emb-legend-row")
    expect(legend).to_have_count(2, timeout=60_000)
    labels = panel.locator(".emb-legend-label").all_inner_texts()
    assert [label.strip() for label in labels] == [defaults.REAL, defaults.SYNTHETIC]
    for i, domain in enumerate((defaults.REAL, defaults.SYNTHETIC)):
        count = legend.nth(i).locator(".emb-legend-count").inner_text()
        assert count.strip() == f"{domains[domain]:,}", (domain, count)
    expect(color_by).to_contain_text(defaults.DOMAIN_FIELD)
    expect(panel.locator("canvas[data-engine^='three.js']")).to_have_count(1)
    expect(panel).to_contain_text(f"{len(dataset)} points")
    dismiss_popover(panel)
    page.mouse.move(10, 890)  # no hover tooltip over the plot
    page.wait_for_timeout(2_000)  # WebGL draws in software: let the points and thumbnails settle
    screenshot(page, "embeddings_panel_by_domain")

    # 3. Show the first gap region from the operator browser: the grid shows exactly its samples.
    regions = list_regions(dataset, runs[0])
    gap = next(r for r in regions if r.kind == REGION)
    expected = dataset.match(F(names.field("gap_region")) == gap.name)
    assert len(expected) == gap.n_real > 0
    modal = open_operator(page, "Show a gap region or cluster")
    region_box = modal.get_by_role("combobox").nth(1)  # after the run choice
    expect(modal.get_by_role("combobox").first).to_have_text(runs[0], timeout=60_000)
    region_box.click()
    options = page.get_by_role("option")
    expect(options).to_have_count(len(regions))
    option = options.filter(has_text=gap.label)
    expect(option).to_have_count(1)
    option.click()
    expect(region_box).to_have_text(gap.label)
    choose_execute(modal)
    expect(modal).to_have_count(0, timeout=60_000)

    expect_sample_count(page, len(expected))
    # the grid (above the Embeddings panel the analysis opened) shows the region's thumbnails
    expect(page.locator("[data-cy=looker]").first).to_be_visible(timeout=60_000)
    assert f"view={names.view(gap.name)}" in page.url  # the region's saved view
    page.wait_for_timeout(2_000)  # let the thumbnails load for the screenshot
    screenshot(page, "show_region_grid")
