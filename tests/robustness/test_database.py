"""MongoDB going away in the middle of `synthgap analyze`: the run stops with a clear one-line error,
and once the database is back the same command completes, with nothing duplicated or half-written.

The database is a private mongod (see processes.PrivateMongod), killed with SIGKILL the way an
operator (or the OOM killer) would, found by its --dbpath."""

from __future__ import annotations

import os

import pytest
from processes import (
    ANALYSIS_LABELS,
    CliProcess,
    analyze_args,
    cli,
    env_with_database,
    one_line_error,
    read_csv,
)

#: Real processes and databases: minutes on 2 cores (outside the fast lane).
pytestmark = pytest.mark.slow

#: Progress labels of the embedding step.
EMBEDDING_LABELS = ("Embedded",)


def test_a_database_restart_mid_run_fails_clearly_and_a_rerun_completes(
    private_mongod, small_folders, tmp_path
):
    env = env_with_database(private_mongod.uri)
    args = analyze_args(small_folders, "robust-db", str(tmp_path / "out"))
    proc = CliProcess(*args, env=env)
    assert proc.wait_for(EMBEDDING_LABELS + ANALYSIS_LABELS), proc.stderr[-3000:]
    private_mongod.kill_by_dbpath()
    line = one_line_error(proc.wait(120))
    assert "database" in line and "went away" in line, line
    assert "embedding chunks that finished are stored" in line, line
    assert "rerun the same command to resume" in line, line

    private_mongod.start()  # the same dbpath and port: a restart
    done = cli(*args, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = read_csv(str(tmp_path / "out" / "samples.csv"))
    paths = [r["filepath"] for r in rows]
    assert len(paths) == len(set(paths)) == len(small_folders["good"])  # no duplicate samples
    assert all(r["cluster"] != "" and r["load_error"] == "" for r in rows)  # all analyzed


def test_no_database_at_all_is_a_clear_error(tmp_path, small_folders):
    env = env_with_database("mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=2000")
    line = one_line_error(cli(*analyze_args(small_folders, "robust-nodb", str(tmp_path)), env=env))
    assert "database" in line, line
    assert not os.path.exists(tmp_path / "samples.csv")


#: Rewrites columns of a dataset on the database FIFTYONE_DATABASE_URI names until told to stop
#: (a file appears), printing "ready" first and "done <rounds>" at the end.
WRITER = """
import os, sys
import fiftyone as fo
from fiftyone_plugin.fo.bulk import retry_on_reconnect, write_columns

stop = sys.argv[1]
dataset = fo.Dataset("robust-retry")
dataset.add_samples([fo.Sample(filepath=f"/data/{i}.png") for i in range(2000)], progress=False)
dataset.add_sample_field("score", fo.IntField)
ids = dataset.values("id")
print("ready", flush=True)
rounds = 0
while not os.path.exists(stop):
    rounds += 1
    write_columns(dataset, ids, {"score": [rounds] * len(ids)})
    retry_on_reconnect(dataset.set_values, "score", [rounds] * len(ids))  # as embeddings.py does
print("done", rounds, flush=True)
assert dataset.distinct("score") == [rounds]
"""


def test_writes_go_on_through_a_quick_database_restart(private_mongod, tmp_path):
    """The idempotent bulk writes (write_columns, the embedding chunks' set_values) wait out a
    database that goes away for a second or two instead of failing the run."""
    import subprocess
    import sys
    import time

    from processes import REPO_ROOT

    stop = tmp_path / "stop"
    env = env_with_database(private_mongod.uri)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(stop)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=env, cwd=REPO_ROOT,
    )  # fmt: skip
    try:
        for line in writer.stdout:
            if line.strip() == "ready":
                break
        else:
            raise AssertionError(f"the writer ended before writing: {writer.stderr.read()[-3000:]}")
        for _ in range(2):  # two restarts in the middle of writes
            time.sleep(1.0)
            private_mongod.kill_by_dbpath()
            time.sleep(0.5)
            private_mongod.start()
        time.sleep(1.0)
        stop.touch()
        out, err = writer.communicate(timeout=120)
    finally:
        if writer.poll() is None:
            writer.kill()
    assert writer.returncode == 0, err[-3000:]
    assert out.startswith("done"), out


#: Creates datasets argv[2:] with argv[1] samples each on the database FIFTYONE_DATABASE_URI names.
CREATE = """
import sys
import fiftyone as fo
for name in sys.argv[2:]:
    dataset = fo.Dataset(name, persistent=True)
    dataset.add_samples([fo.Sample(filepath=f"/data/{i}.png") for i in range(int(sys.argv[1]))])
"""

#: Prints len(dataset) and the number of its samples counted one by one.
COUNT = """
import sys
import fiftyone as fo
dataset = fo.load_dataset(sys.argv[1])
print(len(dataset), len(dataset.values("id")))
"""

#: Runs the plugin's repair_counts operator on dataset argv[1], as the App does when it opens the
#: dataset; prints the App operators it triggers, then len(dataset).
OPEN_IN_APP = """
import sys
import fiftyone as fo
import fiftyone.operators as foo
done = foo.execute_operator("@synthgap/synthgap/repair_counts", ctx={"dataset": sys.argv[1]})
done.raise_exceptions()
requests = done.executor.to_json()["requests"]
print(*[r["operator_uri"] for r in requests if r["operator_uri"] != "console_log"])
print(len(fo.load_dataset(sys.argv[1])))
"""


def test_a_stale_count_after_a_killed_database_is_repaired_by_the_next_run(private_mongod):
    """SIGKILL before MongoDB's checkpoint leaves a dataset's fast count at 0 although every
    sample is stored; the next synthgap command, or the App opening the dataset, recounts it and
    says so."""
    import subprocess
    import sys

    from processes import REPO_ROOT

    env = env_with_database(private_mongod.uri)

    def python(script: str, *args: str) -> list[str]:
        done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True,
                              text=True, env=env, cwd=REPO_ROOT, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout.split()

    python(CREATE, "480", "robust-count", "robust-count-app")
    private_mongod.kill_by_dbpath()  # before the next checkpoint (every 60 s)
    private_mongod.start()
    for name in ("robust-count", "robust-count-app"):
        assert python(COUNT, name) == ["0", "480"]  # the stale count, as a user saw it

    done = cli("runs", "--dataset", "robust-count", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    warning = [line for line in done.stderr.splitlines() if line.startswith("synthgap: warning:")]
    assert len(warning) == 1, done.stderr[-3000:]
    assert "holds 480" in warning[0] and "read 0" in warning[0] and "now reads 480" in warning[0]
    assert python(COUNT, "robust-count") == ["480", "480"]
    done = cli("runs", "--dataset", "robust-count", env=env)  # nothing left to repair
    assert done.returncode == 0 and "warning" not in done.stderr, done.stderr[-3000:]

    assert python(OPEN_IN_APP, "robust-count-app") == ["notify", "reload_dataset", "480"]
    assert python(OPEN_IN_APP, "robust-count-app") == ["480"]  # nothing left: no notification
