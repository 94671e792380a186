"""`synthgap analyze` on digits drawn in a frame: the run measures how much of the real images'
pixel variance is a fixed layout, stores it, and the summary advises the content model; on the
photo demo it does not (tests/test_cli.py: no `next` line)."""

from __future__ import annotations

import json
import os

import fiftyone as fo
import numpy as np
import pytest
from PIL import Image

from fiftyone_plugin.cli import main
from fiftyone_plugin.defaults import CONTENT_MODEL

pytestmark = pytest.mark.slow  # embeds 160 images


def _write_digits(folder, images: np.ndarray, tint: bool) -> str:
    os.makedirs(folder)
    for i, digit in enumerate(images):
        grey = np.pad(255 - digit * 255 / 16, 2).astype(np.uint8)  # dark ink on paper
        rgb = np.repeat(grey[..., None], 3, axis=2).astype(np.float64)
        if tint:  # a renderer's warm cast
            rgb = np.clip(rgb * (1.0, 0.9, 0.75) + (10, 0, 0), 0, 255)
        Image.fromarray(rgb.astype(np.uint8)).resize((64, 64), Image.BICUBIC).save(
            os.path.join(folder, f"{i:03d}.png")
        )
    return str(folder)


def test_digits_in_a_frame_are_advised_the_content_model(tmp_path, dataset_name, capsys):
    from sklearn.datasets import load_digits

    digits = load_digits().images
    real = _write_digits(tmp_path / "real", digits[:80], tint=False)
    synthetic = _write_digits(tmp_path / "synthetic", digits[80:160], tint=True)
    out = tmp_path / "out"
    code = main(["analyze", "--real", real, "--synthetic", synthetic, "--dataset", dataset_name,
                 "--out", str(out), "--num-workers", "0"])  # fmt: skip
    assert code == 0
    printed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("next")]
    assert len(printed) == 1 and "Your real images share a fixed layout (" in printed[0]
    assert f"--model {CONTENT_MODEL}" in printed[0]
    with open(out / "metrics.json", encoding="utf-8") as f:
        share = json.load(f)["layout_share"]
    assert 0.2 <= share <= 1.0
    dataset = fo.load_dataset(dataset_name)
    assert dataset.get_run_info("synthgap") is not None
    assert dataset.load_run_results("synthgap").summary["layout_share"] == pytest.approx(share)
