"""Curating a run on objects on a real FiftyOne dataset: synthetic images judged by their objects
(tiny generated detection scenes, three synthetic ones with an object that did not render),
tagged, saved, exported with their labels; nothing of the user's deleted or overwritten."""

from __future__ import annotations

import json

import fiftyone as fo
import pytest
from fiftyone import ViewField as F
from object_data import broken_object_run

from fiftyone_plugin.core.curation import CurationConfig
from fiftyone_plugin.fo.curation import curate_synthetic, plan_curation

RUN = "objects"
CURATED = "objects_curated"
DEGENERATE = "objects_curation:dropped:degenerate"
FLAGGED = "objects_curation:flagged:"


@pytest.fixture(scope="module")
def object_run(tmp_path_factory):
    dataset = broken_object_run(str(tmp_path_factory.mktemp("scenes")), "objcur-base", RUN)
    yield dataset
    dataset.delete()


@pytest.fixture
def curated(object_run, dataset_name):
    return object_run.clone(dataset_name)


def flagged_tags(dataset, field: str, prefix: str = "objects_") -> dict[str, int]:
    """The curation's label tags on the objects of ``field`` (the run's call tags left out)."""
    tags = dataset.count_label_tags(field).items()
    return {t: n for t, n in tags if t.startswith(f"{prefix}curation:flagged:")}


def broken_ids(dataset) -> set[str]:
    return set(dataset.match(F("filepath").is_in(dataset.info["broken"])).values("id"))


def test_images_are_kept_or_dropped_by_their_objects_and_keep_their_labels(curated, tmp_path):
    synthetic = curated.match(F("domain") == "synthetic")
    n_boxes = curated.count("ground_truth.detections")
    plan = plan_curation(curated, RUN)
    judged = set(plan.ids)
    assert judged <= set(synthetic.values("id")) and len(judged) >= 20
    assert (
        plan.objects["n_objects"]
        == curated.count_values("objects_patches.detections.domain")["synthetic"]
    )
    # the three failed renders: their painted box is blank, so the whole image goes
    issues = curated.count_values("objects_patches.detections.image_issue")
    assert issues.get("blank") == 3
    preview = plan.preview()
    assert preview["objects"]["flagged"]["degenerate"] == 3
    assert preview["dropped"]["degenerate"] == 3
    assert sum(r["n_synthetic"] for r in preview["clusters"]) == plan.objects["n_objects"]

    export = tmp_path / "coco"
    outcome = curate_synthetic(curated, RUN, export_dir=str(export), export_format="coco")
    curated.reload()
    assert len(curated) == 48 and curated.count("ground_truth.detections") == n_boxes
    assert set(curated.match_tags(DEGENERATE).values("id")) == broken_ids(curated)
    kept = curated.match_tags(CURATED)
    assert set(kept.values("domain")) == {"synthetic"} and len(kept) == outcome.n_kept
    assert outcome.n_synthetic == len(judged)
    assert outcome.objects == {
        **plan.objects,
        "label_tags": [FLAGGED + "degenerate", FLAGGED + "outside-support"],
    }
    # the objects judged bad carry a label tag in the run's field (not in the user's labels)
    flagged = {r: n for r, n in plan.objects["flagged"].items()}
    assert flagged_tags(curated, "objects_patches") == {FLAGGED + r: n for r, n in flagged.items()}
    assert curated.count_label_tags("ground_truth") == {}
    assert outcome.n_kept == plan.result.n_kept and outcome.n_kept >= len(judged) - 6
    tagged = sum(n for t, n in curated.count_sample_tags().items() if t.startswith("objects_c"))
    assert tagged == len(judged)  # images without a judged object stay untagged
    assert len(curated.load_saved_view("objects-curated")) == outcome.n_kept
    # where to generate next: the cats, shown by the real images holding them
    targets = curated.load_saved_view("objects-generation-targets")
    assert len(targets) and set(targets.values("domain")) == {"real"}
    assert outcome.targets[0]["name"] == "cat" and outcome.targets[0]["source"] == "analysis"
    assert "cat" in targets.distinct("ground_truth.detections.label")

    # the export holds every box of the kept images, from the label field the run analyzed
    coco = json.loads((export / "labels.json").read_text())
    assert len(coco["images"]) == outcome.n_kept
    assert len(coco["annotations"]) == kept.count("ground_truth.detections")
    assert {c["name"] for c in coco["categories"]} <= {"cup", "rocket"}


def test_a_share_of_bad_objects_per_image_can_be_allowed_and_the_export_keeps_labels(
    curated, tmp_path
):
    strict = CurationConfig(low_realism_fraction=0.3)
    tolerant = CurationConfig(low_realism_fraction=0.3, max_bad_object_share=0.5)
    a, b = plan_curation(curated, RUN, config=strict), plan_curation(curated, RUN, config=tolerant)
    assert b.result.n_kept > a.result.n_kept  # some images had one bad object of two or three
    assert a.objects["flagged"] == b.objects["flagged"]

    outcome = curate_synthetic(curated, RUN, 8, config=tolerant, export_dir=str(tmp_path / "fo"))
    assert outcome.export_format == "fiftyone" and outcome.n_kept <= 8
    exported = fo.Dataset.from_dir(str(tmp_path / "fo"), fo.types.FiftyOneDataset)
    kept = fo.load_dataset(curated.name).match_tags(CURATED)
    assert len(exported) == outcome.n_kept
    assert exported.count("ground_truth.detections") == kept.count("ground_truth.detections")
    assert exported.count("objects_patches.detections") == kept.count("objects_patches.detections")
    exported.delete()


def test_a_curation_of_objects_is_replaced_only_with_overwrite_and_goes_with_its_run(curated):
    from fiftyone_plugin.fo.manage_runs import delete_analysis, rename_analysis

    curate_synthetic(curated, RUN, 10)
    curated.reload()
    first = set(curated.match_tags(CURATED).values("id"))
    with pytest.raises(ValueError, match="already has a curation"):
        curate_synthetic(curated, RUN, 5)
    assert set(curated.match_tags(CURATED).values("id")) == first
    assert flagged_tags(curated, "objects_patches")[FLAGGED + "degenerate"] == 3
    curate_synthetic(curated, RUN, 5, config=CurationConfig(drop_degenerate=False),
                     overwrite=True)  # fmt: skip
    assert 0 < len(curated.match_tags(CURATED)) <= 5  # the earlier tags were taken off
    assert FLAGGED + "degenerate" not in flagged_tags(curated, "objects_patches")
    n_flagged = sum(flagged_tags(curated, "objects_patches").values())
    assert n_flagged

    rename_analysis(curated, RUN, "boxes")
    assert len(curated.match_tags("boxes_curated")) and not curated.match_tags(CURATED)
    assert len(curated.load_saved_view("boxes-generation-targets"))
    assert sum(flagged_tags(curated, "boxes_patches", "boxes_").values()) == n_flagged
    assert not flagged_tags(curated, "boxes_patches")  # none left under the old name
    delete_analysis(curated, "boxes")
    assert not [t for t in curated.distinct("tags") if "curat" in t]
    assert curated.count("ground_truth.detections") > 0  # the user's labels stay


def test_an_object_run_without_realism_is_refused_in_one_line(curated):
    curated.delete_sample_field("objects_patches.detections.realism")
    with pytest.raises(ValueError, match="stored no realism on its objects") as info:
        plan_curation(curated, RUN)
    assert "\n" not in str(info.value)
    with pytest.raises(ValueError, match="stored no realism"):
        curate_synthetic(curated, RUN)
    assert not [t for t in curated.distinct("tags") if "curat" in t]
