"""Labeled datasets in through FiftyOne's importers, and labels back out, on tiny written data."""

from __future__ import annotations

import json
import os

import fiftyone as fo
import labeled_data as LD
import numpy as np
import pytest

from fiftyone_plugin.fo import label_import as LI
from fiftyone_plugin.fo import label_sources as LS
from fiftyone_plugin.fo import labels as L
from fiftyone_plugin.fo.samples import load_or_create_dataset

DETECTION_FORMATS = ("coco", "yolov5", "yolov4", "voc")


@pytest.mark.parametrize("fmt", ["tree", *DETECTION_FORMATS])
def test_each_format_is_detected_and_read(tmp_path, fmt):
    t = LD.tiny(6)
    root = LD.WRITERS[fmt](str(tmp_path / fmt), t)
    assert LS.detect_format(root) == fmt
    source = LS.read_source(root)
    assert source.format == fmt and len(source.paths) == 6 and source.n_labeled == 6
    assert source.warnings == []
    first = source.labels[source.paths.index(next(p for p in source.paths if "img0_00" in p))]
    if fmt == "tree":
        assert isinstance(first, fo.Classification) and first.label == "car"
    else:
        assert isinstance(first, fo.Detections)
        assert [d.label for d in first.detections] == ["car"]
        assert np.allclose(first.detections[0].bounding_box, [0.1, 0.1, 0.3, 0.4], atol=0.02)


def test_plain_folders_and_globs_stay_unlabeled(tmp_path):
    LD.write_tree(str(tmp_path / "t"), LD.tiny(4))
    assert LS.detect_format(str(tmp_path / "t" / "car")) == "images"
    assert LS.detect_format(str(tmp_path / "t" / "*" / "*.png")) == "images"
    source = LS.read_source(str(tmp_path / "t"), "images")
    assert source.labels is None and len(source.paths) == 4


def test_coco_json_file_and_annotations_layout(tmp_path):
    t = LD.tiny(3)
    LD.write_coco(str(tmp_path / "a"), t, data="images", labels="annotations/instances.json")
    assert LS.read_source(str(tmp_path / "a")).n_labeled == 3
    source = LS.read_source(str(tmp_path / "a" / "annotations" / "instances.json"))
    assert source.format == "coco" and source.n_labeled == 3


def test_missing_images_are_skipped_and_unlisted_ones_kept_unlabeled(tmp_path):
    root = LD.write_coco(str(tmp_path / "c"), LD.tiny(4))
    os.remove(os.path.join(root, "data", "img0_01.png"))
    LD.write_tree(str(tmp_path / "extra"), LD.tiny(1, seed=9))
    os.replace(tmp_path / "extra" / "car" / "img9_00.png", os.path.join(root, "data", "new.png"))
    source = LS.read_source(root)
    assert len(source.paths) == 4 and source.n_labeled == 3
    assert any(
        "1 image(s) named in the coco labels" in w and "skipped" in w for w in source.warnings
    )
    assert any("1 of 4 images" in w and "no label" in w for w in source.warnings)


def test_yolo_images_without_label_files_are_unlabeled(tmp_path):
    root = LD.write_yolov5(str(tmp_path / "y"), LD.tiny(3))
    os.remove(os.path.join(root, "labels", "val", "img0_02.txt"))
    source = LS.read_source(root)
    assert len(source.paths) == 3 and source.n_labeled == 2


@pytest.mark.parametrize(
    "breakage, match",
    [
        ("json", "Could not read .* as coco"),
        ("format", "Unknown label format 'kitti'"),
        ("folder", "Folder not found"),
        ("images", "are in none of"),
    ],
)
def test_bad_label_sources_get_one_line_errors(tmp_path, breakage, match):
    root = LD.write_coco(str(tmp_path / "c"), LD.tiny(2))
    fmt = "auto"
    if breakage == "json":
        with open(os.path.join(root, "labels.json"), "w") as f:
            f.write(
                '{"images": [{"id": 1, "file_name": "img0_00.png"}], "annotations": [{"bbox": 3'
            )
    elif breakage == "format":
        fmt = "kitti"
    elif breakage == "folder":
        root = str(tmp_path / "nowhere")
    else:
        os.rename(os.path.join(root, "data"), os.path.join(root, "pictures"))
    with pytest.raises(ValueError, match=match) as info:
        LS.read_source(root, fmt)
    assert "\n" not in str(info.value)


