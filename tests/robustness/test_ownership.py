"""synthgap never deletes or overwrites what it did not create unless told to: a clash is refused
with a message naming it and the way out; the way out works."""

from __future__ import annotations

import fiftyone as fo
import pytest
from processes import analyze_args, cli, one_line_error
from stored import FAST, FIELD, blobs, embedded

from fiftyone_plugin.fo.analysis import analyze
from fiftyone_plugin.fo.fields import FieldClashError

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
