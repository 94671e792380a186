"""Past one machine: several workers sharing one MongoDB split the embedding work.

The test session already runs against a MongoDB of its own given by FIFTYONE_DATABASE_URI (see
tests/conftest.py), which is exactly how several machines share one database. Here two real
`fiftyone delegated launch` processes (the stock orchestrator loop, nothing of ours) execute two
queued compute_embeddings operations, shard 0/2 and 1/2, at the same time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import fiftyone as fo
import numpy as np
import pytest

from fiftyone_plugin.cli import main as synthgap_main
from fiftyone_plugin.fo.embeddings import check_shard, compute_embeddings, in_shard
from fiftyone_plugin.fo.fields import field_meta
from fiftyone_plugin.fo.samples import import_images, list_images
from fiftyone_plugin.options import EmbeddingOptions

#: Real processes and databases: minutes on 2 cores (outside the fast lane).
pytestmark = pytest.mark.slow

URI = "@synthgap/synthgap/compute_embeddings"
#: `fiftyone delegated launch`, run with this interpreter (the same code as the console script).
LAUNCH = [sys.executable, "-c", "from fiftyone.core.cli import main; main()", "delegated", "launch"]
PARAMS = {"model": "efficientnet_lite0", "field": "emb", "device": "cpu", "batch_size": 4,
          "precision": "fp32"}  # fmt: skip


@pytest.fixture
def images24(dataset_name, tiny_demo, tmp_path):
    """24 images of 64 px: 12 real, 11 synthetic and one file that is no image."""
    broken = tmp_path / "broken.png"
    broken.write_text("not a picture")
    dataset = fo.Dataset(dataset_name)
    import_images(dataset, list_images(tiny_demo["real"])[:12], "real")
    synthetic = [p for p in list_images(tiny_demo["synthetic"]) if "junk" not in p][:11]
    import_images(dataset, [*synthetic, str(broken)], "synthetic")
    assert len(dataset) == 24
    return dataset


def _start_worker(log_path: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}  # same FIFTYONE_DATABASE_URI, plugins dir
    with open(log_path, "w") as log:
        return subprocess.Popen(LAUNCH, stdout=log, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)  # fmt: skip


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # the launch loop exits on KeyboardInterrupt
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _wait_for(condition, timeout: float, what: str, logs=()) -> None:
    deadline = time.time() + timeout
    while not condition():
        if time.time() > deadline:
            tails = "\n".join(open(p).read()[-2000:] for p in logs)
            raise AssertionError(f"timed out waiting for {what}\n{tails}")
        time.sleep(0.3)


@pytest.mark.slow
def test_two_workers_split_the_embeddings_and_match_one(images24, tmp_path):
    import fiftyone.operators as foo
    from fiftyone.operators.delegated import DelegatedOperationService
    from fiftyone.operators.executor import ExecutionRunState

    dataset = images24
    single = dataset.clone(dataset.name + "-single")
    dos = DelegatedOperationService()
    assert not dos.get_queued_operations(), "a queued operation would be run by these workers"

    logs = [str(tmp_path / f"worker{i}.log") for i in range(2)]
    workers = [_start_worker(p) for p in logs]
    try:
        # both idle and polling before anything is queued, so each takes one operation
        ready = lambda: all("service running" in open(p).read() for p in logs)  # noqa: E731
        _wait_for(ready, 180, "both workers to start", logs)
        ops = []
        for index in range(2):
            params = {**PARAMS, "shard_index": index, "shard_count": 2}
            ctx = {"dataset": dataset.name, "params": params, "request_delegation": True}
            queued = foo.execute_operator(URI, ctx=ctx)
            assert queued.delegated
            ops.append(queued.result["id"])  # an ObjectId
        finished = (ExecutionRunState.COMPLETED, ExecutionRunState.FAILED)
        done = lambda: all(dos.get(i).run_state in finished for i in ops)  # noqa: E731
        _wait_for(done, 420, "both operations to finish", logs)
    finally:
        for proc in workers:
            _stop(proc)
    docs = [dos.get(i) for i in ops]
    for doc in docs:
        assert doc.run_state == ExecutionRunState.COMPLETED, doc.result.error
    texts = [open(p).read() for p in logs]

    # each worker ran exactly one operation, and the two ran at the same time
    ran = [[str(i) for i in ops if f"Running operation {i}" in text] for text in texts]
    assert sorted(map(len, ran)) == [1, 1] and set(ran[0] + ran[1]) == set(map(str, ops)), ran
    first, second = sorted(docs, key=lambda d: d.started_at)
    assert second.started_at < first.completed_at, "the workers did not overlap"

    # each did its shard: counts match the shard arithmetic, and together they did every sample
    # once (the parts add up to the dataset and every sample has a vector or a load error)
    dataset.reload()
    ids, vectors, errors, paths = dataset.values(["id", "emb", "load_error", "filepath"])
    results = [d.result.result for d in docs]
    assert sorted(r["shard"] for r in results) == ["0/2", "1/2"]
    for r in results:
        shard = check_shard(tuple(int(x) for x in r["shard"].split("/")))
        mine = [k for k, i in enumerate(ids) if in_shard(i, shard)]
        assert r["computed"] == sum(vectors[k] is not None for k in mine) > 0
        assert r["failed"] == sum(errors[k] is not None for k in mine)
        assert r["skipped"] == 0
    assert sum(r["computed"] + r["failed"] for r in results) == len(dataset) == 24
    assert all((v is None) != (e is None) for v, e in zip(vectors, errors, strict=True))
    assert sum(e is not None for e in errors) == 1  # the broken file, in whichever part

    # the fields the two workers created at once are there once, owned by synthgap
    names = [f.name for f in dataset._doc.sample_fields]
    assert names.count("emb") == 1 and names.count("load_error") == 1
    assert field_meta(dataset, "emb") == {"model": "efficientnet_lite0", "dim": 1280}

    # the same vectors as one worker embedding everything
    summary = compute_embeddings(
        single,
        field="emb",
        options=EmbeddingOptions(device="cpu", batch_size=4, num_workers=0, precision="fp32"),
    )
    assert (summary.computed, summary.failed) == (23, 1)
    reference = dict(zip(*single.values(["filepath", "emb"]), strict=True))
    for path, vector in zip(paths, vectors, strict=True):
        assert (vector is None) == (reference[path] is None), path
        if vector is not None:
            np.testing.assert_allclose(vector, reference[path], rtol=1e-4, atol=1e-5)
    fo.delete_dataset(single.name)


def test_shards_are_disjoint_cover_everything_and_are_stable():
    from bson import ObjectId

    ids = [str(ObjectId()) for _ in range(3000)]
    for n in (1, 2, 3, 8):
        owners = [[k for k in range(n) if in_shard(i, (k, n))] for i in ids]
        assert all(len(o) == 1 for o in owners)  # disjoint and covering
        sizes = np.bincount([o[0] for o in owners], minlength=n)
        assert sizes.min() > 0.8 * len(ids) / n  # balanced
    # a sample's shard depends on its id only, not on the other samples
    assert [in_shard(i, (1, 3)) for i in ids[:10]] == [in_shard(i, (1, 3)) for i in ids[:10]]
    for bad in [(2, 2), (-1, 2), (0, 0), (1,), "0/2"]:
        with pytest.raises(ValueError, match="shard"):
            check_shard(bad)


def test_cli_embed_shards_resume_and_reject_bad_parts(dataset_name, tiny_demo, capsys):
    dataset = fo.Dataset(dataset_name)
    import_images(dataset, list_images(tiny_demo["real"])[:6], "real")
    base = ["embed", "--dataset", dataset_name, "--num-workers", "0", "--precision", "fp32"]
    assert synthgap_main([*base, "--shard", "0/2"]) == 0
    n0 = sum(in_shard(i, (0, 2)) for i in dataset.values("id"))
    assert len(dataset.exists("emb_efficientnet_lite0")) == n0
    assert synthgap_main([*base, "--shard", "0/2"]) == 0  # resumes: nothing left in part 0
    assert f"embedded 0, already done {n0}," in capsys.readouterr().out
    assert synthgap_main([*base, "--shard", "1/2"]) == 0
    assert len(dataset.exists("emb_efficientnet_lite0")) == 6
    assert synthgap_main([*base, "--shard", "2/2"]) == 1
    assert synthgap_main([*base, "--shard", "half"]) == 1
    assert "--shard takes I/N" in capsys.readouterr().err


def test_operator_form_rejects_a_worker_index_out_of_range(images24):
    from fiftyone.operators.executor import ExecutionError

    for params in ({"shard_index": 2, "shard_count": 2}, {"shard_count": 0}):
        ctx = {"dataset": images24.name, "params": {**PARAMS, **params}}
        with pytest.raises(ExecutionError, match="Validation error"):
            fo.operators.execute_operator(URI, ctx=ctx)
    assert not images24.has_sample_field("emb")
