"""The "Synthetic vs Real" panel: what it shows is what the run stored, graded and formatted as the
HTML report does; its events ask the App for the right views."""

from __future__ import annotations

import copy
import sys
from urllib.parse import parse_qs, urlparse

import fiftyone as fo
import numpy as np
import pytest
from fiftyone.core.view import DatasetView

from fiftyone_plugin.fo.regions import Region, list_regions
from fiftyone_plugin.fo.runs import RunNames, list_analyses, load_summary
from fiftyone_plugin.report.grades import GRADE_COLORS, format_value, grade

PANEL = "@synthgap/synthgap/synthgap_panel"


def _panel_module():
    """operators/panel.py as FiftyOne's plugin loader imported it."""
    from fiftyone.operators.registry import OperatorRegistry

    return sys.modules[type(OperatorRegistry().get_operator(PANEL)).__module__]


P = _panel_module()

# ---------------------------------------------------------------------------------------------
# Pure functions, on data whose answer is known


def _document(**metrics) -> dict:
    return P.summary_document(
        {
            "metrics": {"n_real": 200, "n_synthetic": 150, "n_uncovered": 30, **metrics},
            "readings": {"coverage": "Most real neighbourhoods hold a synthetic image."},
            "diagnosis": {"kind": "missing-content", "text": "Cats are missing."},
            "regions": [{"name": "cats"}, {"name": "cups"}],
        }
    )


def test_headline_says_no_when_real_content_is_missing():
    document = _document(coverage=0.3, recall=0.8, precision=0.9, c2st_auc=0.6)
    head = P.headline(document)
    assert head["answer"] == "No" and head["grade"] == "poor"
    assert head["color"] == GRADE_COLORS["poor"]
    assert head["diagnosis"] == "Cats are missing."
    assert head["kind"].startswith("Missing content")
    assert head["flagged"] == {"Coverage": "poor"}


def test_headline_says_yes_when_every_graded_metric_is_good():
    head = P.headline(
        _document(coverage=0.95, recall=0.9, precision=0.9, density=1.0, c2st_auc=0.52)
    )
    assert (head["answer"], head["grade"], head["flagged"]) == ("Yes, largely", "good", {})


def test_every_diagnosis_kind_has_plain_words():
    from fiftyone_plugin.core.pipeline import DIAGNOSES

    assert set(P.DIAGNOSES) == set(DIAGNOSES)


def test_metric_cards_are_graded_and_formatted_like_the_report():
    document = _document(coverage=0.55, c2st_auc=0.97, fid=41.2345, kid_mean=0.0123, kid_std=0.0004)
    cards = {c["key"]: c for c in P.metric_cards(document)}
    assert list(cards) == ["coverage", "c2st_auc", "fid", "kid_mean"]  # report order, no counts
    for key, card in cards.items():
        level = grade(key, document[key], document)
        assert card["grade"] == level and card["color"] == GRADE_COLORS[level]
    assert cards["coverage"]["value"] == format_value(0.55) == "0.550"
    assert cards["coverage"]["reading"] == document["readings"]["coverage"]
    assert cards["c2st_auc"]["grade"] == "poor"
    assert cards["kid_mean"]["value"] == f"{format_value(0.0123)} ± {format_value(0.0004)}"
    assert cards["fid"]["grade"] == "neutral" and cards["fid"]["asks"]  # no reading: what it asks


def test_count_line():
    assert (
        P.count_line(_document())
        == "200 real · 150 synthetic · 30 real uncovered (15%) · 2 gap regions"
    )


