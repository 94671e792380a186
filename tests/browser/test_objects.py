"""A run on objects in the real App: the Embeddings panel plots the objects (patches) colored by
their side, and the synthgap panel's per-class table opens a patches view whose grid shows the
objects of that class, each in its image."""

from __future__ import annotations

import re
import time

import pytest
from app_helpers import open_dataset, screenshot
from object_data import scene_pair
from test_operators import EMBEDDINGS, dismiss_popover
from test_panel import PANEL, open_panel

from fiftyone_plugin import defaults

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DATASET = "browser-objects"
RUN = defaults.OBJECTS_RUN_KEY


@pytest.fixture(scope="module")
def objects_run(tmp_path_factory):
    import fiftyone as fo

    from fiftyone_plugin.label_options import LabelOptions
    from fiftyone_plugin.object_options import ObjectOptions
    from fiftyone_plugin.options import EmbeddingOptions
    from fiftyone_plugin.workflow import analyze_folders

    if fo.dataset_exists(DATASET):
        fo.delete_dataset(DATASET)
    scenes = scene_pair(str(tmp_path_factory.mktemp("scenes")), n=24)
    done = analyze_folders(
        scenes["real"], scenes["synthetic"], dataset=DATASET,
        out=str(tmp_path_factory.mktemp("objects-out")), options=EmbeddingOptions(num_workers=0),
        run_key=RUN, labels=LabelOptions(), objects=ObjectOptions(),
    )  # fmt: skip
    yield done, fo.load_dataset(DATASET)
    fo.delete_dataset(DATASET)


def shown(page) -> tuple[int, str]:
    """The App's entry count above the grid: (number, "samples" or "patches")."""
    text = page.locator("[data-cy=entry-counts]").inner_text()
    found = re.search(r"([\d,]+)\s+(samples?|patch(?:es)?)", text)
    return int(found.group(1).replace(",", "")), found.group(2)


def wait_for_patches(page, expected: int, timeout: float = 60) -> tuple[int, str]:
    deadline = time.time() + timeout
    while True:
        count = shown(page)
        if count[0] == expected and count[1].startswith("patch") or time.time() > deadline:
            return count
        time.sleep(0.5)


def test_objects_in_the_embeddings_panel_and_the_grid(page, app_url, objects_run):
    from fiftyone import ViewField as F
    from playwright.sync_api import expect

    done, dataset = objects_run
    field = done.outcome.objects["field"]
    result = done.outcome.result
    n_real, n_synthetic = len(result.gap_score), len(result.realism)
    page.set_viewport_size({"width": 1800, "height": 1200})
    open_dataset(page, app_url, DATASET)

    # 1. The Embeddings panel on the run's visualization: one point per object, colored by side.
    page.click("[data-cy=new-panel-btn]")
    page.locator("[data-cy=new-panel-option-Embeddings]").click()
    panel = page.locator(EMBEDDINGS)
    panel.wait_for(timeout=60_000)
    dismiss_popover(panel)
    brain_key = f"{RUN}_umap"
    card = panel.locator(".emb-run-card", has_text=brain_key)
    color_by = panel.get_by_role("button", name="Color by")
    card.or_(color_by).first.wait_for(timeout=60_000)
    if card.count():
        card.click()
    color_by.click()
    page.get_by_role("option", name=f"{field}.detections.{defaults.DOMAIN_FIELD}").click()
    legend = panel.locator(".emb-legend-row")
    expect(legend).to_have_count(2, timeout=60_000)
    labels = [t.strip() for t in panel.locator(".emb-legend-label").all_inner_texts()]
    assert labels == [defaults.REAL, defaults.SYNTHETIC]
    counts = [t.strip() for t in panel.locator(".emb-legend-count").all_inner_texts()]
    assert counts == [f"{n_real:,}", f"{n_synthetic:,}"]  # objects, not images
    expect(panel).to_contain_text(f"{n_real + n_synthetic} points")
    page.mouse.move(10, 1190)
    page.wait_for_timeout(2_000)  # WebGL draws in software: let the points settle
    screenshot(page, "objects_embeddings_panel_by_domain")

    # 2. The synthgap panel's per-class table: the missing class `cat` opens the patches of its
    # real objects (each patch one object, shown in its image).
    open_panel(page, ready="[data-cy=synthgap-classes] tbody tr")
    synthgap = page.locator(f"[data-cy=panel-content-{PANEL}]")
    rows = synthgap.locator("[data-cy=synthgap-classes] tbody tr")
    first = rows.nth(0).locator("td").all_inner_texts()
    cats = dataset.to_patches(field).match(F(f"{field}.label") == "cat")
    assert first[:4] == ["cat", "missing", str(len(cats)), "0"]
    rows.nth(0).locator("td").first.click()
    page.locator("[data-cy=panel-tab-samples]").click()  # the panel opened over the grid's tab
    assert wait_for_patches(page, len(cats)) == (len(cats), "patches")
    page.wait_for_function(
        f"document.querySelectorAll('[data-cy=looker]').length == {len(cats)}", timeout=60_000
    )
    page.wait_for_timeout(2_000)  # let the thumbnails load
    screenshot(page, "objects_class_patches")
