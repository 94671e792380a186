"""synthgap never deletes or overwrites what it did not create unless told to: a clash is refused
with a message naming it and the way out; the way out works."""

from __future__ import annotations

import fiftyone as fo
import numpy as np
import pytest
from processes import analyze_args, cli, one_line_error
from stored import DIM, FAST, FIELD, blobs, embedded

from fiftyone_plugin.fo.analysis import analyze
from fiftyone_plugin.fo.curation import curate_synthetic
from fiftyone_plugin.fo.fields import FieldClashError
from fiftyone_plugin.fo.manage_runs import delete_analysis, rename_analysis
from fiftyone_plugin.fo.runs import RESULT_FIELDS

#: Real processes and databases: minutes on 2 cores (outside the fast lane).
pytestmark = pytest.mark.slow

USER_VALUE = 0.25


@pytest.fixture
def users_dataset(dataset_name):
    """An embedded dataset whose first real sample holds the user's own `gap_score`."""
    dataset = embedded(dataset_name, blobs(30, 0), blobs(10, 1))
    dataset.add_sample_field("gap_score", fo.FloatField)
    dataset.limit(1).set_values("gap_score", [USER_VALUE])
    return dataset


def users_values(dataset: fo.Dataset) -> list:
    return dataset.values("gap_score")


def test_a_clash_with_a_user_field_is_refused_naming_it(users_dataset):
    before = users_values(users_dataset)
    with pytest.raises(FieldClashError, match=r"gap_score .* not created by synthgap"):
        analyze(users_dataset, embeddings_field=FIELD, config=FAST)
    assert users_values(users_dataset) == before
    assert users_dataset.list_runs() == [] and "cluster" not in users_dataset.get_field_schema()


def test_another_run_name_is_the_way_out(users_dataset):
    before = users_values(users_dataset)
    analyze(users_dataset, embeddings_field=FIELD, run_key="mine", config=FAST)
    assert users_values(users_dataset) == before
    assert len(users_dataset.exists("mine_gap_score")) == 30


def test_overwriting_a_user_field_takes_an_explicit_option(users_dataset):
    analyze(users_dataset, embeddings_field=FIELD, config=FAST, overwrite_fields=True)
    assert len(users_dataset.exists("gap_score")) == 30
    assert users_dataset.values("gap_score")[0] != USER_VALUE


def test_a_user_run_of_the_same_name_is_never_replaced(dataset_name):
    dataset = embedded(dataset_name, blobs(30, 0), blobs(10, 1))
    dataset.register_run("synthgap", dataset.init_run(method="my_own_thing"))
    for overwrite in (False, True):
        with pytest.raises(ValueError, match="run 'synthgap' that synthgap did not create"):
            analyze(dataset, embeddings_field=FIELD, config=FAST, overwrite=overwrite)
    assert dataset.get_run_info("synthgap").config.method == "my_own_thing"


def test_user_saved_views_survive_analyses(dataset_name):
    dataset = embedded(dataset_name, blobs(30, 0), blobs(10, 1))
    dataset.save_view("synthgap-my-favourites", dataset.limit(3))
    dataset.save_view("mine", dataset.limit(2))
    analyze(dataset, embeddings_field=FIELD, config=FAST)
    analyze(dataset, embeddings_field=FIELD, config=FAST, overwrite=True)
    views = dataset.list_saved_views()
    assert {"synthgap-my-favourites", "mine", "synthgap-uncovered"} <= set(views)
    assert len(dataset.load_saved_view("synthgap-my-favourites")) == 3


def test_cli_names_the_field_and_both_ways_out_before_importing(folders, tmp_path, dataset_name):
    dataset = fo.Dataset(dataset_name, persistent=True)
    dataset.add_sample(fo.Sample(filepath="/photos/mine.png", gap_score=USER_VALUE))
    line = one_line_error(cli(*analyze_args(folders, dataset_name, str(tmp_path))))
    assert "gap_score" in line and "--run NAME" in line and "--overwrite" in line
    dataset.reload()
    assert len(dataset) == 1 and dataset.values("gap_score") == [USER_VALUE]


def run_things(dataset: fo.Dataset) -> dict:
    """What an analysis wrote or found: runs, brain runs, saved views (name -> description),
    result fields, tags."""
    dataset.reload()
    return {
        "runs": dataset.list_runs(),
        "brain_runs": dataset.list_brain_runs(),
        "views": {v["name"]: v["description"] for v in dataset.list_saved_views(info=True)},
        "fields": set(dataset.get_field_schema()) & set(RESULT_FIELDS),
        "tags": dataset.count_sample_tags(),
    }


