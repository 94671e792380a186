"""Fixtures of the robustness tests: the bad folders, one dataset analyzed (and killed) three
times, a private mongod. Helpers for real `synthgap` processes are in processes.py."""

from __future__ import annotations

import os
import shutil

import pytest
from badfiles import make_bad_folder
from processes import ANALYSIS_LABELS, CliProcess, PrivateMongod, analyze_args, cli


@pytest.fixture(scope="session")
def folders(tmp_path_factory) -> dict:
    """A small demo (32 real, 31 synthetic 64-px crops) with the bad folder in each side.

    Returns {"real", "synthetic", "bad": {path: expected reason or None}, "good": [paths]}.
    """
    from fiftyone_plugin.demo import build_demo
    from fiftyone_plugin.fo.samples import list_images

    root = tmp_path_factory.mktemp("mixed")
    truth = build_demo(str(root), per_photo=2, size=64, n_junk=3)
    bad = {}
    for side in ("real", "synthetic"):
        bad.update(make_bad_folder(os.path.join(truth[side], "bad")))
    listed = list_images(truth["real"]) + list_images(truth["synthetic"])
    assert set(bad) <= set(listed)
    good = [p for p in listed if bad.get(p) is None]
    return {"real": truth["real"], "synthetic": truth["synthetic"], "bad": bad, "good": good}


@pytest.fixture(scope="session")
def small_folders(folders, tmp_path_factory) -> dict:
    """The fewest images the analysis takes (22 real, 6 synthetic: links to demo images), for
    tests whose cost is the number of processes, not of images. Returns {"real", "synthetic",
    "good": [paths]}."""
    root = tmp_path_factory.mktemp("small")
    small = {"good": []}
    for side, n in (("real", 22), ("synthetic", 6)):
        small[side] = str(root / side)
        os.makedirs(small[side])
        names = sorted(n for n in os.listdir(folders[side]) if n.endswith(".png"))
        for name in names[:: len(names) // n][:n]:
            os.symlink(os.path.join(folders[side], name), os.path.join(small[side], name))
            small["good"].append(os.path.join(small[side], name))
    return small


@pytest.fixture(scope="session")
def bad_runs(folders, tmp_path_factory) -> dict:
    """The same `synthgap analyze` of the bad folders three times on one dataset:

    - "killed": the first run, killed once its analysis step had started (embeddings stored),
      with the dataset's state right after the kill;
    - "first": run again, to the end; "second": the same command once more;
    - "marked": (sample id, vector) of an embedding changed between the kill and the reruns.
    """
    import fiftyone as fo

    dataset = "robust-bad"
    if fo.dataset_exists(dataset):
        fo.delete_dataset(dataset)
    outs = {k: str(tmp_path_factory.mktemp(k)) for k in ("killed", "first", "second")}
    proc = CliProcess(*analyze_args(folders, dataset, outs["killed"]))
    reached = proc.wait_for(ANALYSIS_LABELS)
    proc.kill()
    ds = fo.load_dataset(dataset, reload=True)
    after_kill = {
        "reached_analysis": reached,
        "n_samples": len(ds),
        "n_embedded": len(ds.exists("emb_efficientnet_lite0")),
        "fields": set(ds.get_field_schema()),
        "runs": ds.list_runs(),
        "brain_runs": ds.list_brain_runs(),
        "saved_views": ds.list_saved_views(),
        "tags": ds.distinct("tags"),
        "stderr": proc.stderr,
    }
    # A marked vector: still there after the reruns only if stored embeddings are reused.
    marked = ds.exists("emb_efficientnet_lite0").first()
    vector = marked["emb_efficientnet_lite0"].copy()
    vector[0] += 1.0
    marked["emb_efficientnet_lite0"] = vector
    marked.save()
    runs = {"killed": after_kill, "dataset": dataset, "outs": outs, "marked": (marked.id, vector)}
    for key in ("first", "second"):
        runs[key] = cli(*analyze_args(folders, dataset, outs[key]))
    return runs


@pytest.fixture
def private_mongod(tmp_path):
    """A started PrivateMongod in a temp dir, stopped and deleted afterwards."""
    mongod = PrivateMongod(str(tmp_path / "db"))
    mongod.start()
    yield mongod
    mongod.stop()
    shutil.rmtree(mongod.dbpath, ignore_errors=True)
