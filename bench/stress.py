"""Stress `synthgap analyze`: bad files, killed runs, a database restart; then check what is left.

    .venv/bin/python bench/stress.py             # ~3-5 minutes on 2 CPU cores
    .venv/bin/python bench/stress.py --per-photo 30 --keep

Builds the demo folders with the bad folder (tests/badfiles.py) in each side, then runs the same
`synthgap analyze` command as real processes against a private mongod of its own (never your
FiftyOne database):

  1. killed as soon as the dataset exists (importing), 2. the database killed (SIGKILL) once
  embedding started, then restarted, 3. killed once embedding started, 4. killed while analyzing,
  5. run to the end, 6. run to the end again.

Then it prints one table of guarantees (every good image analyzed, every bad one reported with its
reason, no duplicate sample, no half-written field, identical reruns) and the bad files with the
reasons found. Exit status 0 when every guarantee holds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [
    str(HERE.parent),
    str(HERE.parent / "tests"),
    str(HERE.parent / "tests" / "robustness"),
]

from badfiles import make_bad_folder  # noqa: E402
from processes import (  # noqa: E402
    ANALYSIS_LABELS,
    CliProcess,
    PrivateMongod,
    analyze_args,
    cli,
    env_with_database,
    read_csv,
)

RESULT_FIELDS = ("cluster", "gap_score", "uncovered", "gap_region", "realism")
DATASET = "stress"


def build_folders(root: str, per_photo: int) -> dict:
    from fiftyone_plugin.demo import build_demo
    from fiftyone_plugin.fo.samples import list_images

    truth = build_demo(root, per_photo=per_photo, size=64, n_junk=3)
    bad = {}
    for side in ("real", "synthetic"):
        bad.update(make_bad_folder(os.path.join(truth[side], "bad")))
    listed = list_images(truth["real"]) + list_images(truth["synthetic"])
    good = sorted(p for p in listed if bad.get(p) is None)
    return {"real": truth["real"], "synthetic": truth["synthetic"], "bad": bad, "good": good}


def interrupted_runs(folders: dict, work: str, mongod: PrivateMongod, env: dict) -> list[tuple]:
    """Steps 1-4: each run stopped at a different point; returns (step, what happened) rows."""
    import fiftyone as fo
    import fiftyone.core.odm as foo

    def dataset():
        return fo.load_dataset(DATASET, reload=True) if fo.dataset_exists(DATASET) else None

    def importing() -> bool:
        return dataset() is not None

    def embedding() -> bool:
        ds = dataset()
        return ds is not None and ds.has_sample_field("load_error")

    def analyzing(proc: CliProcess) -> bool:
        return any(label in proc.stderr for label in ANALYSIS_LABELS)

    def counts() -> str:
        """Straight from the database: FiftyOne caches a dataset object per name."""
        db = foo.get_db_conn()
        doc = db.datasets.find_one({"name": DATASET})
        if doc is None:
            return "no dataset"
        samples = db[doc["sample_collection_name"]]
        embedded = samples.count_documents({"emb_efficientnet_lite0": {"$ne": None}})
        runs = sorted(doc.get("runs") or {})
        persistent = "" if doc.get("persistent") else " (not yet persistent)"
        return (
            f"{samples.count_documents({})} samples{persistent}, {embedded} embedded, runs {runs}"
        )

    def run_until(ready) -> CliProcess:
        proc = CliProcess(*analyze_args(folders, DATASET, os.path.join(work, "killed")), env=env)
        while proc.proc.poll() is None and not ready(proc):
            time.sleep(0.05)
        return proc

    def kill_run(ready) -> str:
        proc = run_until(ready)
        ended = proc.proc.poll()
        proc.kill()
        return f"{'killed' if ended is None else f'ended first (exit {ended})'}; left {counts()}"

    def kill_database(ready) -> str:
        proc = run_until(ready)
        mongod.kill_by_dbpath()
        done = proc.wait(600)
        mongod.start()
        said = [line for line in done.stderr.splitlines() if line.startswith("synthgap:")]
        return f"exit {done.returncode}: {(said or ['-'])[-1][:60]}...; left {counts()}"

    return [
        ("run killed once the dataset exists", kill_run(lambda proc: importing())),
        ("database killed once embedding started", kill_database(lambda proc: embedding())),
        ("run killed once embedding started", kill_run(lambda proc: embedding())),
        ("run killed while analyzing", kill_run(analyzing)),
    ]


def dataset_state() -> dict:
    """Samples, errors and result fields of the stress dataset."""
    import fiftyone as fo

    ds = fo.load_dataset(DATASET, reload=True)
    fields = ["filepath", "domain", "load_error", "emb_efficientnet_lite0", *RESULT_FIELDS]
    rows = [dict(zip(fields, v, strict=True)) for v in zip(*ds.values(fields), strict=True)]
    for row in rows:
        row["emb_efficientnet_lite0"] = row["emb_efficientnet_lite0"] is not None
    return {
        "rows": rows,
        "runs": ds.list_runs(),
        "brain": ds.list_brain_runs(),
        "uncovered_tag": sorted(ds.match_tags("uncovered").values("filepath")),
    }


def check(folders: dict, state: dict, csv_a: list[dict], csv_b: list[dict]) -> list[tuple]:
    """(guarantee, expected, observed, ok) rows."""
    rows = state["rows"]
    by_path = {r["filepath"]: r for r in rows}
    good, bad = set(folders["good"]), {p: r for p, r in folders["bad"].items() if r}
    analyzed = {p for p, r in by_path.items() if r["cluster"] is not None}
    reported = {
        p for p, reason in bad.items() if reason in (by_path.get(p, {}).get("load_error") or "")
    }
    csv_errors = {r["filepath"]: r["load_error"] for r in csv_a if r["load_error"]}
    in_csv = {p for p, reason in bad.items() if reason in csv_errors.get(p, "")}
    paths = [r["filepath"] for r in rows]
    half = 0
    for r in rows:
        if r["filepath"] in good:
            needed = (
                ("cluster", "gap_score", "uncovered")
                if r["domain"] == "real"
                else ("cluster", "realism")
            )
            half += any(r[k] is None for k in needed) or not r["emb_efficientnet_lite0"]
        else:
            half += any(r[k] is not None for k in RESULT_FIELDS)
    uncovered = sorted(r["filepath"] for r in rows if r["uncovered"])
    return [
        ("good images analyzed", len(good), len(analyzed & good), analyzed == good),
        ("bad images with their reason (dataset)", len(bad), len(reported), len(reported) == len(bad)),
        ("bad images with their reason (samples.csv)", len(bad), len(in_csv), len(in_csv) == len(bad)),
        ("samples (one per file)", len(good | set(bad)), len(paths), len(paths) == len(good | set(bad))),
        ("duplicate samples", 0, len(paths) - len(set(paths)), len(paths) == len(set(paths))),
        ("half-written or stray result values", 0, half, half == 0),
        ("uncovered tag == uncovered field", "equal", "equal" if uncovered == state["uncovered_tag"] else "differ",
         uncovered == state["uncovered_tag"]),
        ("runs / visualizations", "synthgap / synthgap_umap", f"{state['runs']} / {state['brain']}",
         state["runs"] == ["synthgap"] and state["brain"] == ["synthgap_umap"]),
        ("rerun gives the same samples.csv", "identical", "identical" if csv_a == csv_b else "differs",
         csv_a == csv_b),
    ]  # fmt: skip


def table(header: tuple, rows: list[tuple]) -> str:
    cells = [tuple(str(c) for c in header)] + [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-photo", type=int, default=4, help="demo crops per photo and side")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and database")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="synthgap-stress-")
    mongod = PrivateMongod(os.path.join(work, "db"))
    env = env_with_database(mongod.uri)
    os.environ.update(env)  # before fiftyone is imported: this process reads the same database
    mongod.start()
    try:
        folders = build_folders(os.path.join(work, "images"), args.per_photo)
        n_bad = sum(r is not None for r in folders["bad"].values())
        print(f"{len(folders['good'])} readable and {n_bad} unreadable files; work folder {work}\n")
        steps = interrupted_runs(folders, work, mongod, env)
        outs = []
        for i in (1, 2):
            out = os.path.join(work, f"run{i}")
            done = cli(*analyze_args(folders, DATASET, out), env=env, timeout=1800)
            steps.append((f"run to the end ({i})", f"exit {done.returncode}"))
            if done.returncode:
                print(done.stderr[-3000:], file=sys.stderr)
                return 1
            outs.append(read_csv(os.path.join(out, "samples.csv")))
        print(table(("step", "outcome"), steps), end="\n\n")
        state = dataset_state()
        checks = check(folders, state, *outs)
        print(table(("guarantee", "expected", "observed", "ok"), checks), end="\n\n")
        errors = {r["filepath"]: r["load_error"] for r in state["rows"]}
        bad_rows = [
            (os.path.relpath(p, folders["real"] if "/real/" in p else folders["synthetic"]),
             "real" if "/real/" in p else "synthetic", reason, errors.get(p) or "(none)")
            for p, reason in sorted(folders["bad"].items()) if reason
        ]  # fmt: skip
        print(table(("bad file", "side", "expected reason", "reported"), bad_rows))
        return 0 if all(ok for *_, ok in checks) else 1
    finally:
        mongod.stop()
        if args.keep:
            print(f"\nkept {work} (mongod data in {mongod.dbpath})")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