@pytest.mark.parametrize(
    "fraction, filled",
    [(0.0, 0), (1.0, P.BAR_WIDTH), (0.5, P.BAR_WIDTH // 2), (1e-6, 1), (7.0, P.BAR_WIDTH)],
)
def test_text_bar(fraction, filled):
    bar = P.text_bar(fraction)
    assert len(bar) == P.BAR_WIDTH and bar.count("█") == filled


def test_region_rows_keep_the_gap_order_and_scale_bars_to_the_largest_gap():
    regions = [
        Region("region:cats", "region", "cats", n_real=12, n_synthetic=0, gap=12.0),
        Region("cluster:3", "cluster", "cluster 3", 20, 4, gap=6.0, status="under-represented"),
        Region("cluster:1", "cluster", "cluster 1", 10, 12, gap=0.0, status="balanced"),
    ]
    rows = P.region_rows(regions)
    assert [r["key"] for r in rows] == ["region:cats", "cluster:3", "cluster:1"]
    assert [(r["real"], r["synthetic"], r["gap"]) for r in rows] == [
        (12, 0, 12),
        (20, 4, 6),
        (10, 12, 0),
    ]
    assert [r["bar"].count("█") for r in rows] == [P.BAR_WIDTH, P.BAR_WIDTH // 2, 0]
    assert rows[0]["status"] == "gap region" and rows[1]["status"] == "cluster, under-represented"
    assert P.region_rows([]) == []


def test_media_urls_survive_any_file_name():
    path = "/data/my renders/a&b #1?.png"
    url = P.media_url(path)
    assert url.startswith("/media?filepath=") and " " not in url
    assert parse_qs(urlparse(url).query)["filepath"] == [path]


def test_galleries_show_the_largest_regions_real_beside_nearest_synthetic():
    regions = [
        {"name": f"r{i}", "size": i, "distance_to_synthetic": 0.5,
         "representative_filepaths": [f"/r/{i}_{j}.png" for j in range(9)],
         "representative_ids": [f"id{i}_{j}" for j in range(9)],
         "nearest_synthetic_filepaths": [f"/s/{i}.png"]}
        for i in range(1, 9)
    ]  # fmt: skip
    shown = P.galleries(regions, limit=3, n=4)
    assert [g["name"] for g in shown] == ["r8", "r7", "r6"]
    assert [e["path"] for e in shown[0]["real"]] == [f"/r/8_{j}.png" for j in range(4)]
    assert [e["id"] for e in shown[0]["real"]] == [f"id8_{j}" for j in range(4)]
    assert shown[0]["synthetic"] == [
        {"url": P.media_url("/s/8.png"), "path": "/s/8.png", "id": None}
    ]
    assert (
        shown[0]["facts"]
        == "8 real images without a synthetic look-alike · distance to nearest synthetic 0.500"
    )


def test_realism_histogram_counts_every_score_once_and_marks_the_least_realistic():
    rng = np.random.default_rng(0)
    scores = list(rng.normal(size=500)) + [None, float("nan")]
    hist = P.realism_histogram(scores, marked_fraction=0.1, bins=20)
    (trace,) = hist["data"]
    assert sum(trace["y"]) == 500 and len(trace["y"]) == 20 and len(hist["edges"]) == 21
    assert hist["cutoff"] == pytest.approx(np.quantile([s for s in scores[:500]], 0.1))
    for (lo, hi), color in zip(trace["customdata"], trace["marker"]["color"], strict=True):
        assert (color == "#dc2626") == (lo <= hist["cutoff"]), (lo, hi)
    assert P.realism_histogram([])["data"] == [] and P.realism_histogram([None])["edges"] == []
    same = P.realism_histogram([0.7] * 5)  # one value: still one bin holding all of them
    assert sum(same["data"][0]["y"]) == 5


def test_history_draws_one_line_per_metric_over_the_runs():
    rows = [
        {"run": "v1", "timestamp": "2026-01-01 10:00:00", "coverage": 0.5, "recall": 0.4,
         "c2st_auc": 0.99, "fid": 80.0, "diagnosis": "missing-content"},
        {"run": "v2", "timestamp": "2026-02-01 10:00:00", "coverage": 0.8, "recall": 0.7,
         "c2st_auc": 0.9, "fid": 40.0, "diagnosis": "style-shift"},
    ]  # fmt: skip
    plot = P.history_plot(rows, current="v2")
    lines = {t["name"]: t for t in plot["data"]}
    assert set(lines) == {"Coverage", "Recall", "Domain classifier AUC"}
    assert lines["Coverage"]["y"] == [0.5, 0.8] and lines["Coverage"]["ids"] == ["v1", "v2"]
    assert lines["Recall"]["marker"]["size"][1] > lines["Recall"]["marker"]["size"][0]
    table = P.history_rows(rows)
    assert [r["run"] for r in table] == ["v2", "v1"]  # newest first
    assert (
        table[0]["coverage"] == "0.800"
        and table[0]["diagnosis"] == "style shift"
        and table[1]["diagnosis"] == "missing content"
    )
    assert P.history_plot([]) == {"data": [], "layout": {}}


# ---------------------------------------------------------------------------------------------
# The model of a really analyzed dataset


def test_panel_model_shows_what_the_run_stored(analyzed):
    model = P.panel_model(analyzed)
    summary = load_summary(analyzed, "synthgap")
    document = P.summary_document(summary)
    names = RunNames("synthgap")

    assert model["run"] == "synthgap" and [r["run"] for r in model["runs"]] == ["synthgap"]
    assert model["headline"] == P.headline(document)
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


def test_panel_model_follows_the_run_history(analyzed):
    from fiftyone_plugin.core.pipeline import AnalysisConfig
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
    assert triggers["open_panel"]["name"] == "Embeddings"
    assert triggers["open_panel"]["data"]["openKey"] == "synthgap_umap"


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
