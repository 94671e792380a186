"""`synthgap analyze` on digits drawn in a frame: the run measures how much of the real images'
pixel variance is a fixed layout and stores it; the default model choice ("auto") then takes the
content model, and a run with another model is advised it. The photo demo keeps
efficientnet_lite0 and no advice (tests/test_cli.py)."""

from __future__ import annotations

import json

import fiftyone as fo
import pytest
from content_images import digit_folders as write_digit_folders

from fiftyone_plugin.cli import main
from fiftyone_plugin.defaults import CONTENT_MODEL

pytestmark = pytest.mark.slow  # embeds 160 images


@pytest.fixture
def digit_folders(tmp_path) -> tuple[str, str]:
    return write_digit_folders(tmp_path)


def _analyze(folders, dataset_name, out, *extra) -> dict:
    args = ["analyze", "--real", folders[0], "--synthetic", folders[1], "--dataset",
            dataset_name, "--out", str(out), "--num-workers", "0", *extra]  # fmt: skip
    assert main(args) == 0
    with open(out / "metrics.json", encoding="utf-8") as f:
        return json.load(f)


def test_digits_in_a_frame_get_the_content_model_by_default(digit_folders, dataset_name,
                                                            tmp_path, capsys):  # fmt: skip
    document = _analyze(digit_folders, dataset_name, tmp_path / "out")
    assert document["model"] == CONTENT_MODEL and 0.2 <= document["layout_share"] <= 1.0
    printed = capsys.readouterr()
    assert not [line for line in printed.out.splitlines() if line.startswith("next")]
    assert f"model {CONTENT_MODEL}: the real images have a fixed layout (" in printed.err
    dataset = fo.load_dataset(dataset_name)
    assert dataset.has_sample_field(f"emb_{CONTENT_MODEL}")
    summary = dataset.load_run_results("synthgap").summary
    assert summary["layout_share"] == pytest.approx(document["layout_share"])


def test_another_model_on_digits_is_advised_the_content_model(digit_folders, dataset_name,
                                                              tmp_path, capsys):  # fmt: skip
    document = _analyze(digit_folders, dataset_name, tmp_path / "out",
                        "--model", "efficientnet_lite0")  # fmt: skip
    assert document["model"] == "efficientnet_lite0"
    printed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("next")]
    assert len(printed) == 1 and "Your real images share a fixed layout (" in printed[0]
    assert f"--model {CONTENT_MODEL}" in printed[0]
