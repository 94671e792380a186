"""Curating a run on objects on a real FiftyOne dataset: synthetic images judged by their objects
(tiny generated detection scenes, three synthetic ones with an object that did not render),
tagged, saved, exported with their labels; nothing of the user's deleted or overwritten."""

from __future__ import annotations

import json

import fiftyone as fo
import pytest
from fiftyone import ViewField as F

from fiftyone_plugin.core.curation import CurationConfig
from fiftyone_plugin.fo.curation import curate_synthetic, plan_curation

RUN = "objects"
CURATED = "objects_curated"
DEGENERATE = "objects_curation:dropped:degenerate"
FLAGGED = "objects_curation:flagged:"


def flagged_tags(dataset, field: str, prefix: str = "objects_") -> dict[str, int]:
    """The curation's label tags on the objects of ``field`` (the run's call tags left out)."""
    tags = dataset.count_label_tags(field).items()
    return {t: n for t, n in tags if t.startswith(f"{prefix}curation:flagged:")}


def broken_ids(dataset) -> set[str]:
    return set(dataset.match(F("filepath").is_in(dataset.info["broken"])).values("id"))


def test_images_are_kept_or_dropped_by_their_objects_and_keep_their_labels(object_run, tmp_path):
    synthetic = object_run.match(F("domain") == "synthetic")
    n_boxes = object_run.count("ground_truth.detections")
    plan = plan_curation(object_run, RUN)
    judged = set(plan.ids)
    assert judged <= set(synthetic.values("id")) and len(judged) >= 20
    assert (
        plan.objects["n_objects"]
        == object_run.count_values("objects_patches.detections.domain")["synthetic"]
    )
    # the three failed renders: their painted box is blank, so the whole image goes
    issues = object_run.count_values("objects_patches.detections.image_issue")
    assert issues.get("blank") == 3
    preview = plan.preview()
    assert preview["objects"]["flagged"]["degenerate"] == 3
    assert preview["dropped"]["degenerate"] == 3
    assert sum(r["n_synthetic"] for r in preview["clusters"]) == plan.objects["n_objects"]

    export = tmp_path / "coco"
    outcome = curate_synthetic(object_run, RUN, export_dir=str(export), export_format="coco")
    object_run.reload()
    assert len(object_run) == 48 and object_run.count("ground_truth.detections") == n_boxes
    assert set(object_run.match_tags(DEGENERATE).values("id")) == broken_ids(object_run)
    kept = object_run.match_tags(CURATED)
    assert set(kept.values("domain")) == {"synthetic"} and len(kept) == outcome.n_kept
    assert outcome.n_synthetic == len(judged)
    assert outcome.objects == {
        **plan.objects,
        "label_tags": [FLAGGED + "degenerate", FLAGGED + "outside-support"],
    }
    # the objects judged bad carry a label tag in the run's field (not in the user's labels)
    flagged = {r: n for r, n in plan.objects["flagged"].items()}
    assert flagged_tags(object_run, "objects_patches") == {
        FLAGGED + r: n for r, n in flagged.items()
    }
    assert object_run.count_label_tags("ground_truth") == {}
    assert outcome.n_kept == plan.result.n_kept and outcome.n_kept >= len(judged) - 6
    tagged = sum(n for t, n in object_run.count_sample_tags().items() if t.startswith("objects_c"))
    assert tagged == len(judged)  # images without a judged object stay untagged
    assert len(object_run.load_saved_view("objects-curated")) == outcome.n_kept
    # where to generate next: the cats, shown by the real images holding them
    targets = object_run.load_saved_view("objects-generation-targets")
    assert len(targets) and set(targets.values("domain")) == {"real"}
    assert outcome.targets[0]["name"] == "cat" and outcome.targets[0]["source"] == "analysis"
    assert "cat" in targets.distinct("ground_truth.detections.label")

    # the export holds every box of the kept images, from the label field the run analyzed
    coco = json.loads((export / "labels.json").read_text())
    assert len(coco["images"]) == outcome.n_kept
    assert len(coco["annotations"]) == kept.count("ground_truth.detections")
    assert {c["name"] for c in coco["categories"]} <= {"cup", "rocket"}


def test_a_share_of_bad_objects_per_image_can_be_allowed_and_the_export_keeps_labels(
    object_run, tmp_path
):
    strict = CurationConfig(low_realism_fraction=0.3)
    tolerant = CurationConfig(low_realism_fraction=0.3, max_bad_object_share=0.5)
    a, b = (
        plan_curation(object_run, RUN, config=strict),
        plan_curation(object_run, RUN, config=tolerant),
    )
    assert b.result.n_kept > a.result.n_kept  # some images had one bad object of two or three
    assert a.objects["flagged"] == b.objects["flagged"]

    outcome = curate_synthetic(object_run, RUN, 8, config=tolerant, export_dir=str(tmp_path / "fo"))
    assert outcome.export_format == "fiftyone" and outcome.n_kept <= 8
    exported = fo.Dataset.from_dir(str(tmp_path / "fo"), fo.types.FiftyOneDataset)
    kept = fo.load_dataset(object_run.name).match_tags(CURATED)
    assert len(exported) == outcome.n_kept
    assert exported.count("ground_truth.detections") == kept.count("ground_truth.detections")
    assert exported.count("objects_patches.detections") == kept.count("objects_patches.detections")
    exported.delete()


def test_a_curation_of_objects_is_replaced_only_with_overwrite_and_goes_with_its_run(object_run):
    from fiftyone_plugin.fo.manage_runs import delete_analysis, rename_analysis

    curate_synthetic(object_run, RUN, 10)
    object_run.reload()
    first = set(object_run.match_tags(CURATED).values("id"))
    with pytest.raises(ValueError, match="already has a curation"):
        curate_synthetic(object_run, RUN, 5)
    assert set(object_run.match_tags(CURATED).values("id")) == first
    assert flagged_tags(object_run, "objects_patches")[FLAGGED + "degenerate"] == 3
    curate_synthetic(object_run, RUN, 5, config=CurationConfig(drop_degenerate=False),
                     overwrite=True)  # fmt: skip
    assert 0 < len(object_run.match_tags(CURATED)) <= 5  # the earlier tags were taken off
    assert FLAGGED + "degenerate" not in flagged_tags(object_run, "objects_patches")
    n_flagged = sum(flagged_tags(object_run, "objects_patches").values())
    assert n_flagged

    rename_analysis(object_run, RUN, "boxes")
    assert len(object_run.match_tags("boxes_curated")) and not object_run.match_tags(CURATED)
    assert len(object_run.load_saved_view("boxes-generation-targets"))
    assert sum(flagged_tags(object_run, "boxes_patches", "boxes_").values()) == n_flagged
    assert not flagged_tags(object_run, "boxes_patches")  # none left under the old name
    delete_analysis(object_run, "boxes")
    assert not [t for t in object_run.distinct("tags") if "curat" in t]
    assert object_run.count("ground_truth.detections") > 0  # the user's labels stay


def test_an_object_run_without_realism_is_refused_in_one_line(object_run):
    object_run.delete_sample_field("objects_patches.detections.realism")
    with pytest.raises(ValueError, match="stored no realism on its objects") as info:
        plan_curation(object_run, RUN)
    assert "\n" not in str(info.value)
    with pytest.raises(ValueError, match="stored no realism"):
        curate_synthetic(object_run, RUN)
    assert not [t for t in object_run.distinct("tags") if "curat" in t]
