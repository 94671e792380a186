"""The "Synthetic vs Real" panel: what it shows is what the run stored, presented as the HTML report
presents it (the pure pieces: tests/report/test_presentation.py); its events ask the App for the
right views."""

from __future__ import annotations

import copy
import sys

import fiftyone as fo
import pytest
from fiftyone.core.view import DatasetView

from fiftyone_plugin.fo.regions import list_regions
from fiftyone_plugin.fo.runs import RunNames, list_analyses, load_summary
from fiftyone_plugin.report.document import document_of
from fiftyone_plugin.report.grades import format_value
from fiftyone_plugin.report.verdict import advice, headline

PANEL = "@synthgap/synthgap/synthgap_panel"


def _panel_module():
    """operators/panel.py as FiftyOne's plugin loader imported it."""
    from fiftyone.operators.registry import OperatorRegistry

    return sys.modules[type(OperatorRegistry().get_operator(PANEL)).__module__]


P = _panel_module()

# ---------------------------------------------------------------------------------------------
# The model of a really analyzed dataset


def test_panel_model_shows_what_the_run_stored(analyzed):
    model = P.panel_model(analyzed)
    summary = load_summary(analyzed, "synthgap")
    document = document_of(summary)
    names = RunNames("synthgap")

    assert model["run"] == "synthgap" and [r["run"] for r in model["runs"]] == ["synthgap"]
    assert model["headline"] == headline(document)
    assert summary["model"] == "efficientnet_lite0"  # the run stores its model: the advice reads it
    assert 0.0 <= summary["layout_share"] < 0.05  # photo crops: no fixed layout
    assert model["headline"]["advice"] == advice(
        document["diagnosis"]["kind"], "efficientnet_lite0", summary["layout_share"]
    )
    shown = {c["key"]: c["value"] for c in model["metrics"]}
    assert shown and all(shown[k].startswith(format_value(document[k])) for k in shown)

    regions = list_regions(analyzed, "synthgap")
    assert [r["key"] for r in model["regions"]] == [r.key for r in regions]
    real = analyzed.match(fo.ViewField("domain") == "real")
    for row in model["regions"]:
        kind, _, value = row["key"].partition(":")
        if kind == "region":
            assert row["real"] == len(real.match(fo.ViewField(names.field("gap_region")) == value))

    synthetic = analyzed.match(fo.ViewField("domain") == "synthetic")
    assert sum(model["realism"]["data"][0]["y"]) == len(synthetic.exists(names.field("realism")))
    assert len(model["galleries"]) == min(len(summary["regions"]), 6)
    for gallery in model["galleries"]:
        for example in gallery["real"] + gallery["synthetic"]:
            assert analyzed[example["id"]].filepath == example["path"]
    assert model["views"] == {
        "uncovered": "synthgap-uncovered",
        "least-realistic": "synthgap-least-realistic",
    }
    assert model["brain_key"] == names.brain_key


@pytest.mark.slow
def test_panel_model_follows_the_run_history(analyzed):
    from fiftyone_plugin.core.config import AnalysisConfig
    from fiftyone_plugin.fo.analysis import analyze

    analyze(analyzed, run_key="second", config=AnalysisConfig(seed=1))
    newest, first = P.panel_model(analyzed), P.panel_model(analyzed, "synthgap")
    assert newest["run"] == "second" and first["run"] == "synthgap"
    assert (
        [r["run"] for r in newest["runs"]]
        == ["second", "synthgap"]
        == list_analyses(analyzed)[::-1]
    )
    assert len(newest["history"]["data"][0]["x"]) == 2
    assert P.panel_model(analyzed, "no-such-run")["run"] == "second"

    # the run selector and a click on a point of the history plot both switch runs
    state = _loaded_state(analyzed)
    assert state["run"] == "second"
    for method, params in (
        ("change_run", {"value": "synthgap"}),
        ("show_history_run", {"id": "synthgap"}),
    ):
        triggers, _ = _event(analyzed, method, state, **params)
        switched = triggers["patch_panel_state"]["state"]
        assert switched["run"] == "synthgap" and switched["gen"] == state["gen"] + 1


def test_panel_model_without_an_analysis(embedded):
    model = P.panel_model(embedded)
    assert model["runs"] == [] and model["run"] is None and model["has_domains"]


# ---------------------------------------------------------------------------------------------
# Events, sent the way the App sends them


