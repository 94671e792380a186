"""Labeled folders end to end: labels imported, per-class results on the samples, in the run, in
the files and the report; an existing dataset analyzed by its label field; one-sided labels."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import fiftyone as fo
import pytest
from labeled_data import photo_trees

from fiftyone_plugin.core.config import AnalysisConfig
from fiftyone_plugin.fo.runs import load_summary
from fiftyone_plugin.label_options import LabelOptions
from fiftyone_plugin.workflow import analyze_folders

pytestmark = pytest.mark.slow
FAST = AnalysisConfig(project=False, kid_subsets=5)


@pytest.fixture(scope="module")
def trees(tmp_path_factory) -> dict:
    """Labeled photo-crop class folders (labeled_data.photo_trees)."""
    root = tmp_path_factory.mktemp("trees")
    return {**photo_trees(str(root)), "root": root}


@pytest.fixture(scope="module")
def labeled_run(trees, tmp_path_factory):
    name = "labeled-e2e"
    if fo.dataset_exists(name):
        fo.delete_dataset(name)
    out = str(tmp_path_factory.mktemp("out"))
    done = analyze_folders(trees["real"], trees["synthetic"], dataset=name, out=out,
                           labels=LabelOptions(class_map=trees["map"]))  # fmt: skip
    yield done, fo.load_dataset(name), out
    fo.delete_dataset(name)


def test_labels_reach_the_samples_and_the_run(labeled_run):
    done, dataset, _ = labeled_run
    assert dataset.count_values("ground_truth.label") == {
        "astronaut": 48, "rocket": 24, "coins": 24, "spaceship": 24,
    }  # fmt: skip
    real = dataset.match({"domain": "real"})
    coins = real.match({"label_class": "coins"})
    assert len(coins) == 24 and all(coins.values("class_uncovered"))
    assert set(coins.values("class_gap_region")) == {"coins/gap-1"}
    assert set(dataset.match({"domain": "synthetic"}).distinct("label_class")) == {
        "astronaut", "rocket",
    }  # fmt: skip
    assert all(0 <= s <= 1 for s in dataset.exists("label_support").values("label_support"))
    summary = load_summary(dataset, "synthgap")
    rows = {r["class"]: r for r in summary["per_class"]}
    assert rows["coins"]["status"] == "missing" and rows["coins"]["probe_accuracy_synthetic"] == 0
    assert rows["coins"]["probe_accuracy_synthetic_raw"] == rows["coins"]["probe_transfer"] == 0
    assert summary["label_field"] == "ground_truth" and summary["class_map"] == {
        "spaceship": "rocket"
    }
    assert summary["probe"]["reading"].startswith("Trained on your synthetic images")
    assert any("`coins` has 0 synthetic images" in r for r in summary["label_stats"]["readings"])
    assert done.warnings == []


def test_labels_reach_the_files_and_the_report(labeled_run):
    done, _, out = labeled_run
    document = json.load(open(os.path.join(out, "metrics.json")))
    assert {r["class"] for r in document["per_class"]} == {"astronaut", "rocket", "coins"}
    assert document["class_regions"][0]["name"] == "coins/gap-1"
    assert len(document["class_regions"][0]["representative_filepaths"]) == 8
    with open(done.files["classes.csv"], newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0].keys() >= {"class", "status", "probe_accuracy_synthetic", "reading"}
    assert list(rows[0])[6:8] == ["probe_transfer", "probe_accuracy_synthetic_raw"]
    samples = list(csv.DictReader(open(os.path.join(out, "samples.csv"))))
    assert {"label_class", "class_gap_score", "probe_class"} <= set(samples[0])
    page = open(os.path.join(out, "report.html")).read()
    assert '<section id="classes">' in page and '<section id="labels">' in page
    assert "coins/gap-1" in page and "training on synthetic:" in page


def test_an_existing_dataset_is_analyzed_by_its_label_field(labeled_run, tmp_path):
    _, dataset, _ = labeled_run
    cli = [sys.executable, "-m", "fiftyone_plugin.cli", "analyze", "--dataset", dataset.name]
    missing = subprocess.run([*cli, "--label-field", "nope", "--out", str(tmp_path)],
                             capture_output=True, text=True, timeout=600)  # fmt: skip
    assert missing.returncode == 1
    assert "has no field 'nope'" in missing.stderr and "ground_truth" in missing.stderr
    done = subprocess.run([*cli, "--label-field", "ground_truth", "--out", str(tmp_path),
                           "--num-workers", "1"], capture_output=True, text=True, timeout=900)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "probe   Trained on your synthetic images" in done.stdout
    assert "`spaceship`" in done.stdout  # no class map this time: reported one-sided
    assert os.path.exists(tmp_path / "classes.csv")
    # the same run without labels drops its per-class fields (the labels stay)
    from fiftyone_plugin.workflow import analyze_dataset

    analyze_dataset(dataset.name, out=str(tmp_path / "plain"), config=FAST)
    dataset.reload()
    assert not dataset.has_sample_field("label_class") and dataset.has_sample_field("ground_truth")


def test_labels_on_one_side_only_are_reported_and_the_run_goes_on(trees, tmp_path):
    name = "labeled-one-side"
    if fo.dataset_exists(name):
        fo.delete_dataset(name)
    flat = tmp_path / "flat"
    flat.mkdir()
    for path in (trees["root"] / "synthetic").rglob("*.png"):
        os.symlink(path, flat / f"{path.parent.name}-{path.name}")
    try:
        done = analyze_folders(trees["real"], str(flat), dataset=name, out=str(tmp_path / "o"),
                               )  # fmt: skip
        assert done.outcome.result.labeled is None
        assert any("Only the real images have labels" in w for w in done.warnings)
        assert fo.load_dataset(name).count("ground_truth") == 72  # the labels are kept
    finally:
        fo.delete_dataset(name)
