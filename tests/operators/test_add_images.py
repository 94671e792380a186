"""add_images: a folder or glob into the current dataset as real or synthetic samples."""

from __future__ import annotations

import fiftyone as fo
import labeled_data as LD
import pytest

from fiftyone_plugin.fo.samples import list_images


@pytest.mark.parametrize("delegated", [False, True], ids=["immediate", "delegated"])
def test_adds_a_folder_then_skips_the_files_already_there(
    run_op, dataset_name, tiny_demo, delegated
):
    fo.Dataset(dataset_name)
    n_real = len(list_images(tiny_demo["real"]))
    params = {"source": tiny_demo["real"], "domain": "real"}
    first = run_op("add_images", dataset_name, params, delegated=delegated)
    assert first.result == {"added": n_real, "existing": 0, "other_domain": 0,
                            "format": "images", "labeled": 0, "warnings": ""}  # fmt: skip
    if not delegated:
        assert run_op.triggers(first) == ["reload_dataset"]

    again = run_op(
        "add_images", dataset_name, {**params, "domain": "synthetic"}, delegated=delegated
    )
    assert again.result["added"] == 0 and again.result["existing"] == n_real
    assert again.result["other_domain"] == n_real
    dataset = fo.load_dataset(dataset_name)
    assert len(dataset) == n_real
    assert dataset.count_values("domain") == {"real": n_real}
    assert dataset.count_sample_tags() == {"real": n_real}


def test_adds_the_files_matching_a_glob_as_synthetic(run_op, dataset_name, tiny_demo):
    fo.Dataset(dataset_name)
    pattern = tiny_demo["synthetic"] + "/junk-*.png"
    result = run_op("add_images", dataset_name, {"source": pattern, "domain": "synthetic"})
    dataset = fo.load_dataset(dataset_name)
    assert result.result["added"] == len(dataset) == len(list_images(pattern)) > 0
    assert set(dataset.distinct("domain")) == {"synthetic"}
    assert all("/junk-" in p for p in dataset.values("filepath"))


def test_flags_a_missing_folder_and_one_without_images(run_op, dataset_name, tmp_path):
    fo.Dataset(dataset_name)
    missing = str(tmp_path / "nowhere")
    run_op.rejects("add_images", dataset_name, {"source": missing, "domain": "real"},
                   "Folder not found")  # fmt: skip
    (tmp_path / "notes.txt").write_text("no images here")
    run_op.rejects("add_images", dataset_name, {"source": str(tmp_path), "domain": "real"},
                   "No image files")  # fmt: skip
    run_op.rejects("add_images", dataset_name, {"source": str(tmp_path / "*.png"),
                   "domain": "real"}, "No image files")  # fmt: skip
    assert len(fo.load_dataset(dataset_name)) == 0


def test_adds_a_labeled_dataset_with_its_labels(run_op, dataset_name, tmp_path):
    fo.Dataset(dataset_name)
    root = LD.write_coco(str(tmp_path / "coco"), LD.tiny(5))
    params = {"source": root, "domain": "synthetic", "label_field": "boxes"}
    result = run_op("add_images", dataset_name, params)
    assert (result.result["format"], result.result["labeled"], result.result["added"]) == (
        "coco", 5, 5,
    )  # fmt: skip
    dataset = fo.load_dataset(dataset_name)
    assert dataset.count("boxes.detections") == 9
    broken = LD.write_coco(str(tmp_path / "broken"), LD.tiny(2))
    with open(f"{broken}/labels.json", "w") as f:
        f.write("{")
    run_op.rejects("add_images", dataset_name, {"source": broken, "domain": "real"},
                   "Could not read")  # fmt: skip