def test_detections_import_and_read_back_as_objects(dataset_name, tmp_path):
    dataset = load_or_create_dataset(dataset_name)
    real = LS.read_source(LD.write_coco(str(tmp_path / "r"), LD.tiny(6)))
    synthetic = LS.read_source(LD.write_voc(str(tmp_path / "s"), LD.tiny(6, seed=1, scale=0.5)))
    assert LI.import_source(dataset, real, "real").added == 6
    assert LI.import_source(dataset, synthetic, "synthetic").added == 6
    assert LI.import_source(dataset, real, "real").added == 0  # rerun: nothing new
    assert L.label_fields(dataset) == ["ground_truth"]
    ids = dataset.match({"domain": "real"}).values("id")
    labels = L.read_labels(dataset, "ground_truth", ids, class_map={"bus": "vehicle"})
    assert labels.kind == "detection" and len(labels.objects) == 12
    assert set(labels.objects.label) == {"car", "person", "vehicle"}
    assert np.allclose(labels.objects.image_size, [[64, 48]] * 6)
    assert labels.classes[0] == "car"
    assert list(labels.objects.ids) == [d for ds in dataset.select(ids, ordered=True).values(
        "ground_truth.detections.id") for d in ds]  # fmt: skip


def test_existing_labels_are_kept_and_empty_ones_filled(dataset_name, tmp_path):
    dataset = load_or_create_dataset(dataset_name)
    source = LS.read_source(LD.write_tree(str(tmp_path / "t"), LD.tiny(4)))
    LI.import_source(dataset, LS.LabeledSource(source.path, "images", source.paths), "real")
    first = dataset.first()
    first["ground_truth"] = fo.Classification(label="edited")
    first.save()
    LI.import_source(dataset, source, "real")
    values = dict(zip(*dataset.values(["filepath", "ground_truth.label"]), strict=True))
    assert values[first.filepath] == "edited"
    assert sum(v is not None for v in values.values()) == 4


def test_a_label_field_of_another_kind_is_refused(dataset_name, tmp_path):
    dataset = load_or_create_dataset(dataset_name)
    LI.import_source(
        dataset, LS.read_source(LD.write_tree(str(tmp_path / "t"), LD.tiny(3))), "real"
    )
    coco = LS.read_source(LD.write_coco(str(tmp_path / "c"), LD.tiny(3, seed=2)))
    with pytest.raises(ValueError, match="holds Classification values but .* has Detections"):
        LI.import_source(dataset, coco, "synthetic")
    assert len(dataset) == 3
    with pytest.raises(ValueError, match="label field must hold .* use one of ground_truth"):
        L.read_labels(dataset, "filepath", dataset.values("id"))


def test_class_map_file_round_trip(tmp_path):
    from fiftyone_plugin.core.labels import read_class_map

    path = tmp_path / "map.json"
    path.write_text(json.dumps({"person": "pedestrian"}))
    assert read_class_map(str(path)) == {"person": "pedestrian"}


def test_a_label_file_without_labels_is_read_unlabeled_with_a_warning(tmp_path):
    root = LD.write_coco(str(tmp_path / "c"), LD.tiny(4))
    with open(os.path.join(root, "labels.json")) as f:
        doc = json.load(f)
    doc["annotations"] = []
    with open(os.path.join(root, "labels.json"), "w") as f:
        json.dump(doc, f)
    source = LS.read_source(root)
    assert len(source.paths) == 4 and source.n_labeled == 0
    assert any(w.startswith("No labels found") and "unlabeled" in w for w in source.warnings)


def test_an_empty_label_field_on_one_side_is_a_one_line_error_and_writes_nothing(
    dataset_name, tmp_path
):
    from fiftyone_plugin.core.config import AnalysisConfig
    from fiftyone_plugin.fo.analysis import analyze

    dataset = load_or_create_dataset(dataset_name)
    real = LS.read_source(LD.write_tree(str(tmp_path / "r"), LD.tiny(30)))
    synthetic = LS.read_source(LD.write_tree(str(tmp_path / "s"), LD.tiny(30, seed=1)), "images")
    LI.import_source(dataset, real, "real")
    LI.import_source(dataset, synthetic, "synthetic")
    vectors = np.random.default_rng(0).normal(size=(len(dataset), 16)).astype(np.float32)
    dataset.set_values("emb_test", [v for v in vectors])
    fields = set(dataset.get_field_schema())
    with pytest.raises(ValueError, match="'ground_truth' is empty on every synthetic sample") as e:
        analyze(dataset, "emb_test", label_field="ground_truth",
                config=AnalysisConfig(project=False, kid_subsets=5))  # fmt: skip
    assert "\n" not in str(e.value)
    dataset.reload()
    assert set(dataset.get_field_schema()) == fields and dataset.list_runs() == []
    assert dataset.count("ground_truth") == 30  # the real labels are kept
