"""The panel's per-class table in the real App: one row per class, worst first, sortable, and a
click on a row shows exactly that class's images in the grid."""

from __future__ import annotations

import pytest
from app_helpers import open_dataset, screenshot
from labeled_data import photo_trees
from test_panel import PANEL, open_panel, wait_for_count

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DATASET = "browser-panel-classes"


@pytest.fixture(scope="module")
def labeled(tmp_path_factory):
    import fiftyone as fo

    from fiftyone_plugin.label_options import LabelOptions
    from fiftyone_plugin.options import EmbeddingOptions
    from fiftyone_plugin.workflow import analyze_folders

    if fo.dataset_exists(DATASET):
        fo.delete_dataset(DATASET)
    trees = photo_trees(str(tmp_path_factory.mktemp("trees")))
    analyze_folders(
        trees["real"], trees["synthetic"], dataset=DATASET,
        out=str(tmp_path_factory.mktemp("classes-out")), options=EmbeddingOptions(num_workers=0),
        labels=LabelOptions(class_map=trees["map"]),
    )  # fmt: skip
    yield fo.load_dataset(DATASET)
    fo.delete_dataset(DATASET)


def test_the_per_class_table_filters_the_grid(page, app_url, labeled):
    page.set_viewport_size({"width": 1800, "height": 1400})
    open_dataset(page, app_url, DATASET)
    open_panel(page, ready="[data-cy=synthgap-classes] tbody tr")
    panel = page.locator(f"[data-cy=panel-content-{PANEL}]")
    rows = panel.locator("[data-cy=synthgap-classes] tbody tr")
    assert rows.count() == 3
    first = rows.nth(0).locator("td").all_inner_texts()
    assert first[:4] == ["coins", "missing", "24", "0"]  # worst first: the missing class
    assert "Training on synthetic" in panel.locator("[data-cy=synthgap-probe_verdict]").inner_text()
    panel.locator("[data-cy=synthgap-classes]").scroll_into_view_if_needed()
    screenshot(page, "panel_classes")

    # a click on the missing class shows its 24 real images, and nothing else
    rows.nth(0).locator("td").first.click()
    assert wait_for_count(page, 24) == 24
    page.wait_for_function(
        "document.querySelectorAll('[data-cy=looker]').length == 24", timeout=60_000
    )

    # sorting by class name puts astronaut first; its row shows both sides (24 + 24)
    panel.get_by_role("combobox").nth(1).click()  # after the run choice
    page.get_by_role("option", name="class name").click()
    page.wait_for_function(
        "document.querySelector('[data-cy=synthgap-classes] tbody tr td')?.innerText == "
        "'astronaut'", timeout=30_000,
    )  # fmt: skip
    rows.nth(0).locator("td").first.click()
    assert wait_for_count(page, 48) == 48
    page.wait_for_function(
        "document.querySelectorAll('[data-cy=looker]').length == 48", timeout=60_000
    )
    page.wait_for_timeout(2_000)  # the thumbnails draw after their tiles: let the picture show them
    screenshot(page, "panel_classes_astronaut")
