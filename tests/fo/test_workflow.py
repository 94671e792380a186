"""workflow.analyze_samples, the embed-then-analyze step both the operators and the command line
(analyze_folders) go through: its options reach the embedding and the analysis, and a clash is
refused before anything is embedded."""

from __future__ import annotations

import fiftyone as fo
import pytest
from PIL import Image

from fiftyone_plugin.core.config import AnalysisConfig
from fiftyone_plugin.fo.fields import FieldClashError
from fiftyone_plugin.fo.runs import list_analyses
from fiftyone_plugin.fo.samples import import_images, list_images, load_or_create_dataset
from fiftyone_plugin.options import EmbeddingOptions
from fiftyone_plugin.workflow import analyze_samples

FIELD = "emb_efficientnet_lite0"
FAST = AnalysisConfig(project=False, seed=0)
SERIAL = EmbeddingOptions(num_workers=0)


@pytest.fixture
def demo_dataset(dataset_name, tiny_demo, tmp_path):
    """22 real and 6 synthetic demo images, plus one real image of 100 x 100 pixels."""
    big = tmp_path / "big.png"
    Image.open(list_images(tiny_demo["real"])[0]).resize((100, 100)).save(big)
    dataset = load_or_create_dataset(dataset_name)
    import_images(dataset, list_images(tiny_demo["real"])[:22] + [str(big)], "real")
    import_images(dataset, list_images(tiny_demo["synthetic"])[:6], "synthetic")
    return dataset, str(big)


def test_a_clash_is_refused_before_anything_is_embedded(demo_dataset):
    dataset, _ = demo_dataset
    dataset.save_view("synthgap-uncovered", dataset.limit(2))
    with pytest.raises(FieldClashError, match="saved view 'synthgap-uncovered'"):
        analyze_samples(dataset, options=SERIAL, config=FAST)
    dataset.reload()
    assert not dataset.has_sample_field(FIELD) and list_analyses(dataset) == []


@pytest.mark.slow
def test_max_pixels_and_recompute_reach_the_embedding(demo_dataset):
    dataset, big = demo_dataset
    first = analyze_samples(dataset, options=SERIAL.replace(max_pixels=64 * 64), config=FAST)
    assert big not in first.table.filepaths
    assert "decompression bomb" in dataset.select_by("filepath", [big]).first()["load_error"]

    again = analyze_samples(dataset, options=SERIAL, config=FAST, overwrite=True)
    assert big not in again.table.filepaths  # a failed file is not retried by default

    done = analyze_samples(
        dataset,
        options=SERIAL.replace(precision="fp32"),
        config=FAST,
        overwrite=True,
        recompute=True,
    )
    assert big in done.table.filepaths and len(done.table.filepaths) == len(dataset)
    assert dataset.select_by("filepath", [big]).first()["load_error"] is None
    assert list_analyses(dataset) == ["synthgap"]
    assert isinstance(dataset.select_by("filepath", [big]).first()["gap_score"], float)
    assert fo.load_dataset(dataset.name).get_field(FIELD).info["synthgap"]["dim"] == 1280