def _event(dataset, method: str, state: dict | None = None, **params):
    import fiftyone.operators as foo

    state = copy.deepcopy(state or {})  # the panel updates the state it is given in place
    request = {"panel_id": "test-panel", "__method__": method, "panel_state": state, **params}
    result = foo.execute_operator(PANEL, ctx={"dataset": dataset.name, "params": request})
    requests = result.executor.to_json()["requests"]
    return {r["operator_uri"]: r["params"] for r in requests}, requests


def _loaded_state(dataset) -> dict:
    triggers, _ = _event(dataset, "on_load")
    return triggers["patch_panel_state"]["state"]


def test_loading_fills_state_and_data_and_renders(analyzed):
    triggers, _ = _event(analyzed, "on_load")
    state = triggers["patch_panel_state"]["state"]
    assert state["run"] == "synthgap" and state["gen"] == 1
    data = triggers["set_panel_data"]["data"]
    table = data["regions_1"]
    assert table["columns"][0] == "id" and len(table["rows"]) == len(state["model"]["regions"])
    assert set(data) == {"regions_1", "realism_1", "history_plot_1", "history_1"}
    rendered = str(triggers["show_panel_output"]["output"])
    for name in ("synthgap-answer", "synthgap-regions", "regions_1", "realism_1", "history_1"):
        assert name in rendered, name


def test_clicking_a_gap_region_row_shows_its_saved_view(analyzed):
    state = _loaded_state(analyzed)
    row = next(i for i, r in enumerate(state["model"]["regions"]) if r["key"].startswith("region:"))
    triggers, _ = _event(analyzed, "show_row", state, row=row)
    name = state["model"]["regions"][row]["name"]
    assert triggers["set_view"]["name"] == RunNames("synthgap").view(name)
    assert triggers["patch_panel_data"]["data"][f"regions_{state['gen']}"]["selected_rows"] == [row]


def test_clicking_a_cluster_row_matches_its_cluster(analyzed):
    state = _loaded_state(analyzed)
    row = next(
        i for i, r in enumerate(state["model"]["regions"]) if r["key"].startswith("cluster:")
    )
    triggers, _ = _event(analyzed, "show_row", state, row=row)
    cluster = int(state["model"]["regions"][row]["key"].split(":")[1])
    view = DatasetView._build(analyzed, triggers["set_view"]["view"])
    assert set(view.values("cluster")) == {cluster}
    assert len(view) == len(analyzed.match(fo.ViewField("cluster") == cluster))


def test_clicking_a_realism_bar_shows_the_synthetic_images_of_that_bin(analyzed):
    state = _loaded_state(analyzed)
    edges = state["model"]["realism"]["edges"]
    triggers, _ = _event(analyzed, "show_realism_bin", state, idx=0)
    view = DatasetView._build(analyzed, triggers["set_view"]["view"])
    assert len(view) > 0 and set(view.values("domain")) == {"synthetic"}
    assert all(edges[0] <= r <= edges[1] for r in view.values("realism"))
    triggers, _ = _event(analyzed, "show_realism_bin", state, idx=len(edges))  # out of range
    assert "set_view" not in triggers


def test_buttons_open_the_operators_and_saved_views(analyzed):
    state = _loaded_state(analyzed)
    triggers, _ = _event(analyzed, "run_analysis", state)
    assert triggers["prompt_user_for_operation"]["operator_uri"] == "@synthgap/synthgap/analyze_gap"
    triggers, _ = _event(analyzed, "run_curation", state)
    prompt = triggers["prompt_user_for_operation"]
    assert prompt["operator_uri"] == "@synthgap/synthgap/curate_synthetic"
    assert prompt["params"] == {"run": "synthgap"}
    triggers, _ = _event(analyzed, "show_least_realistic", state)
    assert triggers["set_view"]["name"] == "synthgap-least-realistic"
    triggers, _ = _event(analyzed, "open_embeddings", state)
    opener = triggers["@synthgap/synthgap/open_embeddings"]
    assert opener == {"brain_key": "synthgap_umap", "color_field": "domain"}


def test_an_unanalyzed_dataset_renders_the_empty_state(embedded):
    triggers, _ = _event(embedded, "on_load")
    assert triggers["patch_panel_state"]["state"]["model"]["runs"] == []
    output = str(triggers["show_panel_output"]["output"])
    assert "No synthgap analysis yet" in output and "empty_analyze" in output


def test_the_panel_is_registered_and_in_the_manifest():
    import os

    import yaml
    from fiftyone.operators.registry import OperatorRegistry

    panels = [p.config.name for p in OperatorRegistry().list_operators(type="panel")]
    assert "synthgap_panel" in panels
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(root, "fiftyone.yml")) as f:
        assert yaml.safe_load(f)["panels"] == ["synthgap_panel"]
