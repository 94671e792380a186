"""Curate synthetic on a run on objects, through FiftyOne's execute_operator: the form says that
images are judged by their objects and previews what would go and why; Execute tags the images."""

from __future__ import annotations

import pytest
from fiftyone import ViewField as F
from object_data import N_BROKEN
from test_curate_synthetic import curate_form

RUN = "objects"


def test_the_form_previews_images_judged_by_their_objects(object_run):
    from fiftyone_plugin.core.curation import CurationConfig
    from fiftyone_plugin.fo.curation import plan_curation

    form = curate_form(object_run, {"run": RUN})
    props = form.properties
    assert "each synthetic image is kept or dropped whole" in props["by_objects"].view.label
    plan = plan_curation(object_run, RUN)
    n = len(plan.ids)
    assert props["budget"].default == n and f"of {n} holding analyzed objects" in (
        props["budget"].view.description
    )
    preview = props["preview"].default
    assert f"Would keep {plan.result.n_kept} of {n} synthetic images" in preview
    assert f"judged by their {plan.objects['n_objects']} objects" in preview
    dropped = plan.preview()["dropped"]
    n_bad = sum(dropped.get(r, 0) for r in ("degenerate", "outside-support", "low-realism"))
    assert dropped["degenerate"] == N_BROKEN
    assert f"{n_bad} dropped because one of their objects is judged" in preview
    assert f"{N_BROKEN} a blank or noise box" in preview
    assert "synthetic objects kept" in preview  # the cluster table counts objects
    assert not [t for t in object_run.distinct("tags") if "curat" in t]  # a preview tags nothing
    writes = props["writes"].view.label
    assert "tags the objects judged bad 'objects_curation:flagged:<reason>'" in writes

    # allowing half of an image's objects to be bad keeps more images, as the library says
    params = {"run": RUN, "drop_low_realism": True, "low_realism_percent": 30,
              "bad_object_percent": 50}  # fmt: skip
    preview = curate_form(object_run, params).properties["preview"].default
    tolerant = plan_curation(object_run, RUN, config=CurationConfig(
        low_realism_fraction=0.3, max_bad_object_share=0.5))  # fmt: skip
    assert f"Would keep {tolerant.result.n_kept} of {n} synthetic images" in preview
    assert "more than 50% of their objects are judged" in preview


def test_a_bad_share_of_objects_is_flagged(run_op, object_run):
    run_op.rejects("curate_synthetic", object_run.name, {"run": RUN, "bad_object_percent": 100},
                   "between 0 and 99")  # fmt: skip


@pytest.mark.parametrize("delegated", [False, True], ids=["immediate", "delegated"])
def test_execute_tags_the_images_and_says_they_were_judged_by_objects(
    run_op, object_run, delegated
):
    result = run_op("curate_synthetic", object_run.name, {"run": RUN, "budget": 12},
                    delegated=delegated)  # fmt: skip
    object_run.reload()
    kept = object_run.match_tags("objects_curated")
    assert 0 < len(kept) <= 12 and set(kept.values("domain")) == {"synthetic"}
    broken = object_run.match(F("filepath").is_in(object_run.info["broken"]))
    assert len(broken.match_tags("objects_curation:dropped:degenerate")) == N_BROKEN
    summary = result.result["summary"]
    assert summary.startswith(f"{len(kept)} of ") and "synthetic images, judged by their" in summary
    assert "cat" in result.result["targets"]  # the class the synthetic side lacks
    assert "generate about (objects)" in result.result["targets"]
    assert "objects_curation:flagged:degenerate" in result.result["notes"]
    tags = object_run.count_label_tags("objects_patches")
    assert tags["objects_curation:flagged:degenerate"] == N_BROKEN
