"""Datasets the analysis cannot work with, or only just: a message that says what to do, no crash,
and nothing written half-way (no result fields, runs, visualizations, saved views or tags)."""

from __future__ import annotations

import os

import fiftyone as fo
import numpy as np
import pytest
from badfiles import MAX_PIXELS, make_bad_folder
from processes import cli, one_line_error
from stored import DIM, FAST, FIELD, assert_nothing_written, blobs, embedded

from fiftyone_plugin.fo.analysis import analyze
from fiftyone_plugin.fo.samples import load_or_create_dataset

#: Real processes and databases: minutes on 2 cores (outside the fast lane).
pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "real, synthetic, match",
    [
        (
            blobs(30, 0),
            blobs(0, 1),
            "No synthetic sample .* has usable embeddings .* add synthetic images",
        ),
        (blobs(0, 0), blobs(30, 1), "No real sample .* has usable embeddings .* add real images"),
        (
            blobs(5, 0),
            blobs(5, 1),
            "Too few samples: got 5 real and 5 synthetic, .* needs at least 22 real .*: add samples",
        ),
        (np.full((30, DIM), np.nan), blobs(10, 1), "No real sample .* 30 with NaN/inf embeddings"),
    ],
    ids=["only-real", "only-synthetic", "fewer-than-k", "all-nan"],
)
def test_unusable_datasets_are_refused_with_what_to_do(dataset_name, real, synthetic, match):
    dataset = embedded(dataset_name, real, synthetic)
    with pytest.raises(ValueError, match=match):
        analyze(dataset, embeddings_field=FIELD, config=FAST)
    assert_nothing_written(dataset)


def test_an_empty_dataset_is_refused(dataset_name):
    dataset = load_or_create_dataset(dataset_name)
    with pytest.raises(ValueError, match="no synthgap embeddings yet: compute embeddings first"):
        analyze(dataset, config=FAST)
    assert_nothing_written(dataset)


def test_embeddings_of_another_length_than_the_model_gives_are_refused(dataset_name):
    dataset = embedded(dataset_name, blobs(30, 0, dim=16), blobs(10, 1, dim=16), dim=DIM)
    with pytest.raises(
        ValueError, match="should hold 8-d embeddings .* holds 16-d vectors: recompute"
    ):
        analyze(dataset, embeddings_field=FIELD, config=FAST)
    assert_nothing_written(dataset)


def test_embeddings_of_mixed_lengths_are_refused(dataset_name):
    dataset = embedded(dataset_name, blobs(30, 0), blobs(10, 1))
    odd = dataset.match(fo.ViewField("domain") == "synthetic").limit(3)
    odd.set_values(FIELD, list(blobs(3, 2, dim=12)))
    with pytest.raises(ValueError, match=r"mixed dimensions \[8, 12\]; recompute"):
        analyze(dataset, embeddings_field=FIELD, config=FAST)
    assert_nothing_written(dataset)


def test_nan_and_inf_embeddings_are_left_out_and_counted(dataset_name):
    real, synthetic = blobs(30, 0), blobs(10, 1)
    real[:2] = np.nan
    synthetic[0, 3] = np.inf
    dataset = embedded(dataset_name, real, synthetic)
    outcome = analyze(dataset, embeddings_field=FIELD, config=FAST)
    assert outcome.table.n_non_finite == 3 and len(outcome.table.ids) == 37
    assert dataset.load_run_results("synthgap").summary["n_non_finite"] == 3
    assert len(dataset.exists("cluster")) == 37


def test_identical_images_are_analyzed(dataset_name):
    same = np.ones((1, DIM))
    dataset = embedded(dataset_name, np.repeat(same, 30, 0), np.repeat(same, 10, 0))
    outcome = analyze(dataset, embeddings_field=FIELD, config=FAST)
    assert outcome.result.diagnosis["kind"] == "no-gap"
    assert not outcome.result.uncovered.any()
    assert np.isfinite(outcome.result.gap_score).all() and np.isfinite(outcome.result.realism).all()


# The command line: the same refusals as one line on stderr and exit status 1.


def test_cli_only_real_images(tmp_path, folders):
    (tmp_path / "synthetic").mkdir()
    done = cli("analyze", "--real", folders["real"], "--synthetic", str(tmp_path / "synthetic"))
    assert "No images found in the synthetic folder" in one_line_error(done)


def test_cli_fewer_images_than_the_analysis_needs(tmp_path, folders):
    for side in ("real", "synthetic"):
        (tmp_path / side).mkdir()
        for name in sorted(os.listdir(folders[side]))[:5]:
            if name.endswith(".png"):
                os.symlink(os.path.join(folders[side], name), tmp_path / side / name)
    done = cli(
        "analyze", "--real", str(tmp_path / "real"), "--synthetic", str(tmp_path / "synthetic")
    )
    line = one_line_error(done)
    assert "Too few images" in line and "add images" in line


def test_cli_folders_of_unreadable_files_only(tmp_path, dataset_name):
    for side in ("real", "synthetic"):
        manifest = make_bad_folder(str(tmp_path / side))
        for i in range(30):  # enough files to pass the count check; none readable
            (tmp_path / side / f"empty-{i:02d}.jpg").write_bytes(b"")
        for path, reason in manifest.items():
            if reason is None:
                os.remove(path)
    done = cli(
        "analyze", "--real", str(tmp_path / "real"), "--synthetic", str(tmp_path / "synthetic"),
        "--dataset", dataset_name, "--out", str(tmp_path / "out"), "--num-workers", "0",
        "--max-pixels", str(MAX_PIXELS),
    )  # fmt: skip
    line = one_line_error(done)
    assert "No real sample" in line and "unreadable" in line
    assert_nothing_written(fo.load_dataset(dataset_name, reload=True))
    assert not (tmp_path / "out").exists()
