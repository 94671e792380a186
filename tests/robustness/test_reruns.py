"""Reruns and interruptions: the same command again gives the same dataset and the same results;
a run killed during its analysis leaves nothing half-written and the next run completes."""

from __future__ import annotations

import os

import fiftyone as fo
from processes import read_csv

from fiftyone_plugin.fo.analysis import RESULT_FIELDS


def test_a_run_killed_during_analysis_wrote_no_results(bad_runs, folders):
    killed = bad_runs["killed"]
    assert killed["reached_analysis"], killed["stderr"][-2000:]
    assert killed["n_samples"] == len(folders["good"]) + len(folders["bad"]) - sum(
        reason is None for reason in folders["bad"].values()
    )
    assert killed["n_embedded"] == len(folders["good"]), "embeddings are stored before analysis"
    assert not set(RESULT_FIELDS) & killed["fields"]
    assert (killed["runs"], killed["brain_runs"], killed["saved_views"]) == ([], [], [])
    assert "uncovered" not in killed["tags"]


def test_the_next_runs_complete_without_recomputing_embeddings(bad_runs):
    for key in ("first", "second"):
        assert bad_runs[key].returncode == 0, bad_runs[key].stderr[-3000:]
    sample_id, vector = bad_runs["marked"]
    dataset = fo.load_dataset(bad_runs["dataset"], reload=True)
    assert (dataset[sample_id]["emb_efficientnet_lite0"] == vector).all()


def test_rerunning_adds_no_samples(bad_runs, folders):
    assert bad_runs["second"].returncode == 0, bad_runs["second"].stderr[-3000:]
    dataset = fo.load_dataset(bad_runs["dataset"], reload=True)
    paths = dataset.values("filepath")
    assert len(paths) == len(set(paths)) == len(set(folders["good"]) | set(folders["bad"]))


def test_rerunning_with_a_seed_gives_the_same_results(bad_runs):
    first, second = (
        read_csv(os.path.join(bad_runs["outs"][k], "samples.csv")) for k in ("first", "second")
    )
    assert first == second


def test_no_result_field_is_half_written(bad_runs, folders):
    dataset = fo.load_dataset(bad_runs["dataset"], reload=True)
    good = set(folders["good"])
    values = dict(
        zip(
            ("filepath", "domain", *RESULT_FIELDS),
            dataset.values(["filepath", "domain", *RESULT_FIELDS]),
            strict=True,
        )
    )
    for i, path in enumerate(values["filepath"]):
        row = {k: v[i] for k, v in values.items()}
        if path not in good:
            assert all(row[k] is None for k in RESULT_FIELDS), row
        elif row["domain"] == "real":
            assert None not in (row["cluster"], row["gap_score"], row["uncovered"]), row
            assert (row["gap_region"] is not None) == row["uncovered"], row
        else:
            assert None not in (row["cluster"], row["realism"]) and row["uncovered"] is False, row
    uncovered = set(dataset.match_tags("uncovered").values("filepath"))
    assert uncovered == set(dataset.match(fo.ViewField("uncovered") == True).values("filepath"))  # noqa: E712
    assert dataset.list_runs() == ["synthgap"] and dataset.list_brain_runs() == ["synthgap_umap"]
    assert len(dataset.load_brain_results("synthgap_umap").points) == len(good)
    assert "synthgap-uncovered" in dataset.list_saved_views()
