"""``synthgap app`` runs what the App schedules: a local worker (``fiftyone delegated launch``),
started and stopped with the App, executes a queued synthgap operation."""

from __future__ import annotations

import time

import fiftyone as fo
import fiftyone.operators as foo
from fiftyone.operators.delegated import DelegatedOperationService
from fiftyone.operators.executor import ExecutionRunState

from fiftyone_plugin.fo.app import delegated_worker
from fiftyone_plugin.fo.samples import import_images, list_images


def test_the_worker_runs_a_scheduled_operation_and_stops_with_the_app(dataset_name, tiny_demo):
    dataset = fo.Dataset(dataset_name)
    import_images(dataset, list_images(tiny_demo["real"])[:4], "real")
    params = {"model": "efficientnet_lite0", "field": "emb", "batch_size": 4, "device": "cpu"}
    service = DelegatedOperationService()
    with delegated_worker() as worker:
        queued = foo.execute_operator(
            "@synthgap/synthgap/compute_embeddings",
            ctx={"dataset": dataset.name, "params": params, "request_delegation": True},
        )
        assert queued.delegated
        deadline = time.time() + 240
        while True:
            (op,) = service.list_operations(dataset_name=dataset.name)
            if op.run_state in (ExecutionRunState.COMPLETED, ExecutionRunState.FAILED):
                break
            assert worker.poll() is None, "the worker stopped"
            assert time.time() < deadline, f"still {op.run_state} after 240 s"
            time.sleep(1)
    assert worker.poll() is not None  # stopped with the block
    assert op.run_state == ExecutionRunState.COMPLETED, op.run_state
    assert op.status.progress == 1.0  # delegated progress reached the orchestrator's record
    dataset.reload()
    assert dataset.exists("emb").count() == 4
