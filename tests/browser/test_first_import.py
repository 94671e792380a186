"""The first import into an empty dataset, in the real App: the result of "Add real or synthetic
images" stays on screen (it does not turn back into the form saying every image "will be
skipped"), and the grid shows the new samples."""

from __future__ import annotations

import pytest
from app_helpers import screenshot
from test_operators import choose_execute

from fiftyone_plugin.fo.samples import list_images

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DATASET = "browser-first-import"


@pytest.fixture
def empty_dataset():
    import fiftyone as fo

    if fo.dataset_exists(DATASET):
        fo.delete_dataset(DATASET)
    dataset = fo.Dataset(DATASET, persistent=True)
    yield dataset
    fo.delete_dataset(DATASET)


def test_the_first_import_shows_its_result(page, app_url, empty_dataset, tiny_demo):
    from playwright.sync_api import expect

    n_real = len(list_images(tiny_demo["real"]))
    page.goto(f"{app_url}/datasets/{DATASET}")
    expect(page.get_by_text("No samples yet")).to_be_visible(timeout=60_000)
    dismiss = page.get_by_text("Dismiss")
    if dismiss.count():
        dismiss.first.click()
    page.locator("body").press("`")  # the empty-dataset page has no operator button
    label = "Add real or synthetic images"
    page.locator("[data-cy=operators-browser-search]").fill(label)
    page.locator("[data-cy=operators-browser]").get_by_text(label, exact=True).click()
    modal = page.locator("[data-cy=operators-prompt-modal]")
    modal.get_by_role("textbox").first.fill(tiny_demo["real"])
    expect(modal).to_contain_text(f"{n_real} images found", timeout=60_000)
    choose_execute(modal)
    expect(page.get_by_text(f"Added {n_real} real images")).to_be_visible(timeout=120_000)
    page.locator("[data-cy=fo-grid]").wait_for()  # the App rebuilt its page around the grid
    page.wait_for_timeout(3_000)
    screenshot(page, "first-import-result")
    assert empty_dataset.count() == n_real
    if modal.count():  # the App re-opened the form: it says the import is done
        expect(modal).to_contain_text(
            f"Imported: all {n_real} images found are in the dataset, marked real"
        )
        expect(modal).not_to_contain_text("will be skipped")
