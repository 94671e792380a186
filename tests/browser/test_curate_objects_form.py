"""The curate form in the real App on a run on objects: it says images are judged by their
objects, previews how many images would go and why, follows the share of bad objects an image
may hold, and Execute tags the images it previewed."""

from __future__ import annotations

import time

import pytest
from app_helpers import open_dataset, screenshot
from object_data import N_BROKEN, broken_object_run
from test_operators import choose_execute, open_operator

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DATASET = "browser-curate-objects"
RUN = "objects"


@pytest.fixture(scope="module")
def object_run(tmp_path_factory):
    import fiftyone as fo

    yield broken_object_run(str(tmp_path_factory.mktemp("curate-objects")), DATASET, RUN)
    fo.delete_dataset(DATASET)


def test_the_preview_judges_images_by_their_objects(page, app_url, object_run):
    import fiftyone as fo
    from playwright.sync_api import expect

    from fiftyone_plugin.core.curation import CurationConfig
    from fiftyone_plugin.fo.curation import plan_curation

    default = plan_curation(object_run, RUN).preview()
    strict = CurationConfig(low_realism_fraction=0.1)
    tolerant = CurationConfig(low_realism_fraction=0.1, max_bad_object_share=0.5)
    strict, tolerant = (
        plan_curation(object_run, RUN, config=c).preview() for c in (strict, tolerant)
    )
    n = default["n_synthetic"]
    assert default["dropped"]["degenerate"] == N_BROKEN
    assert tolerant["n_kept"] > strict["n_kept"]

    open_dataset(page, app_url, DATASET)
    modal = open_operator(page, "Curate synthetic samples")
    expect(modal).to_contain_text(f"Would keep {default['n_kept']} of {n} synthetic images",
                                  timeout=60_000)  # fmt: skip
    expect(modal).to_contain_text("each synthetic image is kept or dropped whole")
    expect(modal).to_contain_text(f"{N_BROKEN} a blank or noise box")

    modal.get_by_label("Drop images holding one of the least realistic objects").check()
    expect(modal).to_contain_text(f"Would keep {strict['n_kept']} of {n} synthetic images",
                                  timeout=60_000)  # fmt: skip
    share = modal.get_by_text("Bad objects an image may hold").locator("xpath=following::input[1]")
    share.fill("50")
    expect(modal).to_contain_text(f"Would keep {tolerant['n_kept']} of {n} synthetic images",
                                  timeout=60_000)  # fmt: skip
    expect(modal).to_contain_text("more than 50% of their objects are judged")
    modal.get_by_text("Would keep").scroll_into_view_if_needed()
    screenshot(page, "curate_objects_preview")
    assert not [t for t in fo.load_dataset(DATASET).distinct("tags") if "curat" in t]

    choose_execute(modal)
    output = modal.page.get_by_role("dialog").filter(has_text="Kept:")
    expect(output).to_contain_text("synthetic images, judged by their", timeout=120_000)
    deadline = time.time() + 60
    while len(fo.load_dataset(DATASET).match_tags(f"{RUN}_curated")) != tolerant["n_kept"]:
        assert time.time() < deadline, "the kept images were not tagged"
        time.sleep(1)
