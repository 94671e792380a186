"""Two `synthgap analyze` processes started together on the same dataset with different run names:
both complete with their own results intact, and what the user had there is untouched."""

from __future__ import annotations

import os

import fiftyone as fo
import pytest
from processes import CliProcess, analyze_args, read_csv

from fiftyone_plugin.fo.runs import RESULT_FIELDS

#: Real processes and databases: minutes on 2 cores (outside the fast lane).
pytestmark = pytest.mark.slow

RUNS = ("alpha", "beta")
USER_PATH = "/photos/mine.png"


@pytest.fixture(scope="module")
def at_once(small_folders, tmp_path_factory):
    """A user's dataset (one sample, a `gap_score` field and a saved view of their own) that two
    processes analyze at once, as runs alpha and beta; both start before either has imported."""
    name = "robust-concurrent"
    if fo.dataset_exists(name):
        fo.delete_dataset(name)
    dataset = fo.Dataset(name, persistent=True)
    dataset.add_sample(fo.Sample(filepath=USER_PATH, gap_score=0.25))
    dataset.save_view("alpha-favourites", dataset.limit(1))
    outs = {run: str(tmp_path_factory.mktemp(run)) for run in RUNS}
    procs = {
        run: CliProcess(*analyze_args(small_folders, name, outs[run], "--run", run)) for run in RUNS
    }
    done = {run: proc.wait(600) for run, proc in procs.items()}
    dataset.reload()
    return {"dataset": dataset, "done": done, "outs": outs}


def test_both_runs_complete(at_once):
    for run, done in at_once["done"].items():
        assert done.returncode == 0, (run, done.stderr[-3000:])


def test_no_sample_is_added_twice(at_once, small_folders):
    paths = at_once["dataset"].values("filepath")
    assert len(paths) == len(set(paths)) == len(small_folders["good"]) + 1


def test_each_run_has_all_its_results(at_once, small_folders):
    dataset = at_once["dataset"]
    for run in RUNS:
        fields = [f"{run}_{short}" for short in RESULT_FIELDS]
        assert set(fields) <= set(dataset.get_field_schema()), run
        cluster = dataset.exists(f"{run}_cluster").values("filepath")
        assert sorted(cluster) == sorted(small_folders["good"]), run
        real = dataset.match(fo.ViewField("domain") == "real").exists(f"{run}_cluster")
        assert len(real.exists(f"{run}_gap_score")) == len(real), run
        assert run in dataset.list_runs() and f"{run}_umap" in dataset.list_brain_runs()
        assert len(dataset.load_brain_results(f"{run}_umap").points) == len(small_folders["good"])
        views = [v for v in dataset.list_saved_views() if v.startswith(f"{run}-")]
        assert f"{run}-uncovered" in views and f"{run}-least-realistic" in views, views


def test_both_runs_found_the_same_results(at_once):
    alpha, beta = (read_csv(os.path.join(at_once["outs"][run], "samples.csv")) for run in RUNS)
    assert alpha == beta  # same images, same seed: concurrent writes corrupted neither


def test_the_users_field_sample_and_view_are_untouched(at_once):
    dataset = at_once["dataset"]
    assert dataset.get_field("gap_score").info in (None, {})
    assert dataset.exists("gap_score").values("filepath") == [USER_PATH]
    assert dataset.exists("gap_score").values("gap_score") == [0.25]
    assert "alpha-favourites" in dataset.list_saved_views()


def test_a_lock_left_by_a_killed_process_does_not_block_the_next_run(dataset_name):
    import socket
    import subprocess
    import sys
    import time
    from datetime import datetime, timedelta, timezone

    import fiftyone.core.odm as foo

    from fiftyone_plugin.fo.locks import COLLECTION, dataset_lock

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    locks = foo.get_db_conn()[COLLECTION]
    expires = datetime.now(timezone.utc) + timedelta(hours=1)
    locks.insert_one({"_id": f"{dataset_name}/import", "host": socket.gethostname(),
                      "pid": dead.pid, "token": "killed", "expires": expires})  # fmt: skip
    start = time.time()
    with dataset_lock(dataset_name, "import"):
        assert locks.find_one({"_id": f"{dataset_name}/import"})["pid"] != dead.pid
    assert time.time() - start < 5
    assert locks.find_one({"_id": f"{dataset_name}/import"}) is None
