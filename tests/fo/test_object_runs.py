"""Objects as units on a real FiftyOne dataset: embeddings stored on the Detection objects, a run
on objects end to end (its patches field, visualization, patches views, files, report), renamed
and deleted; bad input refused before anything is written."""

from __future__ import annotations

import csv
import json
import os

import fiftyone as fo
import pytest
from object_data import scene_pair

from fiftyone_plugin.core.config import AnalysisConfig
from fiftyone_plugin.fo import label_import as LI
from fiftyone_plugin.fo import label_sources as LS
from fiftyone_plugin.fo.fields import FieldClashError, field_meta
from fiftyone_plugin.fo.objects import compute_object_embeddings
from fiftyone_plugin.fo.samples import load_or_create_dataset
from fiftyone_plugin.label_options import LabelOptions
from fiftyone_plugin.object_options import ObjectOptions
from fiftyone_plugin.options import EmbeddingOptions
from fiftyone_plugin.report.thumbnails import thumbnail
from fiftyone_plugin.workflow import analyze_folders

SERIAL = EmbeddingOptions(num_workers=0)
FIELD = "ground_truth.detections.emb_efficientnet_lite0"


@pytest.fixture(scope="module")
def scenes(tmp_path_factory) -> dict:
    return scene_pair(str(tmp_path_factory.mktemp("scenes")), n=12)


def _imported(name: str, scenes: dict) -> fo.Dataset:
    dataset = load_or_create_dataset(name)
    for side in ("real", "synthetic"):
        LI.import_source(dataset, LS.read_source(scenes[side]), side)
    return dataset


def test_object_embeddings_live_on_their_detections(dataset_name, scenes):
    dataset = _imported(dataset_name, scenes)
    n_boxes = dataset.count("ground_truth.detections")
    done = compute_object_embeddings(dataset, "ground_truth", options=SERIAL)
    assert done.field == FIELD and done.failed == 0
    assert done.computed + done.small == n_boxes and done.computed > n_boxes // 2
    assert dataset.count(FIELD) == done.computed
    meta = field_meta(dataset, FIELD)
    assert meta == {"model": "efficientnet_lite0", "dim": 1280, "margin": 0.1, "min_size": 16}
    patches = dataset.to_patches("ground_truth").exists("ground_truth.emb_efficientnet_lite0")
    assert len(patches) == done.computed  # a patches view holds them, as FiftyOne's own do
    again = compute_object_embeddings(dataset, "ground_truth", options=SERIAL)
    assert (again.computed, again.skipped, again.small) == (0, done.computed, done.small)
    with pytest.raises(ValueError, match=r"made with margin 0.1 \(now 0.3\); pass recompute"):
        compute_object_embeddings(dataset, "ground_truth", options=SERIAL,
                                  objects=ObjectOptions(margin=0.3))  # fmt: skip
    # a user's undeclared attribute of the same name is never overwritten
    sample = dataset.first()
    sample.ground_truth.detections[0]["mine"] = [1.0, 2.0]
    sample.save()
    with pytest.raises(FieldClashError, match="already have an attribute 'mine'"):
        compute_object_embeddings(dataset, "ground_truth", field="mine", options=SERIAL)


def test_objects_need_boxes(dataset_name, tmp_path):
    from labeled_data import tiny, write_tree

    real = write_tree(str(tmp_path / "r"), tiny(30))
    synthetic = write_tree(str(tmp_path / "s"), tiny(30, seed=1))
    with pytest.raises(ValueError, match="Objects need boxes on both sides") as info:
        analyze_folders(real, synthetic, dataset=dataset_name, out=str(tmp_path / "out"),
                        objects=ObjectOptions())  # fmt: skip
    assert "\n" not in str(info.value)
    assert not fo.dataset_exists(dataset_name)  # refused before anything was written


