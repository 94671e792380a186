"""Long operators show their progress wherever they run: streamed to the App when it waits for
the run (then the App operators the run asked for, then its output), through ``ctx.set_progress``
when delegated, and on a terminal bar from Python's ``execute_operator``."""

from __future__ import annotations

import asyncio

import pytest

PLUGIN = "@synthgap/synthgap"
PARAMS = {"model": "efficientnet_lite0", "field": "emb", "batch_size": 4, "device": "cpu"}


def _app_stream(dataset, params: dict, operator="compute_embeddings") -> list[tuple[str, dict]]:
    """Run ``operator`` as the App does when the user clicks Execute (the request names the
    operator, and the App reads the messages the generator streams); returns (operator, params)
    of each."""
    from fiftyone.operators.executor import execute_or_delegate_operator

    uri = f"{PLUGIN}/{operator}"
    request = {"dataset_name": dataset.name, "operator_uri": uri, "params": params}
    result = asyncio.run(execute_or_delegate_operator(uri, request))
    result.raise_exceptions()
    assert result.is_generator
    messages = [m.body.to_json() for m in result.result]
    return [(m["operator_uri"], m["params"]) for m in messages]


def _progress(messages: list[tuple[str, dict]]) -> list[dict]:
    """The progress messages of a stream, checked: labelled, rising, ending at 100%."""
    progress = [p for uri, p in messages if uri == "set_progress"]
    assert progress and progress[-1]["progress"] == 1.0
    assert all(p["label"] for p in progress)
    assert [p["progress"] for p in progress] == sorted(p["progress"] for p in progress)
    return progress


def test_run_now_from_the_app_streams_progress_then_the_output(small):
    messages = _app_stream(small, PARAMS)
    uris = [uri for uri, _ in messages]
    progress = _progress(messages)
    # after the progress: the App reloads the dataset, then shows the result in the form
    assert uris[len(progress) :] == ["reload_dataset", "show_output"]
    output = messages[-1][1]
    assert output["results"] == {"field": "emb", "computed": 12, "skipped": 0, "failed": 0}
    assert "Embedded" in str(output["outputs"])  # the operator's own resolve_output
    assert small.exists("emb").count() == 12


def test_a_failing_run_in_the_app_says_why(small):
    messages = _app_stream(small, {**PARAMS, "model": "zoo:no-such-model"})
    notes = [p for uri, p in messages if uri == "notify"]
    assert len(notes) == 1 and notes[0]["variant"] == "error"
    assert "Compute synthgap embeddings failed" in notes[0]["message"]
    assert "show_output" not in [uri for uri, _ in messages]


def test_from_python_a_terminal_bar_and_the_result(run_op, small, capfd):
    result = run_op("compute_embeddings", small.name, PARAMS)
    assert result.result["computed"] == 12
    assert "100%" in capfd.readouterr().err


def test_curation_run_now_streams_progress_then_reloads_and_shows_what_it_kept(analyzed):
    messages = _app_stream(analyzed, {"run": "synthgap"}, "curate_synthetic")
    progress = _progress(messages)
    assert [uri for uri, _ in messages][len(progress) :] == ["reload_dataset", "show_output"]
    analyzed.reload()
    n_kept = analyzed.match_tags("curated").count()
    assert progress[0]["label"] == "reading embeddings"
    assert progress[-1]["label"] == f"kept {n_kept} synthetic samples"
    assert n_kept and messages[-1][1]["results"]["summary"].startswith(f"{n_kept} of ")


def test_metrics_and_report_run_now_streams_the_reports_steps(analyzed, tmp_path):
    path = tmp_path / "report.html"
    params = {"run": "synthgap", "report_path": str(path)}
    messages = _app_stream(analyzed, params, "metrics_report")
    progress = _progress(messages)
    # the first step and the last always show (steps within a second of the last one do not)
    assert progress[0]["label"] == "reading the metrics of run 'synthgap'"
    assert progress[-1]["label"] == "report written"
    assert [uri for uri, _ in messages][len(progress) :] == ["show_output"]
    assert messages[-1][1]["results"]["report"] == str(path) and path.is_file()


@pytest.mark.parametrize("operator", ["curate_synthetic", "metrics_report"])
def test_delegated_curation_and_report_record_their_progress(run_op, analyzed, tmp_path, operator):
    from fiftyone.operators.delegated import DelegatedOperationService

    params = {"run": "synthgap", "report_path": str(tmp_path / "report.html")}
    run_op(operator, analyzed.name, params, delegated=True)
    (op,) = DelegatedOperationService().list_operations(dataset_name=analyzed.name)
    assert op.status.progress == 1.0 and op.status.label


@pytest.mark.parametrize("operator", ["curate_synthetic", "metrics_report"])
def test_curation_and_report_from_python_show_a_terminal_bar(
    run_op, analyzed, tmp_path, capfd, operator
):
    params = {"run": "synthgap", "report_path": str(tmp_path / "report.html")}
    run_op(operator, analyzed.name, params)
    assert "100%" in capfd.readouterr().err
