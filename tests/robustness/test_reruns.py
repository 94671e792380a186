"""Reruns and interruptions: the same command again gives the same dataset and the same results;
a run killed during its analysis leaves nothing half-written and the next run completes."""

from __future__ import annotations

import os

import fiftyone as fo
import pytest
from processes import analyze_args, cli, read_csv

from fiftyone_plugin.fo.runs import RESULT_FIELDS

#: Real processes and databases: minutes on 2 cores (outside the fast lane).
pytestmark = pytest.mark.slow


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


def broken_then_fixed(folder, name: str, like: str):
    """Write an unreadable ``name`` into ``folder``; returns a function that makes it a valid
    image (``like`` mirrored), as when a file was still being copied during the first run."""
    from PIL import Image

    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        f.write(b"\x89PNG not finished")

    def fix() -> None:
        Image.open(like).transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(path)

    return path, fix


def test_embed_recompute_retries_failed_files_and_recomputes(small_folders, tmp_path, dataset_name):
    from fiftyone_plugin.fo.samples import import_images, load_or_create_dataset

    good = small_folders["good"][:3]
    path, fix = broken_then_fixed(tmp_path, "late.png", good[0])
    import_images(load_or_create_dataset(dataset_name), [*good, path], "real")
    embed = ("embed", "--dataset", dataset_name, "--num-workers", "0")
    outputs = [cli(*embed)]
    fix()
    outputs += [cli(*embed), cli(*embed, "--recompute")]
    for done in outputs:
        assert done.returncode == 0, done.stderr[-3000:]
    summaries = [done.stdout.strip().splitlines()[-1] for done in outputs]
    assert summaries == [
        "emb_efficientnet_lite0: embedded 3, already done 0, unreadable 1",
        "emb_efficientnet_lite0: embedded 0, already done 4, unreadable 0",  # failed: not retried
        "emb_efficientnet_lite0: embedded 4, already done 0, unreadable 0",
    ]
    dataset = fo.load_dataset(dataset_name, reload=True)
    assert dataset.values("load_error") == [None] * 4
    assert len(dataset.exists("emb_efficientnet_lite0")) == 4


def test_analyze_recompute_analyzes_files_that_failed_before(small_folders, tmp_path, dataset_name):
    real = tmp_path / "real"
    real.mkdir()
    for src in os.listdir(small_folders["real"]):
        os.symlink(os.path.join(small_folders["real"], src), real / src)
    path, fix = broken_then_fixed(real, "late.png", small_folders["good"][0])
    folders = {"real": str(real), "synthetic": small_folders["synthetic"]}
    out = tmp_path / "out"
    first = cli(*analyze_args(folders, dataset_name, str(out)))
    assert first.returncode == 0, first.stderr[-3000:]
    assert "skipped 1 unreadable image(s)" in first.stdout
    fix()
    done = cli(*analyze_args(folders, dataset_name, str(out), "--recompute"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "unreadable" not in done.stdout
    row = next(r for r in read_csv(str(out / "samples.csv")) if r["filepath"] == path)
    assert row["load_error"] == "" and row["cluster"] != "" and row["gap_score"] != ""
