"""The first minutes in the real App on an analyzed dataset: the plugin's panel opens beside the
sample grid (a row click filters a grid the user sees), and "Open in Embeddings" shows the run
colored by domain with no further click. Saves the README's screenshot of both."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from app_helpers import open_dataset, screenshot

from fiftyone_plugin import defaults
from fiftyone_plugin.fo.regions import list_regions, region_view
from fiftyone_plugin.fo.runs import list_analyses

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DATASET = "browser-first-hour"
PANEL = "synthgap_panel"
DOCS_IMAGES = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "docs", "images"
)


def _rgb(color: str) -> str:
    """A #rrggbb color as the browser's computed style writes it."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None, locator
    return box


def test_panel_beside_the_grid_and_embeddings_ready_by_domain(page, app_url, analyzed_demo):
    from playwright.sync_api import expect

    dataset = analyzed_demo
    run = list_analyses(dataset)[-1]
    open_dataset(page, app_url, DATASET)
    # Each tile says which side its image is on (the domain field is shown by default).
    tile = page.locator("[data-cy=looker]").first
    expect(tile).to_contain_text(re.compile(rf"\b({defaults.REAL}|{defaults.SYNTHETIC})\b"),
                                 timeout=60_000)  # fmt: skip

    # 1. Opened from the "+" of the grid's tabs, the panel moves into a space beside the grid.
    page.click("[data-cy=new-panel-btn]")
    page.locator(f"[data-cy=new-panel-option-{PANEL}]").click()
    panel = page.locator(f"[data-cy=panel-content-{PANEL}]")
    expect(panel.locator("[data-cy=synthgap-answer]")).to_be_visible(timeout=120_000)
    grid = page.locator("[data-cy=fo-grid]")
    expect(grid).to_be_visible(timeout=30_000)
    grid_box, panel_box = _box(grid), _box(panel)
    assert grid_box["x"] + grid_box["width"] <= panel_box["x"] + 1, (grid_box, panel_box)
    assert grid_box["width"] > 300 and panel_box["width"] > 300

    # 2. A row click shows that gap region in the grid, which stays in sight.
    regions = list_regions(dataset, run)
    gap = next(r for r in regions if r.kind == "region")
    expected = region_view(dataset, run, gap.key)
    rows = panel.locator("[data-cy=synthgap-regions] tbody tr")
    rows.nth(regions.index(gap)).locator("td").first.click()
    counts = page.locator("[data-cy=entry-counts]")
    expect(counts).to_have_text(re.compile(rf"^\s*{len(expected):,} samples?\b"), timeout=60_000)
    expect(grid).to_be_visible()
    screenshot(page, "first_hour_panel_beside_grid")

    # 3. "Open in Embeddings": the run's plot colored by domain, read with no further click.
    domains = dataset.count_values(defaults.DOMAIN_FIELD)
    panel.get_by_role("button", name="Show all samples").click()
    expect(counts).to_have_text(re.compile(rf"^\s*{len(dataset):,} samples?\b"), timeout=60_000)
    panel.get_by_role("button", name="Open in Embeddings").click()
    embeddings = page.locator("[data-cy=panel-content-Embeddings]")
    legend = embeddings.locator(".emb-legend-row")
    expect(legend).to_have_count(2, timeout=60_000)
    labels = [t.strip() for t in embeddings.locator(".emb-legend-label").all_inner_texts()]
    assert labels == [defaults.REAL, defaults.SYNTHETIC]
    for i, domain in enumerate(labels):
        count = legend.nth(i).locator(".emb-legend-count").inner_text()
        assert count.strip() == f"{domains[domain]:,}", (domain, count)
    expect(embeddings.get_by_role("button", name="Color by")).to_contain_text(defaults.DOMAIN_FIELD)
    # in synthgap's domain colors (legible on the dark and the light theme), not the App's pool
    swatches = legend.evaluate_all(
        """rows => rows.map(row => [...row.querySelectorAll('*')]
            .map(e => getComputedStyle(e).backgroundColor)
            .find(c => c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') || null)"""
    )
    assert swatches == [_rgb(defaults.DOMAIN_COLORS[d]) for d in labels], swatches
    expect(embeddings).to_contain_text(f"{len(dataset)} points")
    # the grid and the panel are still in sight beside the plot
    expect(grid).to_be_visible()
    expect(panel.locator("[data-cy=synthgap-answer]")).to_be_visible()
    for dismiss in page.get_by_text("Dismiss", exact=True).all():
        if dismiss.is_visible():
            dismiss.click()
    page.mouse.move(5, 895)  # no hover tooltip over the plot
    page.wait_for_timeout(3_000)  # WebGL draws in software: let points and thumbnails settle
    path = screenshot(page, "panel_grid_embeddings_by_domain")
    os.makedirs(DOCS_IMAGES, exist_ok=True)
    shutil.copy(path, os.path.join(DOCS_IMAGES, "panel_grid_embeddings_by_domain.png"))