def users_visualization(dataset: fo.Dataset, key: str = "synthgap_umap") -> None:
    import fiftyone.brain as fob

    points = np.random.default_rng(0).normal(size=(len(dataset), 2))
    fob.compute_visualization(
        dataset, points=points, brain_key=key, method="manual", progress=False
    )


@pytest.mark.parametrize(
    "view_name", ["synthgap-uncovered", "Synthgap Uncovered", "synthgap-gap-7"]
)
def test_a_users_saved_view_of_a_run_view_name_is_refused_before_any_write(dataset_name, view_name):
    dataset = embedded(dataset_name, blobs(30, 0), blobs(10, 1))
    dataset.save_view(view_name, dataset.limit(3), description="mine")
    before = run_things(dataset)
    with pytest.raises(FieldClashError, match=rf"saved view '{view_name}'.* pass overwrite"):
        analyze(dataset, embeddings_field=FIELD, config=FAST)
    assert run_things(dataset) == before
    assert len(dataset.load_saved_view(view_name)) == 3


def test_overwrite_replaces_a_users_saved_view(dataset_name):
    dataset = embedded(dataset_name, blobs(30, 0), blobs(10, 1))
    dataset.save_view("synthgap-uncovered", dataset.limit(3), description="mine")
    analyze(dataset, embeddings_field=FIELD, config=FAST, overwrite_fields=True)
    info = dataset.get_saved_view_info("synthgap-uncovered")
    assert info["description"].endswith("(synthgap run 'synthgap')")
    tagged = set(dataset.match_tags("uncovered").values("id"))
    assert set(dataset.load_saved_view("synthgap-uncovered").values("id")) == tagged


def test_a_users_visualization_of_the_run_name_is_refused_and_kept(dataset_name):
    dataset = embedded(dataset_name, blobs(30, 0), blobs(10, 1))
    users_visualization(dataset)
    dataset.reload()
    stamp = dataset.get_brain_info("synthgap_umap").timestamp  # as stored (milliseconds)
    with pytest.raises(FieldClashError, match=r"brain run .*'synthgap_umap'.* another run name"):
        analyze(dataset, embeddings_field=FIELD, config=FAST)
    dataset.reload()
    assert dataset.list_runs() == [] and dataset.get_brain_info("synthgap_umap").timestamp == stamp
    analyze(dataset, embeddings_field=FIELD, config=FAST, run_key="mine")  # the way out
    assert dataset.get_brain_info("synthgap_umap").timestamp == stamp
    assert "mine_umap" in dataset.list_brain_runs()


def test_overwrite_replaces_a_users_visualization(dataset_name):
    dataset = embedded(dataset_name, blobs(30, 0), blobs(10, 1))
    users_visualization(dataset)
    analyze(dataset, embeddings_field=FIELD, config=FAST, overwrite_fields=True)
    assert dataset.get_brain_info("synthgap_umap").config.synthgap == {"run": "synthgap"}


def test_a_users_tag_of_the_run_tag_name_is_refused(dataset_name):
    dataset = embedded(dataset_name, blobs(30, 0), blobs(10, 1))
    dataset.limit(2).tag_samples("uncovered")
    with pytest.raises(FieldClashError, match=r"tag 'uncovered' on 2 sample"):
        analyze(dataset, embeddings_field=FIELD, config=FAST)
    assert run_things(dataset)["runs"] == []


def test_a_run_killed_after_writing_its_visualization_and_views_is_rerun(dataset_name):
    """A run killed before its run record was written left its fields, visualization and views:
    they are marked as the run's, so the same call again replaces them."""
    dataset = embedded(dataset_name, blobs(30, 0), blobs(10, 1))
    analyze(dataset, embeddings_field=FIELD, config=FAST)
    dataset.delete_run("synthgap")  # what a kill just before the run record leaves
    analyze(dataset, embeddings_field=FIELD, config=FAST)
    things = run_things(dataset)
    assert things["runs"] == ["synthgap"] and things["brain_runs"] == ["synthgap_umap"]


def analyzed_with_users_things(dataset_name: str) -> fo.Dataset:
    """An analyzed dataset to which the user then added things of the run's names: a saved view
    `synthgap-gap-99`, the `uncovered` tag on a covered sample, their own `realism` field (after
    deleting the run's), plus a view of their own with another name."""
    dataset = embedded(dataset_name, blobs(30, 0), blobs(10, 1))
    analyze(dataset, embeddings_field=FIELD, config=FAST)
    dataset.save_view("synthgap-gap-99", dataset.limit(4), description="mine")
    dataset.save_view("my-picks", dataset.limit(2))
    dataset.match(fo.ViewField("uncovered") == False).limit(1).tag_samples("uncovered")  # noqa: E712
    dataset.delete_sample_field("realism")
    dataset.add_sample_field("realism", fo.FloatField)
    dataset.limit(1).set_values("realism", [USER_VALUE])
    return dataset


