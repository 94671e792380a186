"""The bad folder thrown at `synthgap analyze` among good images: every readable image analyzed,
every unreadable one reported with its reason, counted, and the run completes."""

from __future__ import annotations

import json
import os

import pytest
from processes import read_csv

#: Real processes and databases: minutes on 2 cores (outside the fast lane).
pytestmark = pytest.mark.slow


def test_the_run_completes_and_counts_the_unreadable_images(bad_runs, folders):
    done = bad_runs["first"]
    assert done.returncode == 0, done.stderr[-3000:]
    n_bad = sum(reason is not None for reason in folders["bad"].values())
    assert f"skipped {n_bad} unreadable image(s)" in done.stdout
    with open(os.path.join(bad_runs["outs"]["first"], "metrics.json")) as f:
        metrics = json.load(f)
    assert metrics["n_failed"] == n_bad
    assert metrics["n_real"] + metrics["n_synthetic"] == len(folders["good"])


def test_every_readable_image_is_analyzed(bad_runs, folders):
    rows = {
        r["filepath"]: r for r in read_csv(os.path.join(bad_runs["outs"]["first"], "samples.csv"))
    }
    for path in folders["good"]:
        row = rows[path]
        assert row["load_error"] == "", (path, row["load_error"])
        assert row["cluster"] != "" and row["umap_x"] != "", path
        score = row["gap_score"] if row["domain"] == "real" else row["realism"]
        assert score != "", path


def test_every_unreadable_image_is_reported_with_its_reason(bad_runs, folders):
    rows = {
        r["filepath"]: r for r in read_csv(os.path.join(bad_runs["outs"]["first"], "samples.csv"))
    }
    for path, reason in folders["bad"].items():
        if reason is None:
            continue
        row = rows[path]
        assert reason in row["load_error"], (path, row["load_error"])
        assert row["gap_score"] == row["realism"] == row["cluster"] == "", path
        assert os.path.basename(path) not in row["load_error"], "the reason repeats the path"


def test_samples_csv_has_exactly_one_row_per_listed_file(bad_runs, folders):
    rows = read_csv(os.path.join(bad_runs["outs"]["first"], "samples.csv"))
    paths = [r["filepath"] for r in rows]
    assert len(paths) == len(set(paths))
    assert set(paths) == set(folders["good"]) | set(folders["bad"])


def test_the_reasons_live_on_the_samples_and_in_the_report(bad_runs, folders):
    import fiftyone as fo

    dataset = fo.load_dataset(bad_runs["dataset"], reload=True)
    errors = dict(zip(*dataset.values(["filepath", "load_error"]), strict=True))
    for path, reason in folders["bad"].items():
        assert (errors[path] is None) if reason is None else (reason in errors[path]), path
    analyzed = dataset.exists("gap_score").values("filepath") + dataset.exists("realism").values(
        "filepath"
    )
    assert sorted(analyzed) == sorted(folders["good"])
    with open(os.path.join(bad_runs["outs"]["first"], "report.html"), encoding="utf-8") as f:
        html = f.read()
    assert "Unreadable images" in html
    assert "decompression bomb" in html and "truncated JPEG" in html
