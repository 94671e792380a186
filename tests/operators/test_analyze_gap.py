"""analyze_gap: the full analysis on the dataset or the current view, as a named run."""

from __future__ import annotations

import fiftyone as fo
import fiftyone.brain as fob
import numpy as np
import pytest

from fiftyone_plugin.fo.runs import RunNames, list_analyses


def test_analyzes_stored_embeddings_and_opens_the_embeddings_panel(run_op, embedded):
    params = {"embeddings": "emb_efficientnet_lite0", "run": "first", "seed": 1}
    result = run_op("analyze_gap", embedded.name, params)
    names = RunNames("first")
    embedded.reload()
    assert list_analyses(embedded) == ["first"]
    assert embedded.has_brain_run(names.brain_key)
    for field in names.result_fields:
        assert embedded.has_sample_field(field), field
    real = embedded.match(fo.ViewField("domain") == "real")
    assert real.exists(names.field("gap_score")).count() == len(real)
    assert names.view("uncovered") in embedded.list_saved_views()
    assert result.result["run"] == "first" and result.result["brain_key"] == names.brain_key
    assert result.result["diagnosis"]

    opener = "@synthgap/synthgap/open_embeddings"  # the Embeddings panel, on this run by domain
    assert run_op.triggers(result) == ["reload_dataset", opener]
    assert run_op.trigger_params(result, opener) == {
        "brain_key": names.brain_key,
        "color_field": "domain",
    }


@pytest.mark.slow
def test_a_second_run_on_the_current_view_keeps_the_first_unless_replaced(run_op, analyzed):
    gap_before = analyzed.values("gap_score")
    run_op.rejects("analyze_gap", analyzed.name, {"run": "synthgap"},
                   "exists: choose another name")  # fmt: skip
    assert analyzed.values("gap_score") == gap_before

    clean = analyzed.match(~fo.ViewField("filepath").contains_str("junk-"))
    params = {"target": "CURRENT_VIEW", "run": "clean", "seed": 5}
    run_op("analyze_gap", analyzed.name, params, view=clean)
    analyzed.reload()
    assert list_analyses(analyzed) == ["synthgap", "clean"]
    assert analyzed.values("gap_score") == gap_before
    assert len(analyzed.exists("clean_cluster")) == len(clean)
    assert not [p for p in analyzed.exists("clean_cluster").values("filepath") if "junk-" in p]

    run_op("analyze_gap", analyzed.name, {"run": "synthgap", "seed": 5, "overwrite": True})
    analyzed.reload()
    assert list_analyses(analyzed) == ["clean", "synthgap"]
    assert analyzed.has_sample_field("clean_gap_score")


@pytest.mark.slow
def test_delegated_run_computes_missing_embeddings_first(run_op, dataset_name, tiny_demo):
    from fiftyone_plugin.fo.samples import import_images, list_images

    dataset = fo.Dataset(dataset_name)
    import_images(dataset, list_images(tiny_demo["real"])[::2], "real")
    import_images(dataset, list_images(tiny_demo["synthetic"])[::2], "synthetic")
    params = {"embeddings": "__new__", "model": "efficientnet_lite0", "run": "late"}
    result = run_op("analyze_gap", dataset_name, params, delegated=True)
    dataset.reload()
    assert dataset.exists("emb_efficientnet_lite0").count() == len(dataset)
    assert list_analyses(dataset) == ["late"]
    assert result.result["saved_views"]


@pytest.mark.parametrize(
    "params, match",
    [
        ({"run": "has space"}, "Invalid run name"),
        ({"embeddings": "__new__", "model": "nope"}, "Unknown model"),
        ({"embeddings": "not_a_field"}, "Invalid enum value"),
    ],
)
def test_flags_bad_names_and_choices(run_op, embedded, params, match):
    run_op.rejects("analyze_gap", embedded.name, params, match)


def test_user_fields_of_the_run_names_are_replaced_only_when_ticked(run_op, embedded):
    embedded.add_sample_field("mine_cluster", fo.IntField)
    embedded.set_values("mine_cluster", [7] * len(embedded))
    run_op.rejects("analyze_gap", embedded.name, {"run": "mine"},
                   "mine_cluster .*not created by synthgap: .*tick 'Replace these'")  # fmt: skip
    assert set(embedded.values("mine_cluster")) == {7}

    run_op("analyze_gap", embedded.name, {"run": "mine", "overwrite_fields": True})
    embedded.reload()
    assert list_analyses(embedded) == ["mine"]
    assert embedded.get_field("mine_cluster").info["synthgap"]
    assert set(embedded.values("mine_cluster")) != {7}


@pytest.mark.slow
def test_recompute_embeds_again_and_retries_failed_images(run_op, embedded):
    from fiftyone_plugin import defaults

    field = "emb_efficientnet_lite0"
    failed = embedded.first()
    failed[defaults.ERROR_FIELD], failed[field] = "cannot identify image file", None
    failed.save()
    params = {"embeddings": "__new__", "model": "efficientnet_lite0", "run": "again"}
    run_op("analyze_gap", embedded.name, params)
    failed.reload()
    assert failed[field] is None  # a failed image is not retried by default

    run_op("analyze_gap", embedded.name, {**params, "run": "again2", "recompute": True})
    failed.reload()
    assert failed[defaults.ERROR_FIELD] is None and len(failed[field]) == 1280


def test_flags_a_run_name_whose_saved_view_or_visualization_the_user_has(run_op, embedded):
    embedded.save_view("mine-uncovered", embedded.limit(2))
    run_op.rejects("analyze_gap", embedded.name, {"run": "mine"},
                   "saved view 'mine-uncovered', not created by synthgap")  # fmt: skip
    embedded.delete_saved_view("mine-uncovered")
    points = np.zeros((len(embedded), 2))
    fob.compute_visualization(embedded, points=points, brain_key="mine_umap", method="manual")
    run_op.rejects("analyze_gap", embedded.name, {"run": "mine"}, "brain run .*'mine_umap'")
    assert not list_analyses(embedded)


def test_flags_a_dataset_without_synthetic_samples(run_op, embedded):
    view = embedded.match(fo.ViewField("domain") == "real")
    run_op.rejects("analyze_gap", embedded.name, {"target": "CURRENT_VIEW"},
                   "0 synthetic samples", view=view)  # fmt: skip
    assert not list_analyses(embedded)