def test_delete_removes_only_what_the_run_owns(dataset_name):
    dataset = analyzed_with_users_things(dataset_name)
    kept = delete_analysis(dataset, "synthgap")
    things = run_things(dataset)
    assert things["runs"] == [] and things["brain_runs"] == []
    assert set(things["views"]) == {"synthgap-gap-99", "my-picks"}
    assert things["fields"] == {"realism"} and dataset.values("realism")[0] == USER_VALUE
    assert things["tags"].get("uncovered") == 1
    assert any("synthgap-gap-99" in k for k in kept) and any("'realism'" in k for k in kept)
    assert any("tag 'uncovered' on 1 sample" in k for k in kept)


def test_delete_leaves_a_users_visualization_of_the_run_name(dataset_name):
    dataset = embedded(dataset_name, blobs(30, 0), blobs(10, 1))
    analyze(dataset, embeddings_field=FIELD, config=FAST, overwrite_fields=True)
    dataset.delete_brain_run("synthgap_umap")
    users_visualization(dataset)  # the user's now, and the run's record still names it
    dataset.get_brain_info("synthgap_umap")  # unmarked
    kept = delete_analysis(dataset, "synthgap")
    assert kept == ["brain run 'synthgap_umap'"]
    assert run_things(dataset)["brain_runs"] == ["synthgap_umap"]


def test_rename_onto_a_users_view_is_refused_before_any_change(dataset_name):
    dataset = embedded(dataset_name, blobs(30, 0), blobs(10, 1))
    analyze(dataset, embeddings_field=FIELD, config=FAST)
    dataset.save_view("v2-uncovered", dataset.limit(3), description="mine")
    before = run_things(dataset)
    with pytest.raises(FieldClashError, match=r"saved view 'v2-uncovered'.* pass overwrite"):
        rename_analysis(dataset, "synthgap", "v2")
    assert run_things(dataset) == before
    rename_analysis(dataset, "synthgap", "v2", overwrite=True)
    things = run_things(dataset)
    assert things["runs"] == ["v2"] and things["brain_runs"] == ["v2_umap"]
    assert things["views"]["v2-uncovered"].endswith("(synthgap run 'v2')")
    assert not [v for v in things["views"] if v.startswith("synthgap-")]


def test_a_renamed_run_still_owns_everything(dataset_name):
    dataset = analyzed_with_users_things(dataset_name)
    kept = rename_analysis(dataset, "synthgap", "v2")
    assert any("synthgap-gap-99" in k for k in kept) and any("'realism'" in k for k in kept)
    analyze(dataset, embeddings_field=FIELD, run_key="v2", config=FAST, overwrite=True)
    assert delete_analysis(dataset, "v2") == []
    things = run_things(dataset)
    assert things["runs"] == [] and things["brain_runs"] == []
    assert set(things["views"]) == {"synthgap-gap-99", "my-picks"}
    assert things["fields"] == {"realism"} and things["tags"].get("uncovered") == 1


def test_curation_refuses_a_users_view_of_its_names(dataset_name):
    dataset = embedded(dataset_name, blobs(30, 0), blobs(10, 1))
    analyze(dataset, embeddings_field=FIELD, config=FAST)
    dataset.save_view("synthgap-curated", dataset.limit(3), description="mine")
    with pytest.raises(FieldClashError, match=r"'synthgap-curated'.* pass overwrite"):
        curate_synthetic(dataset, budget=5)
    assert dataset.get_saved_view_info("synthgap-curated")["description"] == "mine"
    assert "curated" not in dataset.count_sample_tags()
    outcome = curate_synthetic(dataset, budget=5, overwrite=True)
    assert len(dataset.load_saved_view("synthgap-curated")) == outcome.n_kept > 0
    assert dataset.get_saved_view_info("synthgap-curated")["description"].endswith(
        "(synthgap run 'synthgap')"
    )


def test_curation_tags_come_off_only_the_samples_the_run_analyzed(dataset_name):
    dataset = embedded(dataset_name, blobs(30, 0), blobs(10, 1))
    analyze(dataset, embeddings_field=FIELD, config=FAST)
    mine = fo.Sample(filepath="/photos/mine.png", tags=["curated"])
    dataset.add_sample(mine)
    curate_synthetic(dataset, budget=5, overwrite=True)
    outcome = curate_synthetic(dataset, budget=2, overwrite=True)
    assert len(dataset.match_tags("curated")) == outcome.n_kept + 1
    kept = delete_analysis(dataset, "synthgap")
    assert dataset.match_tags("curated").values("filepath") == ["/photos/mine.png"]
    assert kept == ["tag 'curated' on 1 sample(s) synthgap did not tag"]


