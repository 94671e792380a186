"""Operator tests: every operator runs through FiftyOne's own ``execute_operator``, immediately
and delegated (queued, then executed in this process), on small datasets of real images."""

from __future__ import annotations

import pytest

PLUGIN = "@synthgap/synthgap"


class Runner:
    """Runs synthgap operators the way the App does, from Python."""

    def __call__(
        self, operator: str, dataset: str, params: dict, delegated=False, view=None, selected=None
    ):
        """Execute ``operator``; delegated runs are queued and then executed here. Returns the
        ExecutionResult (its ``result`` is what ``execute`` returned)."""
        import fiftyone.operators as foo
        from fiftyone.operators.delegated import DelegatedOperationService

        ctx = {"dataset": dataset, "params": params, "request_delegation": delegated}
        if view is not None:
            ctx["view"] = view
        if selected is not None:
            ctx["selected"] = selected
        result = foo.execute_operator(f"{PLUGIN}/{operator}", ctx=ctx)
        if not delegated:
            return result
        assert result.delegated, f"{operator} was not queued for delegated execution"
        done = DelegatedOperationService().execute_queued_operations(dataset_name=dataset)
        assert len(done) == 1
        done[0].raise_exceptions()
        assert done[0].outputs_schema is not None  # resolve_output ran on the results
        return done[0]

    def rejects(self, operator: str, dataset: str, params: dict, match: str, **ctx) -> None:
        """Assert that the form of ``operator`` is invalid for ``params``, saying ``match``."""
        import re

        from fiftyone.operators.executor import ExecutionError

        with pytest.raises(ExecutionError, match="Validation error") as info:
            self(operator, dataset, params, **ctx)
        assert re.search(match, str(info.value)), str(info.value)

    @staticmethod
    def triggers(result) -> list[str]:
        """URIs of the App operators an immediate run asked the App to run afterwards (without
        the console_log lines that ``ctx.set_progress`` sends when not delegated)."""
        requests = result.executor.to_json()["requests"]
        return [r["operator_uri"] for r in requests if r["operator_uri"] != "console_log"]

    @staticmethod
    def trigger_params(result, uri: str) -> dict:
        """The params of the (first) request to run App operator ``uri``."""
        requests = result.executor.to_json()["requests"]
        return next(r["params"] for r in requests if r["operator_uri"] == uri)


@pytest.fixture(scope="session")
def run_op() -> Runner:
    return Runner()


@pytest.fixture
def small(dataset_name, tiny_demo):
    """Six real and six synthetic images of the tiny demo, no embeddings."""
    import fiftyone as fo

    from fiftyone_plugin.fo.samples import import_images, list_images

    dataset = fo.Dataset(dataset_name)
    import_images(dataset, list_images(tiny_demo["real"])[:6], "real")
    import_images(dataset, list_images(tiny_demo["synthetic"])[:6], "synthetic")
    return dataset