def test_the_model_is_chosen_from_the_registry_or_typed(page, app_url, analyzed_demo):
    from playwright.sync_api import expect
    from test_operators import open_operator

    from fiftyone_plugin.embeddings import available_models

    open_dataset(page, app_url, DATASET)
    modal = open_operator(page, "Compute synthgap embeddings")
    model = modal.get_by_role("combobox").first
    expect(model).to_have_value(defaults.AUTO_MODEL, timeout=60_000)
    expect(modal).to_contain_text("emb_<the model auto takes>")  # no field to name yet
    model.click()
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    shown = [o.strip() for o in options.all_inner_texts()]
    assert shown == [defaults.AUTO_MODEL, *available_models()]
    screenshot(page, "model_choices")
    model.fill("zoo:clip-vit-base32-torch")  # a FiftyOne zoo model, typed
    page.keyboard.press("Escape")
    expect(modal).not_to_contain_text("Unknown model")


def _open_panel(page):
    """The plugin's panel: opened from the grid's "+" unless the App restored it."""
    from playwright.sync_api import expect

    panel = page.locator(f"[data-cy=panel-content-{PANEL}]")
    page.wait_for_timeout(3_000)  # a restored layout shows its panels shortly after the grid
    if not panel.count():
        page.click("[data-cy=new-panel-btn]")
        page.locator(f"[data-cy=new-panel-option-{PANEL}]").click()
    expect(panel.locator("[data-cy=synthgap-answer]")).to_be_visible(timeout=120_000)
    return panel


def test_curation_with_the_defaults_keeps_good_data_then_the_report_opens(
    page, app_url, analyzed_demo, tmp_path
):
    """The rest of the first hour, from the panel's buttons: curate with every default (the good
    synthetic images kept, every junk render dropped), then write the report and open it."""
    import time

    import fiftyone as fo
    from playwright.sync_api import expect
    from test_operators import choose_execute

    synthetic = analyzed_demo.match(fo.ViewField(defaults.DOMAIN_FIELD) == defaults.SYNTHETIC)
    junk = synthetic.match(fo.ViewField("filepath").contains_str("/junk-"))
    n_good = len(synthetic) - len(junk)
    assert len(junk) > 0 and n_good > 0
    open_dataset(page, app_url, DATASET)
    panel = _open_panel(page)

    panel.get_by_role("button", name="Curate synthetic").click()
    modal = page.locator("[data-cy=operators-prompt-modal]")
    expect(modal).to_contain_text(re.compile(r"Would keep \d+ of \d+ synthetic"), timeout=60_000)
    choose_execute(modal)
    # run now, the result comes in the App's output dialog once the progress bar is done
    output = page.get_by_role("dialog").filter(has_text="Kept:")
    expect(output).to_contain_text("(budget", timeout=180_000)
    screenshot(page, "first_hour_curated")
    deadline = time.time() + 60
    while not (kept := fo.load_dataset(DATASET).match_tags("curated")):
        assert time.time() < deadline, "nothing was tagged curated"
        time.sleep(1)
    kept_junk = kept.match(fo.ViewField("filepath").contains_str("/junk-"))
    n_good_kept = len(kept.match(fo.ViewField(defaults.DOMAIN_FIELD) == defaults.SYNTHETIC)) - len(
        kept_junk
    )
    assert n_good_kept >= 0.9 * n_good, (n_good_kept, n_good)
    assert len(kept_junk) == 0
    output.get_by_role("button", name="Done").click()

    report = tmp_path / "first-hour-report.html"
    panel.get_by_role("button", name="Metrics and report").click()
    modal = page.locator("[data-cy=operators-prompt-modal]")
    modal.get_by_text("Report file", exact=True).locator("xpath=following::input[1]").fill(
        str(report)
    )
    choose_execute(modal)
    output = page.get_by_role("dialog").filter(has_text="HTML report")
    expect(output).to_contain_text(str(report), timeout=180_000)
    assert report.is_file()
    opened = page.context.new_page()
    opened.goto(report.as_uri())
    expect(opened.locator("h1")).to_contain_text(DATASET)
    expect(opened.locator("body")).to_contain_text("generate next", ignore_case=True)
    screenshot(opened, "first_hour_report")
    opened.close()
