"""metrics_report: metrics with their readings in the output, the HTML report where asked."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("delegated", [False, True], ids=["immediate", "delegated"])
def test_shows_metrics_with_readings_and_writes_the_report(run_op, analyzed, tmp_path, delegated):
    path = tmp_path / "sub" / "report.html"
    params = {"run": "synthgap", "report_path": str(path)}
    result = run_op("metrics_report", analyzed.name, params, delegated=delegated)
    assert result.result["report"] == str(path)
    assert path.read_text().lstrip().lower().startswith("<!doctype html")
    table = result.result["metrics"]
    assert "| metric | value | what it means |" in table
    assert "| FID (style) |" in table and "| Coverage, style removed |" in table
    assert "_aligned" not in table  # human names, not the stored keys
    assert result.result["diagnosis"]


def test_metrics_without_a_report(run_op, analyzed):
    result = run_op("metrics_report", analyzed.name, {"write_report": False})
    assert result.result["report"] == "" and "| FID (style) |" in result.result["metrics"]


def test_flags_an_existing_report_file_unless_replaced(run_op, analyzed, tmp_path):
    path = tmp_path / "report.html"
    path.write_text("mine")
    run_op.rejects("metrics_report", analyzed.name, {"report_path": str(path)}, "exists")
    assert path.read_text() == "mine"
    run_op.rejects("metrics_report", analyzed.name, {"report_path": str(tmp_path)}, ".html file")
    run_op("metrics_report", analyzed.name, {"report_path": str(path), "overwrite": True})
    assert path.read_text() != "mine"


def test_the_report_lands_under_the_dataset_folder_in_the_home_not_the_servers_folder(
    run_op, analyzed, tmp_path, monkeypatch
):
    """The App server runs in any folder (site-packages once received the report): the default
    report and a relative path typed in the form go under ~/synthgap-out/<dataset>."""
    from fiftyone_plugin.paths import safe_name

    home, server = tmp_path / "home", tmp_path / "server"
    home.mkdir()
    server.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(server)
    base = home / "synthgap-out" / safe_name(analyzed.name)
    result = run_op("metrics_report", analyzed.name, {"run": "synthgap"})
    assert result.result["report"] == str(base / "synthgap-report.html")
    result = run_op("metrics_report", analyzed.name, {"report_path": "sub/mine.html"})
    assert result.result["report"] == str(base / "sub" / "mine.html")
    assert (base / "sub" / "mine.html").is_file() and list(server.iterdir()) == []
