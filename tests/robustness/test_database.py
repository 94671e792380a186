"""MongoDB going away in the middle of `synthgap analyze`: the run stops with a clear one-line error,
and once the database is back the same command completes, with nothing duplicated or half-written.

The database is a private mongod (see processes.PrivateMongod), killed with SIGKILL the way an
operator (or the OOM killer) would, found by its --dbpath."""

from __future__ import annotations

import os

from processes import (
    ANALYSIS_LABELS,
    CliProcess,
    analyze_args,
    cli,
    env_with_database,
    one_line_error,
    read_csv,
)

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
    assert "database" in line and "rerun" in line, line

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
