"""The one presentation of a run (report/presentation.py) and the panel's Plotly figures
(report/plots.py): what the panel, the HTML report and the operators say, on data whose answer is
known. No App and no database."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

from fiftyone_plugin.report import plots
from fiftyone_plugin.report import regions as R
from fiftyone_plugin.report.counts import count_line, counts
from fiftyone_plugin.report.document import document_of
from fiftyone_plugin.report.galleries import galleries, media_url
from fiftyone_plugin.report.grades import GRADE_COLORS, GROUPS, METRICS, format_value, grade
from fiftyone_plugin.report.metric_cards import metric_cards, metric_groups, metric_rows
from fiftyone_plugin.report.presentation import history_rows, present, realism_bins
from fiftyone_plugin.report.regions import Region
from fiftyone_plugin.report.verdict import CONTENT_MODEL, FIXED_LAYOUT, advice, headline


def _document(**metrics) -> dict:
    return document_of(
        {
            "metrics": {"n_real": 200, "n_synthetic": 150, "n_uncovered": 30, **metrics},
            "readings": {"coverage": "Most real neighbourhoods hold a synthetic image."},
            "diagnosis": {"kind": "missing-content", "text": "Cats are missing."},
            "regions": [{"name": "cats"}, {"name": "cups"}],
        }
    )


def test_headline_says_no_when_real_content_is_missing():
    document = _document(coverage=0.3, recall=0.8, precision=0.9, c2st_auc=0.6)
    head = headline(document)
    assert head["answer"] == "No" and head["grade"] == "poor"
    assert head["color"] == GRADE_COLORS["poor"]
    assert head["diagnosis"] == "Cats are missing."
    assert head["kind"].startswith("Missing content")
    assert head["flagged"] == {"Coverage": "poor"}


@pytest.mark.parametrize(
    ("kind", "model", "advised"),
    [
        ("style-shift", "efficientnet_lite0", True),  # a withheld shape can look covered
        ("style-shift", "resnet50", True),
        ("style-shift+missing-content", "efficientnet_lite0", False),  # found content anyway
        ("separable", "efficientnet_lite0", True),
        ("style-shift", CONTENT_MODEL, False),  # already the model that drops style
        ("missing-content", "efficientnet_lite0", False),  # no style shift to hide anything
        ("no-gap", "efficientnet_lite0", False),
        ("style-shift", None, False),  # a run stored without its model
    ],
)
def test_after_a_style_shift_the_headline_advises_the_content_model(kind, model, advised):
    document = {**_document(), "diagnosis": {"kind": kind, "text": "."}}
    if model:
        document["model"] = model
    head = headline(document)
    assert head["advice"] == advice(kind, model)
    assert bool(head["advice"]) == advised
    if advised:
        assert f"--model {CONTENT_MODEL}" in head["advice"]


@pytest.mark.parametrize(
    ("kind", "model", "layout", "advised"),
    [
        ("style-shift+missing-content", "efficientnet_lite0", 0.69, True),  # digits in a frame
        ("missing-content", "efficientnet_lite0", 0.2, True),
        ("missing-content", "efficientnet_lite0", 0.19, False),
        ("style-shift+missing-content", "efficientnet_lite0", 0.001, False),  # photo crops
        ("style-shift+missing-content", CONTENT_MODEL, 0.69, False),
        ("style-shift", "efficientnet_lite0", 0.001, True),  # the style rule still holds
    ],
)
def test_images_in_a_fixed_layout_are_advised_the_content_model(kind, model, layout, advised):
    document = {**_document(), "diagnosis": {"kind": kind, "text": "."}, "model": model,
                "layout_share": layout}  # fmt: skip
    head = headline(document)
    assert head["advice"] == advice(kind, model, layout)
    assert bool(head["advice"]) == advised
    if advised and layout >= FIXED_LAYOUT:
        assert f"({100 * layout:.0f}% of their pixel variance" in head["advice"]
        assert f"--model {CONTENT_MODEL}" in head["advice"]


def test_headline_says_yes_when_every_graded_metric_is_good():
    head = headline(_document(coverage=0.95, recall=0.9, precision=0.9, density=1.0, c2st_auc=0.52))
    assert (head["answer"], head["grade"], head["flagged"]) == ("Yes, largely", "good", {})


#: A run with a strong style shift whose content is covered once the shift is removed (the
#: tiny demo's figures): the raw neighbourhood metrics are poor, the aligned ones are not.
STYLE_SHIFTED = dict(
    coverage=0.047, recall=0.152, precision=0.115, density=0.029, c2st_auc=1.0, fid=140.0,
    uncovered_fraction=0.158, coverage_aligned=0.842, mixing_auc_aligned=0.71,
    mean_realism=0.83,
)  # fmt: skip


def test_the_headline_leads_with_the_figures_after_the_style_shift_is_removed():
    document = _document(**STYLE_SHIFTED)
    head = headline(document)
    assert head["answer"] == "Partly"  # content largely there; rendered differently
    assert head["flagged"] == {
        "Uncovered real share": "fair",
        "Neighbourhood mixing AUC, style removed": "fair",
    }
    assert set(head["style_flagged"]) == {
        "Coverage", "Recall", "Precision", "Density", "Domain classifier AUC",
    }  # fmt: skip
    cards = metric_cards(document)
    groups = metric_groups(cards)
    assert [heading for heading, _ in groups] == list(GROUPS.values())
    assert [c["key"] for c in groups[0][1]] == [
        "uncovered_fraction", "coverage_aligned", "mixing_auc_aligned", "mean_realism",
    ]  # fmt: skip
    assert [c["key"] for c in groups[1][1]] == [
        "coverage", "recall", "precision", "density", "c2st_auc", "fid",
    ]  # fmt: skip
    assert cards[:4] == groups[0][1]  # the cards in the order shown
    # the aligned figures decide "No" when content is missing after the shift is removed
    missing = _document(**{**STYLE_SHIFTED, "coverage_aligned": 0.4})
    assert headline(missing)["answer"] == "No"


def test_no_raw_key_reaches_a_reader():
    """Every metric and diagnosis fact the core stores has a human name in every front end."""
    from fiftyone_plugin.core import metrics as M
    from fiftyone_plugin.report.grades import FACTS, METRICS, label_of

    document = _document(**STYLE_SHIFTED, kid_mean=0.05, kid_std=0.01)
    named = [c["label"] for c in metric_cards(document)]
    named += [r["name"] for r in metric_rows(metric_cards(document))]
    head = headline(document)
    named += [*head["flagged"], *head["style_flagged"]]
    for name in named:
        assert "_" not in name and name[0].isupper(), name
    stored = [v for k, v in vars(M).items() if k.isupper() and isinstance(v, str)]
    evidence = ["largest_region_size", "alignment_paired_fraction", "n_gap_regions"]
    for key in stored + evidence:
        if not key.startswith("n_") or key in FACTS:
            assert key in METRICS or key in FACTS or key == "kid_std", key
            assert "_" not in label_of(key), key


def test_every_diagnosis_kind_has_plain_words():
    from fiftyone_plugin.core.diagnosis import DIAGNOSES

    assert set(DIAGNOSES) == set(DIAGNOSES)


def test_metric_cards_are_graded_and_formatted_like_the_report():
    document = _document(coverage=0.55, c2st_auc=0.97, fid=41.2345, kid_mean=0.0123, kid_std=0.0004)
    cards = {c["key"]: c for c in metric_cards(document)}
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
        count_line(_document())
        == "200 real · 150 synthetic · 30 real uncovered (15%) · 2 gap regions"
    )


@pytest.mark.parametrize(
    "fraction, filled",
    [(0.0, 0), (1.0, R.BAR_WIDTH), (0.5, R.BAR_WIDTH // 2), (1e-6, 1), (7.0, R.BAR_WIDTH)],
)
def test_text_bar(fraction, filled):
    bar = R.text_bar(fraction)
    assert len(bar) == R.BAR_WIDTH and bar.count("█") == filled


def test_region_rows_keep_the_gap_order_and_scale_bars_to_the_largest_gap():
    regions = [
        Region("region:cats", "region", "cats", n_real=12, n_synthetic=0, gap=12.0),
        Region("cluster:3", "cluster", "cluster 3", 20, 4, gap=6.0, status="under-represented"),
        Region("cluster:1", "cluster", "cluster 1", 10, 12, gap=0.0, status="balanced"),
    ]
    rows = R.region_rows(regions)
    assert [r["key"] for r in rows] == ["region:cats", "cluster:3", "cluster:1"]
    assert [(r["real"], r["synthetic"], r["gap"]) for r in rows] == [
        (12, 0, 12),
        (20, 4, 6),
        (10, 12, 0),
    ]
    assert [r["bar"].count("█") for r in rows] == [R.BAR_WIDTH, R.BAR_WIDTH // 2, 0]
    assert rows[0]["status"] == "gap region" and rows[1]["status"] == "cluster, under-represented"
    assert R.region_rows([]) == []


def test_media_urls_survive_any_file_name():
    path = "/data/my renders/a&b #1?.png"
    url = media_url(path)
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
    shown = galleries(regions, limit=3, n=4)
    assert [g["name"] for g in shown] == ["r8", "r7", "r6"]
    assert [e["path"] for e in shown[0]["real"]] == [f"/r/8_{j}.png" for j in range(4)]
    assert [e["id"] for e in shown[0]["real"]] == [f"id8_{j}" for j in range(4)]
    assert shown[0]["synthetic"] == [
        {"url": media_url("/s/8.png"), "path": "/s/8.png", "id": None, "box": None}
    ]
    assert (
        shown[0]["facts"]
        == "8 real images without a synthetic look-alike · distance to nearest synthetic 0.500"
    )
    # a run on objects: each example is an object, with its box in its image
    boxed = {**regions[0], "representative_boxes": [[0.1, 0.2, 0.3, 0.4]] * 9}
    (gallery,) = galleries([boxed], n=2, unit="objects")
    assert [e["box"] for e in gallery["real"]] == [[0.1, 0.2, 0.3, 0.4]] * 2
    assert gallery["synthetic"][0]["box"] is None
    assert gallery["facts"].startswith("1 real objects without a synthetic look-alike")


def test_realism_plot_counts_every_score_once_and_marks_the_least_realistic():
    rng = np.random.default_rng(0)
    scores = list(rng.normal(size=500)) + [None, float("nan")]
    hist = plots.realism_plot(realism_bins(scores, marked_fraction=0.1, bins=20))
    (trace,) = hist["data"]
    assert sum(trace["y"]) == 500 and len(trace["y"]) == 20 and len(hist["edges"]) == 21
    assert hist["cutoff"] == pytest.approx(np.quantile([s for s in scores[:500]], 0.1))
    for (lo, hi), color in zip(trace["customdata"], trace["marker"]["color"], strict=True):
        assert (color == "#dc2626") == (lo <= hist["cutoff"]), (lo, hi)
    assert (
        plots.realism_plot(realism_bins([]))["data"] == []
        and plots.realism_plot(realism_bins([None]))["edges"] == []
    )
    same = plots.realism_plot(
        realism_bins([0.7] * 5)
    )  # one value: still one bin holding all of them
    assert sum(same["data"][0]["y"]) == 5


def test_history_draws_one_line_per_metric_over_the_runs():
    rows = [
        {"run": "v1", "timestamp": "2026-01-01 10:00:00", "coverage": 0.5, "recall": 0.4,
         "c2st_auc": 0.99, "fid": 80.0, "diagnosis": "missing-content"},
        {"run": "v2", "timestamp": "2026-02-01 10:00:00", "coverage": 0.8, "recall": 0.7,
         "c2st_auc": 0.9, "fid": 40.0, "diagnosis": "style-shift"},
    ]  # fmt: skip
    plot = plots.history_plot(rows, current="v2")
    lines = {t["name"]: t for t in plot["data"]}
    assert set(lines) == {"Coverage", "Recall", "Domain classifier AUC"}
    assert lines["Coverage"]["y"] == [0.5, 0.8] and lines["Coverage"]["ids"] == ["v1", "v2"]
    assert lines["Recall"]["marker"]["size"][1] > lines["Recall"]["marker"]["size"][0]
    table = history_rows(rows)
    assert [r["run"] for r in table] == ["v2", "v1"]  # newest first
    assert (
        table[0]["coverage"] == "0.800"
        and table[0]["diagnosis"] == "style shift"
        and table[1]["diagnosis"] == "missing content"
    )
    assert plots.history_plot([]) == {"data": [], "layout": {}}


def test_stored_summary_and_metrics_json_give_the_same_document():
    regions = [{"name": "gap-1", "size": 3}]
    stored = {"metrics": {"coverage": 0.5, "n_real": 10}, "regions": regions, "n_real": 10}
    metrics_json = {"coverage": 0.5, "n_real": 10, "gap_regions": regions}
    for document in (document_of(stored), document_of(metrics_json)):
        assert document["coverage"] == 0.5 and document["n_real"] == 10
        assert document["regions"] == document["gap_regions"] == regions


def test_counts_say_what_is_counted_and_warn_on_what_should_be_zero():
    document = document_of({"n_real": 40, "n_synthetic": 30, "n_uncovered": 0,
                              "n_underrepresented": 4, "n_failed": 2,
                              "regions": [{"name": "gap-1", "size": 4}]})  # fmt: skip
    shown = {c["key"]: c for c in counts(document)}
    assert shown["n_gap_regions"]["what"] == "gap region" and shown["n_gap_regions"]["warn"]
    assert shown["n_failed"]["value"] == "2" and shown["n_failed"]["warn"]
    assert not shown["n_uncovered"]["warn"] and shown["n_uncovered"]["note"] == "0%"
    assert shown["n_underrepresented"]["warn"] and shown["n_underrepresented"]["note"] == "10%"
    assert count_line(document) == (
        "40 real · 30 synthetic · 0 real uncovered (0%) · 4 more real underrepresented (10%) · "
        "1 gap region · 2 unreadable"
    )


def test_operator_rows_are_the_cards():
    document = _document(coverage=0.3, fid=12.5, kid_mean=0.01, kid_std=0.02)
    cards = metric_cards(document)
    rows = metric_rows(cards)
    assert [c["key"] for c in cards] == ["coverage", "fid", "kid_mean"]
    assert [r["name"] for r in rows] == ["Coverage", "FID", "KID"]  # human names, not keys
    assert rows[0] == {"name": "Coverage", "value": "0.300", "grade": "poor",
                       "reading": document["readings"]["coverage"]}  # fmt: skip
    assert rows[1]["grade"] == "" and rows[1]["reading"] == METRICS["fid"][1]  # what it asks
    assert rows[2]["value"] == "0.010 ± 0.020" and rows[2]["grade"] == "good"


def test_ranked_regions_put_the_largest_gap_first():
    document = {
        "regions": [{"name": "gap-1", "size": 5}],
        "clusters": [
            {"cluster": 0, "n_real": 50, "n_synthetic": 50, "status": "mixed"},
            {"cluster": 1, "n_real": 20, "n_synthetic": 0, "status": "real-only"},
        ],
    }
    ranked = R.rank_regions(document)
    # 50 synthetic images stand for all 70 real ones: cluster 0 is short of none (its 50 real
    # are fewer than the 70 its synthetic images stand for), cluster 1 of all its 20
    assert [r.key for r in ranked] == ["cluster:1", "region:gap-1", "cluster:0"]
    assert [round(r.gap) for r in ranked] == [20, 5, 0]
    assert R.rank_regions(document, {"gap-1": 30})[0].key == "region:gap-1"


def test_presentation_holds_generation_targets_when_the_run_stored_them():
    target = {"kind": "region", "name": "gap-1", "n_real": 12, "n_synthetic": 1, "needed": 9,
              "example_filepaths": ["/r/1.png"], "example_ids": ["a"]}  # fmt: skip
    shown = present(document_of({"generate_next": [target]}))
    assert shown.generate_next == [target]
    assert present(document_of({})).generate_next == []
    assert shown.to_dict()["generate_next"] == [target]  # JSON-safe


def test_realism_bins_mark_the_least_realistic_share():
    scores = np.linspace(0, 1, 101)
    bins = realism_bins(list(scores) + [None], marked_fraction=0.2, bins=10)
    assert bins["n"] == 101 and sum(bins["counts"]) == 101
    assert bins["cutoff"] == pytest.approx(0.2)
    assert bins["marked"] == [left <= 0.2 for left in bins["edges"][:-1]]
