"""The curate form in the real App previews what would be kept before anything is tagged, the
preview follows the options as they change, and more than a third dropped shows a warning."""

from __future__ import annotations

import re
import time

import pytest
from app_helpers import open_dataset, screenshot
from test_operators import choose_execute, open_operator

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DATASET = "browser-curate-preview"


def test_the_preview_follows_the_options_and_warns_before_tagging(page, app_url, analyzed_demo):
    import fiftyone as fo
    from playwright.sync_api import expect

    from fiftyone_plugin.core.curation import CurationConfig
    from fiftyone_plugin.fo.curation import plan_curation

    dataset = analyzed_demo
    default = plan_curation(dataset).preview()
    tenth = plan_curation(dataset, config=CurationConfig(low_realism_fraction=0.1)).preview()
    harsh = plan_curation(dataset, config=CurationConfig(low_realism_fraction=0.6)).preview()
    n = default["n_synthetic"]
    assert harsh["warning"] and not default["warning"] and harsh["n_kept"] < default["n_kept"]

    open_dataset(page, app_url, DATASET)
    modal = open_operator(page, "Curate synthetic samples")
    expect(modal).to_contain_text(
        f"Would keep {default['n_kept']} of {n} synthetic", timeout=60_000
    )
    expect(modal).not_to_contain_text("would be dropped")

    modal.get_by_label("Drop the least realistic samples").check()  # 10 % by default
    expect(modal).to_contain_text(f"Would keep {tenth['n_kept']} of {n} synthetic", timeout=60_000)
    percent = modal.get_by_text("Least realistic percent").locator("xpath=following::input[1]")
    percent.fill("60")
    expect(modal).to_contain_text(f"Would keep {harsh['n_kept']} of {n} synthetic", timeout=60_000)
    expect(modal).to_contain_text(re.compile(r"\d+% of the synthetic samples would be dropped"))
    modal.get_by_text("would be dropped").scroll_into_view_if_needed()
    screenshot(page, "curate_preview_warning")
    dataset.reload()
    assert "curated" not in dataset.count_sample_tags()  # nothing tagged by the preview

    choose_execute(modal)  # a warning, not a block
    # the result ("182 of 190 synthetic samples (budget 190)"), then the tags in the database
    output = modal.page.get_by_role("dialog").filter(has_text="Kept:")  # after the progress bar
    expect(output).to_contain_text("(budget", timeout=120_000)
    deadline = time.time() + 60
    while len(fo.load_dataset(DATASET).match_tags("curated")) != harsh["n_kept"]:
        assert time.time() < deadline, "the kept samples were not tagged"
        time.sleep(1)
