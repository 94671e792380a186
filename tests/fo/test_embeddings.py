"""Embeddings stored on FiftyOne samples: reuse, bad files, model mismatch, resuming after a kill."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import fiftyone as fo
import numpy as np
import pytest

from fiftyone_plugin.fo.embeddings import compute_embeddings
from fiftyone_plugin.fo.fields import FieldClashError
from fiftyone_plugin.fo.samples import import_images, list_images, load_or_create_dataset
from fiftyone_plugin.options import EmbeddingOptions

FIELD = "emb_efficientnet_lite0"
#: Images decoded in the calling thread (the tests' own choice, for a small machine).
SERIAL = EmbeddingOptions(num_workers=0)


@pytest.fixture
def small_dataset(dataset_name, tiny_demo):
    dataset = load_or_create_dataset(dataset_name)
    import_images(dataset, list_images(tiny_demo["real"])[:12], "real")
    return dataset


def test_embeddings_are_stored_once_and_reused(small_dataset):
    first = compute_embeddings(small_dataset, options=SERIAL)
    second = compute_embeddings(small_dataset, options=SERIAL)
    assert (first.computed, first.failed) == (12, 0)
    assert (second.computed, second.skipped) == (0, 12)
    vectors = np.stack(small_dataset.values(FIELD))
    assert vectors.shape == (12, 1280) and np.isfinite(vectors).all()
    assert small_dataset.get_field(FIELD).info["synthgap"]["model"] == "efficientnet_lite0"


@pytest.mark.slow
def test_a_loaded_model_embeds_like_its_name(small_dataset):
    from fiftyone_plugin.embeddings import load_model

    assert compute_embeddings(small_dataset, options=SERIAL).computed == 12
    model = load_model("efficientnet_lite0")  # the defaults compute_embeddings loads it with
    loaded = compute_embeddings(small_dataset, model, field="emb_loaded", options=SERIAL)
    assert (loaded.model, loaded.computed) == ("efficientnet_lite0", 12)
    assert small_dataset.get_field("emb_loaded").info["synthgap"]["model"] == "efficientnet_lite0"
    np.testing.assert_array_equal(
        np.stack(small_dataset.values("emb_loaded")), np.stack(small_dataset.values(FIELD))
    )
    # the same loaded model again: nothing left to do, and the stored model name matches
    assert compute_embeddings(small_dataset, model, field="emb_loaded").skipped == 12


def test_bad_files_are_recorded_and_never_stop_the_run(dataset_name, tiny_demo, tmp_path):
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "text.jpg").write_text("this is not a picture")
    good = list_images(tiny_demo["real"])[:4]
    dataset = load_or_create_dataset(dataset_name)
    import_images(dataset, good + [str(tmp_path / "empty.png"), str(tmp_path / "text.jpg")], "real")
    summary = compute_embeddings(dataset, options=SERIAL)
    assert (summary.computed, summary.failed) == (4, 2)
    errors = dict(zip(*dataset.values(["filepath", "load_error"]), strict=True))
    assert all(errors[p] is None for p in good)
    assert errors[str(tmp_path / "empty.png")] and errors[str(tmp_path / "text.jpg")]
    assert compute_embeddings(dataset, options=SERIAL).computed == 0  # bad files are not retried


def test_another_model_into_the_same_field_needs_recompute(small_dataset):
    small_dataset.add_sample_field(FIELD, fo.VectorField)
    small_dataset.get_field(FIELD).info = {"synthgap": {"model": "resnet18", "dim": 512}}
    small_dataset.get_field(FIELD).save()
    with pytest.raises(ValueError, match="holds embeddings of model 'resnet18'"):
        compute_embeddings(small_dataset, field=FIELD, options=SERIAL)


def test_a_user_field_is_never_overwritten(small_dataset):
    small_dataset.add_sample_field("my_vectors", fo.VectorField)
    with pytest.raises(FieldClashError, match="my_vectors"):
        compute_embeddings(small_dataset, field="my_vectors", options=SERIAL)


KILLABLE = """
import sys
from fiftyone_plugin.fo.embeddings import compute_embeddings
import fiftyone as fo
from fiftyone_plugin.options import EmbeddingOptions
options = EmbeddingOptions(num_workers=0, batch_size=4, precision="fp32")
compute_embeddings(fo.load_dataset(sys.argv[1]), options=options, chunk_size=4)
"""


@pytest.mark.slow
def test_a_killed_run_resumes_without_recomputing(dataset_name, tiny_demo):
    dataset = load_or_create_dataset(dataset_name)
    paths = list_images(tiny_demo["real"]) + list_images(tiny_demo["synthetic"])
    import_images(dataset, paths, "real")
    proc = subprocess.Popen([sys.executable, "-c", KILLABLE, dataset.name], env=os.environ.copy())
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        dataset.reload()  # the field is added by the other process
        if dataset.has_sample_field(FIELD) and len(dataset.exists(FIELD)) >= 4:
            break
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    done_before = len(dataset.exists(FIELD))
    assert 4 <= done_before < len(paths), "the run should be killed between chunks"
    summary = compute_embeddings(dataset, options=SERIAL)
    assert summary.skipped == done_before and summary.computed == len(paths) - done_before
    assert len(dataset.exists(FIELD)) == len(paths)
