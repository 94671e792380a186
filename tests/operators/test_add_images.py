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
        assert run_op.triggers(first) == ["notify", "reload_dataset"]

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


def add_images_form(dataset_name: str, params: dict) -> dict:
    """The add_images form as the App resolves it: {name: (view class, label)} of its lines."""
    from fiftyone.operators.executor import ExecutionContext
    from fiftyone.operators.registry import OperatorRegistry

    operator = OperatorRegistry().get_operator("@synthgap/synthgap/add_images")
    ctx = ExecutionContext(request_params={"dataset_name": dataset_name, "params": params})
    form = operator.resolve_input(ctx).type
    return {
        name: (type(prop.view).__name__, getattr(prop.view, "label", None))
        for name, prop in form.properties.items()
    }


def test_the_first_import_reads_as_done_after_the_app_reopens_the_form(
    run_op, dataset_name, tiny_demo
):
    """The App rebuilds its page when an empty dataset gets samples, and re-resolves the form
    of the operator it just ran: that form once said all 512 images "will be skipped"."""
    fo.Dataset(dataset_name)
    n_real = len(list_images(tiny_demo["real"]))
    params = {"source": tiny_demo["real"], "domain": "real"}
    before = add_images_form(dataset_name, params)
    assert before["found"] == ("Notice", f"{n_real} images found")
    result = run_op("add_images", dataset_name, params)
    assert run_op.triggers(result) == ["notify", "reload_dataset"]
    assert run_op.trigger_params(result, "notify") == {
        "message": f"Added {n_real} real images", "variant": "success"
    }  # fmt: skip
    after = add_images_form(dataset_name, params)
    assert after["found"] == (
        "Success", f"Imported: all {n_real} images found are in the dataset, marked real"
    )  # fmt: skip
    assert "skipped" not in str(after)
    other = add_images_form(dataset_name, {**params, "domain": "synthetic"})
    assert other["found"] == (
        "Notice", f"Nothing to add: all {n_real} images found are in the dataset ({n_real} real)"
    )  # fmt: skip


def test_a_relative_folder_is_taken_from_the_home_folder(run_op, dataset_name, tiny_demo):
    import os

    fo.Dataset(dataset_name)
    relative = os.path.relpath(tiny_demo["real"], os.path.expanduser("~"))
    form = add_images_form(dataset_name, {"source": relative, "domain": "real"})
    assert form["found"][1].startswith(f"{len(list_images(tiny_demo['real']))} images found")
    result = run_op("add_images", dataset_name, {"source": relative, "domain": "real"})
    assert result.result["added"] == len(list_images(tiny_demo["real"]))
