"""The panel's verdict says what to try next: when a style shift is all the analysis found (the
tiny demo without its missing photos on the real side: same content, another style), and when
the real images share a fixed layout but another model than the content model was named (digits
drawn in a frame, analyzed with efficientnet_lite0)."""

from __future__ import annotations

import os
import shutil

import pytest
from app_helpers import open_dataset, screenshot
from test_panel import PANEL, open_panel

from fiftyone_plugin.report.verdict import CONTENT_MODEL

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DATASET = "browser-panel-advice"
LAYOUT_DATASET = "browser-panel-layout-advice"


@pytest.fixture(scope="module")
def style_only(tiny_demo, tmp_path_factory):
    import fiftyone as fo

    from fiftyone_plugin.demo import MISSING
    from fiftyone_plugin.options import EmbeddingOptions
    from fiftyone_plugin.workflow import analyze_folders

    real = tmp_path_factory.mktemp("style-only-real")
    for name in os.listdir(tiny_demo["real"]):
        if not name.startswith(MISSING):
            shutil.copy(os.path.join(tiny_demo["real"], name), real)
    if fo.dataset_exists(DATASET):
        fo.delete_dataset(DATASET)
    done = analyze_folders(
        str(real), tiny_demo["synthetic"], dataset=DATASET,
        out=str(tmp_path_factory.mktemp("advice-out")), options=EmbeddingOptions(num_workers=0),
    )  # fmt: skip
    assert done.outcome.result.diagnosis["kind"] == "style-shift"
    yield fo.load_dataset(DATASET)
    fo.delete_dataset(DATASET)


def _panel_advice(page, app_url, dataset: str, shot: str) -> str:
    """The advice line of the panel on ``dataset`` (screenshot ``shot``)."""
    page.set_viewport_size({"width": 1600, "height": 1000})
    open_dataset(page, app_url, dataset)
    open_panel(page)
    panel = page.locator(f"[data-cy=panel-content-{PANEL}]")
    advice = panel.locator("[data-cy=synthgap-advice]").inner_text()
    screenshot(page, shot)
    return advice


def test_after_a_style_shift_alone_the_panel_advises_the_content_model(page, app_url, style_only):
    advice = _panel_advice(page, app_url, DATASET, "panel_advice")
    assert advice.startswith("Next: A style shift can hide missing content")
    assert f"--model {CONTENT_MODEL}" in advice


@pytest.fixture(scope="module")
def digits_named_model(tmp_path_factory):
    import fiftyone as fo
    from content_images import digit_folders

    from fiftyone_plugin.options import EmbeddingOptions
    from fiftyone_plugin.workflow import analyze_folders

    real, synthetic = digit_folders(tmp_path_factory.mktemp("layout-digits"))
    if fo.dataset_exists(LAYOUT_DATASET):
        fo.delete_dataset(LAYOUT_DATASET)
    done = analyze_folders(
        real, synthetic, dataset=LAYOUT_DATASET, out=str(tmp_path_factory.mktemp("layout-out")),
        options=EmbeddingOptions(model="efficientnet_lite0", num_workers=0),
    )  # fmt: skip
    assert done.outcome.layout_share >= 0.2
    yield fo.load_dataset(LAYOUT_DATASET)
    fo.delete_dataset(LAYOUT_DATASET)


def test_real_images_in_a_fixed_layout_get_the_content_model_advised(
    page, app_url, digits_named_model
):
    advice = _panel_advice(page, app_url, LAYOUT_DATASET, "panel_layout_advice")
    assert advice.startswith("Next: Your real images share a fixed layout (")
    assert f"--model {CONTENT_MODEL}" in advice