def test_a_visualization_stored_before_the_mark_is_the_runs(dataset_name):
    """Runs stored by earlier synthgap versions name their visualization in the run record."""
    from fiftyone.core.brain import BrainMethod

    dataset = embedded(dataset_name, blobs(30, 0), blobs(10, 1))
    analyze(dataset, embeddings_field=FIELD, config=FAST)
    config = dataset.get_brain_info("synthgap_umap").config
    del config.synthgap
    BrainMethod.update_run_config(dataset, "synthgap_umap", config)
    assert delete_analysis(dataset, "synthgap") == []
    assert run_things(dataset)["brain_runs"] == []


def test_views_saved_before_the_mark_are_the_runs(dataset_name):
    """Earlier synthgap versions saved their views without a description, just before the run
    record: a rerun replaces them without --overwrite, and a later view of the user is refused."""
    import datetime

    import fiftyone.core.odm as foo
    from fiftyone.core.brain import BrainMethod

    dataset = embedded(dataset_name, blobs(30, 0), blobs(10, 1))
    analyze(dataset, embeddings_field=FIELD, config=FAST)
    recorded = dataset.get_run_info("synthgap").timestamp
    views = foo.get_db_conn().views  # as an earlier version left them
    views.update_many(
        {"_id": {"$in": [doc.pk for doc in dataset._doc.saved_views]}},
        {"$set": {"description": None,
                  "last_modified_at": recorded - datetime.timedelta(milliseconds=20)}},
    )  # fmt: skip
    config = dataset.get_brain_info("synthgap_umap").config
    del config.synthgap  # and the visualization without its mark
    BrainMethod.update_run_config(dataset, "synthgap_umap", config)
    dataset.reload()

    analyze(dataset, embeddings_field=FIELD, config=FAST, overwrite=True)
    assert "synthgap-uncovered" in dataset.list_saved_views()
    assert dataset.get_brain_info("synthgap_umap").config.synthgap == {"run": "synthgap"}

    dataset.delete_saved_view("synthgap-uncovered")
    dataset.save_view("synthgap-uncovered", dataset.limit(1))  # the user's, newer than the run
    with pytest.raises(FieldClashError, match="synthgap-uncovered"):
        analyze(dataset, embeddings_field=FIELD, config=FAST, overwrite=True)


def clusters(sizes: list[int], seed: int) -> np.ndarray:
    """Non-negative vectors (like pooled CNN features) around one axis per cluster."""
    rng = np.random.default_rng(seed)
    return np.vstack(
        [np.abs(4 * np.eye(DIM)[c] + rng.normal(size=(n, DIM))) for c, n in enumerate(sizes)]
    )


def test_the_likely_tier_is_a_field_a_tag_and_a_view_removed_with_the_run(dataset_name):
    """The third cluster gets 1/30 of its real share of synthetic samples: underrepresented."""
    dataset = embedded(dataset_name, clusters([30, 30, 30], 0), clusters([30, 30, 1], 1))
    dataset.limit(1).tag_samples("my-tag")
    analyze(dataset, embeddings_field=FIELD, config=FAST)
    flagged = set(dataset.match(fo.ViewField("underrepresented") == True).values("id"))  # noqa: E712
    third = set(dataset.match(fo.ViewField("filepath").re_match("/real/0[6-8]")).values("id"))
    assert len(flagged & third) >= 25 and len(flagged - third) <= 3
    assert set(dataset.match_tags("underrepresented").values("id")) == flagged
    view = dataset.load_saved_view("synthgap-underrepresented")
    assert set(view.values("id")) == flagged
    assert run_things(dataset)["views"]["synthgap-underrepresented"].endswith(
        "(synthgap run 'synthgap')"
    )
    assert "underrepresented" in dataset.get_field_schema()

    assert delete_analysis(dataset, "synthgap") == []
    things = run_things(dataset)
    assert "underrepresented" not in things["tags"] and things["tags"]["my-tag"] == 1
    assert things["fields"] == set() and things["views"] == {}


def test_a_users_underrepresented_tag_is_refused(dataset_name):
    dataset = embedded(dataset_name, blobs(30, 0), blobs(10, 1))
    dataset.limit(2).tag_samples("underrepresented")
    with pytest.raises(FieldClashError, match=r"tag 'underrepresented' on 2 sample"):
        analyze(dataset, embeddings_field=FIELD, config=FAST)
    assert run_things(dataset)["runs"] == []
