"""The per-class rows every front end shows: the probe's figures, with and without its raw probe."""

from fiftyone_plugin.report.class_html import class_sections
from fiftyone_plugin.report.classes import (
    class_presentation,
    class_rows,
    class_table_text,
    probe_series,
    probe_summary,
    sort_rows,
)
from fiftyone_plugin.report.grades import FAIR
from fiftyone_plugin.report.label_plots import probe_plot

BOTH = {"class": "a", "status": "covered", "probe_accuracy_synthetic": 0.8,
        "probe_accuracy_synthetic_raw": 0.4, "probe_transfer": 0.6, "probe_accuracy_real": 1.0,
        "probe_ratio": 0.6, "probe_verdict": "partly"}  # fmt: skip
#: A run stored before the raw probe existed: no transfer, no raw accuracy.
OLD = {"class": "b", "status": "covered", "probe_accuracy_synthetic": 0.5,
       "probe_accuracy_real": 0.9, "probe_ratio": 0.55, "probe_verdict": "partly"}  # fmt: skip


def test_rows_show_the_transfer_against_real_training():
    rows = {r["class"]: r for r in class_rows([BOTH, OLD])}
    assert rows["a"]["probe_text"] == "60% (100%)"
    assert rows["a"]["probe_synthetic"] == 0.6  # sorted by the transfer
    assert rows["b"]["probe_text"] == "50% (90%)" and rows["b"]["probe_synthetic"] == 0.5
    assert [r["class"] for r in sort_rows(list(rows.values()), "probe")] == ["b", "a"]


def test_the_probe_plot_draws_what_the_table_shows():
    assert [label for label, _, _ in probe_series([BOTH, OLD])] == ["trained on synthetic",
                                                                     "trained on real"]  # fmt: skip
    plot = probe_plot(class_rows([BOTH, OLD]))
    # worst first; the transfer, else (a run stored before it) the aligned probe's accuracy
    assert [d["y"] for d in plot["data"]] == [[0.5, 0.6], [0.9, 1.0]]
    assert plot["layout"]["showlegend"] is True


def test_the_probe_summary_carries_the_transfer():
    probe = {"reading": "r", "accuracy": {"synthetic": 0.8, "synthetic_raw": 0.4, "real": 1.0},
             "transfer": 0.6, "ratio": 0.6, "verdict": "partly"}  # fmt: skip
    summary = probe_summary({"probe": probe})
    assert (summary["transfer"], summary["verdict"], summary["grade"]) == (0.6, "partly", FAIR)
    stored_before = {k: v for k, v in probe.items() if k != "transfer"}
    assert probe_summary({"probe": stored_before})["transfer"] is None


def test_rows_read_plainly_where_figures_say_nothing():
    """A cross-validated AUC under 0.5 is chance, not a strong negative; no regions, no count."""
    rows = class_rows(
        [
            {"class": "a", "c2st_auc": 0.17, "uncovered_fraction": 0.0, "n_gap_regions": 0},
            {"class": "b", "c2st_auc": 0.83, "uncovered_fraction": 0.25, "n_gap_regions": 1},
            {"class": "c", "c2st_auc": None, "uncovered_fraction": None},
        ]
    )
    text = {r["class"]: (r["c2st_text"], r["uncovered_text"]) for r in rows}
    assert text == {"a": ("≤ 0.50", "0%"), "b": ("0.83", "25% (1 region)"), "c": ("–", "–")}
    assert next(r for r in rows if r["class"] == "a")["c2st_auc"] == 0.17  # sorting keeps it


def test_a_run_on_objects_speaks_of_objects_in_every_heading():
    """The table, its sort choices, the plain-text table, the plot's axis and the report's text
    name what one sample is: a run on objects (its document holds ``objects``) says objects."""
    region = {"name": "gap-1 · a", "size": 3, "representatives": []}
    document = {"per_class": [{**BOTH, "reading": "a: partly"}], "probe": {"reading": "r"},
                "class_regions": [region]}  # fmt: skip
    images = class_presentation(document)
    objects = class_presentation({**document, "objects": {"label_field": "ground_truth"}})
    assert (images["run_unit"], objects["run_unit"]) == ("images", "objects")
    headings = dict(objects["columns"])
    assert headings["probe_text"] == "Probe on real objects: trained on synthetic (on real)"
    assert dict(images["columns"])["probe_text"].startswith("Probe on real images")
    assert objects["sorts"]["synthetic"] == "fewest synthetic objects"
    assert "Probe on real objects" in class_table_text(objects["rows"], unit="objects")[0]
    assert probe_plot(objects["rows"], "objects")["layout"]["yaxis"]["title"]["text"] == (
        "accuracy on real objects"
    )
    html, _ = class_sections(objects, lambda key, intro, body: intro + body, lambda p, b: "")
    assert "3 real objects" in html and "real images" not in html