@pytest.mark.slow
def test_a_run_on_objects_end_to_end(tmp_path_factory):
    from fiftyone_plugin.fo.manage_runs import delete_analysis, rename_analysis
    from fiftyone_plugin.fo.regions import list_regions, region_view
    from fiftyone_plugin.fo.report import stored_presentation, write_run_report
    from fiftyone_plugin.fo.runs import load_summary

    scenes = scene_pair(str(tmp_path_factory.mktemp("scenes")), n=24)
    name = "objects-e2e"
    if fo.dataset_exists(name):
        fo.delete_dataset(name)
    out = str(tmp_path_factory.mktemp("out"))
    done = analyze_folders(
        scenes["real"], scenes["synthetic"], dataset=name, out=out, options=SERIAL,
        config=AnalysisConfig(kid_subsets=5), run_key="objects", labels=LabelOptions(),
        objects=ObjectOptions(),
    )  # fmt: skip
    dataset = fo.load_dataset(name)
    outcome = done.outcome
    result = outcome.result
    n_real, n_synthetic = len(result.gap_score), len(result.realism)

    # the run's own Detections field: the analyzed boxes with their side and results
    patches = dataset.to_patches("objects_patches")
    assert patches.count_values("objects_patches.domain") == {"real": n_real,
                                                              "synthetic": n_synthetic}  # fmt: skip
    cats = patches.match(fo.ViewField("objects_patches.label") == "cat")
    assert len(cats) and set(cats.values("objects_patches.domain")) == {"real"}
    assert all(cats.values("objects_patches.class_uncovered"))  # cats: missing on one side
    assert set(cats.values("objects_patches.class_gap_region")) == {"cat/gap-1"}
    assert dataset.count("ground_truth.detections") == (
        n_real + n_synthetic + outcome.objects["n_skipped_real"]
        + outcome.objects["n_skipped_synthetic"]
    )  # fmt: skip
    assert (
        "gap_score" not in dataset.first().ground_truth.detections[0]
    )  # user's labels as they were
    # the Embeddings panel's visualization: one point per object, on the patches field
    visualization = dataset.load_brain_results("objects_umap")
    assert visualization.config.patches_field == "objects_patches"
    assert visualization.total_index_size == n_real + n_synthetic
    # saved views are patches views (the grid shows the objects)
    least = dataset.load_saved_view("objects-least-realistic")
    assert least._is_patches and len(least) == max(1, n_synthetic // 10)
    assert len(dataset.load_saved_view("objects-least-realistic-images")) >= 1
    # images carry their objects' figures, for picking images by their objects
    assert dataset.sum("objects_n_objects") == n_real + n_synthetic

    # files: objects.csv one row per object, samples.csv one row per image
    with open(done.files["objects.csv"], encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == n_real + n_synthetic
    assert {"object_id", "class", "x", "y", "width", "height", "gap_score", "realism",
            "class_gap_region"} <= set(rows[0])  # fmt: skip
    assert {r["class"] for r in rows if r["domain"] == "synthetic"} == {"cup", "rocket"}
    with open(done.files["samples.csv"], encoding="utf-8") as f:
        images = list(csv.DictReader(f))
    assert sum(int(r["n_objects"]) for r in images if r["n_objects"]) == n_real + n_synthetic
    # each image's figures fold those of its objects (objects.csv), in the file as on the dataset
    by_image: dict[str, list[dict]] = {}
    for row in rows:
        by_image.setdefault(row["filepath"], []).append(row)
    figures = ["objects_n_objects", "objects_n_uncovered_objects", "objects_min_object_realism"]
    values = dataset.values(figures)
    stored = dict(zip(dataset.values("filepath"), zip(*values, strict=True), strict=True))
    assert len(images) == len(by_image) and {r["domain"] for r in images} == {"real", "synthetic"}
    for image in images:
        objects, real = by_image[image["filepath"]], image["domain"] == "real"
        realism = [float(o["realism"]) for o in objects if o["realism"]]
        n_uncovered = sum(o["uncovered"] == "True" for o in objects) if real else None
        low = None if real or not realism else min(realism)
        assert int(image["n_objects"]) == len(objects)
        assert image["n_uncovered_objects"] == ("" if n_uncovered is None else str(n_uncovered))
        assert (image["min_object_realism"] == "") == (low is None)
        if low is not None:
            assert float(image["min_object_realism"]) == pytest.approx(low)
        n, uncovered, least = stored[image["filepath"]]
        assert (n, uncovered) == (len(objects), n_uncovered)
        assert least == (None if low is None else pytest.approx(low))
    with open(done.files["metrics.json"], encoding="utf-8") as f:
        metrics = json.load(f)
    assert metrics["objects"]["field"] == "objects_patches" and metrics["n_real"] == n_real
    html = open(done.files["report.html"], encoding="utf-8").read()
    cat_region = next(r for r in outcome.class_regions if r["name"] == "cat/gap-1")
    crop = thumbnail(cat_region["representative_filepaths"][0],
                     box=cat_region["representative_boxes"][0])  # fmt: skip
    assert crop in html  # the gallery shows the object, cut from its image
    assert thumbnail(cat_region["representative_filepaths"][0]) not in html

    # the stored run reads back through its patches (panel, regions, stored report)
    shown = stored_presentation(dataset, "objects")
    assert len(shown.realism["counts"]) and sum(shown.realism["counts"]) == n_synthetic
    for region in list_regions(dataset, "objects"):
        assert region_view(dataset, "objects", region.key)._is_patches
    report = write_run_report(name, "objects", os.path.join(out, "again.html"))
    assert "cat/gap-1" in open(report, encoding="utf-8").read()

    # renamed: its field, visualization and views follow; deleted: only what it wrote goes
    rename_analysis(dataset, "objects", "boxes")
    assert load_summary(dataset, "boxes")["objects"]["field"] == "boxes_patches"
    assert dataset.load_brain_results("boxes_umap").config.patches_field == "boxes_patches"
    assert dataset.load_saved_view("boxes-least-realistic")._is_patches
    assert not dataset.has_sample_field("objects_patches")
    delete_analysis(dataset, "boxes")
    assert not dataset.has_sample_field("boxes_patches")
    assert not dataset.has_sample_field("boxes_n_objects")
    assert dataset.has_sample_field(FIELD) and dataset.count(FIELD) == n_real + n_synthetic
    skipped = [v is None for v in dataset.values(FIELD, unwind=True)]
    assert (
        sum(skipped) == outcome.objects["n_skipped_real"] + outcome.objects["n_skipped_synthetic"]
    )
