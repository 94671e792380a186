"""manage_runs: list, rename and delete analysis runs."""

from __future__ import annotations

from fiftyone_plugin.fo.runs import RunNames, list_analyses


def test_lists_the_runs_with_their_metrics(run_op, analyzed):
    result = run_op("manage_runs", analyzed.name, {"action": "list"})
    assert "| synthgap |" in result.result["runs"]


def test_renames_a_run_with_its_fields_views_and_visualization(run_op, analyzed):
    run_op("manage_runs", analyzed.name, {"action": "rename", "run": "synthgap",
           "new_name": "baseline"})  # fmt: skip
    analyzed.reload()
    new = RunNames("baseline")
    assert list_analyses(analyzed) == ["baseline"]
    assert analyzed.has_sample_field(new.field("gap_score"))
    assert not analyzed.has_sample_field("gap_score")
    assert analyzed.has_brain_run(new.brain_key)
    assert new.view("uncovered") in analyzed.list_saved_views()
    assert not [v for v in analyzed.list_saved_views() if v.startswith("synthgap-")]


def test_flags_renaming_onto_an_existing_run_and_bad_names(run_op, analyzed):
    analyzed.register_run("other", analyzed.init_run(method="someone_elses"))
    run_op.rejects("manage_runs", analyzed.name, {"action": "rename", "run": "synthgap",
                   "new_name": "other"}, "taken by another run")  # fmt: skip
    run_op.rejects("manage_runs", analyzed.name, {"action": "rename", "run": "synthgap",
                   "new_name": "9lives"}, "Invalid run name")  # fmt: skip
    assert list_analyses(analyzed) == ["synthgap"]


def test_deletes_a_run_but_keeps_embeddings_and_domains(run_op, analyzed):
    result = run_op("manage_runs", analyzed.name, {"action": "delete", "run": "synthgap"})
    assert run_op.triggers(result) == ["reload_dataset"]
    analyzed.reload()
    assert list_analyses(analyzed) == []
    assert not analyzed.has_sample_field("gap_score")
    assert not analyzed.has_brain_run(RunNames("synthgap").brain_key)
    assert not analyzed.list_saved_views()
    assert "uncovered" not in analyzed.count_sample_tags()
    assert analyzed.exists("emb_efficientnet_lite0").count() == len(analyzed)
    assert set(analyzed.distinct("domain")) == {"real", "synthetic"}


def test_flags_renaming_onto_a_users_saved_view(run_op, analyzed):
    analyzed.save_view("baseline-uncovered", analyzed.limit(2))
    run_op.rejects("manage_runs", analyzed.name, {"action": "rename", "run": "synthgap",
                   "new_name": "baseline"}, "saved view 'baseline-uncovered'")  # fmt: skip
    assert list_analyses(analyzed) == ["synthgap"]


def test_delete_leaves_a_users_view_of_the_runs_names_and_says_so(run_op, analyzed):
    analyzed.save_view("synthgap-gap-99", analyzed.limit(2))
    result = run_op("manage_runs", analyzed.name, {"action": "delete", "run": "synthgap"})
    assert "left alone" in result.result["done"] and "synthgap-gap-99" in result.result["done"]
    analyzed.reload()
    assert list_analyses(analyzed) == [] and analyzed.list_saved_views() == ["synthgap-gap-99"]
