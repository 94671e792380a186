"""curate_synthetic: keep the synthetic samples worth keeping within a budget; never delete."""

from __future__ import annotations

import os

import fiftyone as fo
import pytest

from fiftyone_plugin.core.curation import REASONS


def curation_tags(dataset) -> dict[str, int]:
    return {t: n for t, n in dataset.count_sample_tags().items() if "curat" in t}


@pytest.mark.parametrize("delegated", [False, True], ids=["immediate", "delegated"])
def test_tags_the_kept_and_dropped_samples_and_saves_views(run_op, analyzed, tmp_path, delegated):
    n_samples = len(analyzed)
    n_synthetic = analyzed.count_values("domain")["synthetic"]
    export = tmp_path / "kept"
    params = {"run": "synthgap", "budget": 40, "drop_low_realism": True,
              "low_realism_percent": 10, "export_dir": str(export)}  # fmt: skip
    result = run_op("curate_synthetic", analyzed.name, params, delegated=delegated)
    analyzed.reload()
    assert len(analyzed) == n_samples  # nothing deleted

    tags = curation_tags(analyzed)
    kept = tags.get("curated", 0)
    assert 0 < kept <= 40
    assert sum(tags.values()) == n_synthetic
    assert {t.removeprefix("curation:dropped:") for t in tags if t != "curated"} <= set(REASONS)
    assert analyzed.match_tags("curated").count_values("domain") == {"synthetic": kept}
    assert len(analyzed.load_saved_view("synthgap-curated")) == kept
    targets = analyzed.load_saved_view("synthgap-generation-targets")
    assert set(targets.distinct("domain")) <= {"real"}
    assert len(os.listdir(export)) == kept
    assert result.result["summary"].startswith(f"{kept} of {n_synthetic} synthetic")
    assert result.result["export_dir"] == str(export)
    for target in result.result["targets_detail"]:
        assert target["example_filepaths"] and all(
            os.path.exists(p) for p in target["example_filepaths"]
        )


def test_a_second_curation_needs_overwrite(run_op, analyzed):
    run_op("curate_synthetic", analyzed.name, {"budget": 10})
    analyzed.reload()
    first = set(analyzed.match_tags("curated").values("id"))
    run_op.rejects("curate_synthetic", analyzed.name, {"budget": 5}, "replace the curation")
    assert set(analyzed.match_tags("curated").values("id")) == first

    run_op("curate_synthetic", analyzed.name, {"budget": 5, "overwrite": True})
    analyzed.reload()
    assert len(analyzed.match_tags("curated")) <= 5
    assert sum(curation_tags(analyzed).values()) == analyzed.count_values("domain")["synthetic"]


def test_flags_an_export_folder_that_is_not_empty_and_coco_without_detections(
    run_op, analyzed, tmp_path
):
    (tmp_path / "old.png").write_bytes(b"")
    run_op.rejects("curate_synthetic", analyzed.name, {"export_dir": str(tmp_path)},
                   "This would replace files in")  # fmt: skip
    run_op.rejects("curate_synthetic", analyzed.name, {"export_dir": str(tmp_path / "new"),
                   "export_format": "coco"}, "COCO export needs a detections field")  # fmt: skip


def test_exports_a_fiftyone_dataset_when_samples_have_labels(run_op, analyzed, tmp_path):
    analyzed.set_values("label", [fo.Classification(label="x")] * len(analyzed))
    run_op("curate_synthetic", analyzed.name, {"budget": 6, "export_dir": str(tmp_path / "out")})
    exported = fo.Dataset.from_dir(str(tmp_path / "out"), fo.types.FiftyOneDataset)
    assert 0 < len(exported) <= 6 and exported.has_sample_field("label")
    exported.delete()


def test_deleting_the_run_removes_its_curation(run_op, analyzed):
    run_op("curate_synthetic", analyzed.name, {"budget": 10})
    run_op("manage_runs", analyzed.name, {"action": "delete", "run": "synthgap"})
    analyzed.reload()
    assert curation_tags(analyzed) == {}
    assert not analyzed.list_saved_views()


def test_renaming_the_run_carries_its_curation(run_op, analyzed):
    run_op("curate_synthetic", analyzed.name, {"budget": 10})
    analyzed.reload()
    kept = set(analyzed.match_tags("curated").values("id"))
    run_op("manage_runs", analyzed.name, {"action": "rename", "run": "synthgap",
           "new_name": "v2"})  # fmt: skip
    analyzed.reload()
    tags = curation_tags(analyzed)
    assert tags and all(t.startswith("v2_") for t in tags)
    assert set(analyzed.load_saved_view("v2-curated").values("id")) == kept
    assert len(analyzed.load_saved_view("v2-generation-targets"))
    run_op.rejects("curate_synthetic", analyzed.name, {"run": "v2"}, "replace the curation")


def curate_form(dataset, params=None):
    """The curate form as the App would get it for ``params``."""
    from fiftyone.operators.executor import ExecutionContext
    from fiftyone.operators.registry import OperatorRegistry

    operator = OperatorRegistry().get_operator("@synthgap/synthgap/curate_synthetic")
    ctx = ExecutionContext(request_params={"dataset_name": dataset.name, "params": params or {}})
    return operator.resolve_input(ctx).type


def test_the_form_previews_what_would_be_kept_before_anything_is_tagged(analyzed):
    from fiftyone_plugin.fo.curation import plan_curation
    from fiftyone_plugin.fo.runs import load_summary

    n_synthetic = analyzed.count_values("domain")["synthetic"]
    form = curate_form(analyzed, {"run": "synthgap"})
    preview = form.properties["preview"].default
    plan = plan_curation(analyzed, "synthgap").preview()
    assert f"Would keep {plan['n_kept']} of {n_synthetic} synthetic samples" in preview
    for reason, n in plan["dropped"].items():
        assert f"| {reason} | {n} |" in preview
    assert curation_tags(analyzed) == {}  # a preview tags nothing

    # dropping the least realistic half: more than a third goes, the form warns but still runs
    form = curate_form(analyzed, {"run": "synthgap", "drop_low_realism": True,
                                  "low_realism_percent": 60})  # fmt: skip
    warning = form.properties["preview_warning"]
    assert "would be dropped" in warning.view.label and not warning.invalid
    preview = form.properties["preview"].default
    assert "low-realism" in preview
    names = [c["name"] for c in load_summary(analyzed, "synthgap")["clusters"]]
    assert any(f"| {name} |" in preview for name in names)  # clusters losing samples, by name


@pytest.fixture(scope="module")
def full_demo(tmp_path_factory):
    """The demo as `synthgap demo` builds it (480 real, 420 synthetic, 12 junk renders),
    embedded and analyzed with the defaults."""
    from demo_data import embedded_demo

    from fiftyone_plugin.demo import build_demo
    from fiftyone_plugin.fo.analysis import analyze

    dataset = embedded_demo("ops-full-demo", build_demo(str(tmp_path_factory.mktemp("full-demo"))))
    analyze(dataset)
    yield dataset
    dataset.delete()


@pytest.mark.slow
def test_on_the_demo_the_defaults_keep_good_data_and_drop_every_junk_render(run_op, full_demo):
    synthetic = full_demo.match(fo.ViewField("domain") == "synthetic")
    junk = synthetic.match(fo.ViewField("filepath").contains_str("/junk-"))
    assert len(junk) == 12 and len(synthetic) == 432
    run_op("curate_synthetic", full_demo.name, {"run": "synthgap"})  # every default: budget all
    kept = full_demo.match_tags("curated")
    n_good_kept = len(kept) - len(kept.match(fo.ViewField("filepath").contains_str("/junk-")))
    assert n_good_kept >= 0.9 * 420, n_good_kept
    assert len(junk.match_tags("curated")) == 0


def test_the_analysis_lists_where_to_generate_next_and_curation_adds_only_its_shortfall(
    run_op, analyzed, tmp_path
):
    from fiftyone_plugin.fo.report import stored_presentation, write_run_report
    from fiftyone_plugin.fo.runs import load_summary

    summary = load_summary(analyzed, "synthgap")
    listed = summary["generate_next"]
    assert listed and [t["gap"] for t in listed] == sorted((t["gap"] for t in listed), reverse=True)
    real_ids = set(analyzed.match(fo.ViewField("domain") == "real").values("id"))
    for target in listed:
        assert target["example_ids"] and set(target["example_ids"]) <= real_ids
        assert not target["name"].startswith("cluster ")  # named by what it holds
    # each content once: a cluster is listed only where no region stands for it
    regions = [t for t in listed if t["kind"] == "region"]
    assert len({t["name"] for t in regions}) == len(regions)
    assert not {t["cluster"] for t in listed if t["kind"] == "cluster"} & {
        t["cluster"] for t in regions
    }
    # the cat photos the synthetic side lacks are listed, before any curation
    cats = analyzed.select(listed[0]["example_ids"]).values("filepath")
    assert any("chelsea" in p or "coffee" in p for p in cats)
    shown = stored_presentation(analyzed, "synthgap")
    assert [t["name"] for t in shown.generate_next] == [t["name"] for t in listed]
    report = write_run_report(analyzed.name, "synthgap", str(tmp_path / "report.html"))
    assert listed[0]["name"] in open(report, encoding="utf-8").read()

    result = run_op("curate_synthetic", analyzed.name, {"run": "synthgap", "budget": 60})
    targets = result.result["targets_detail"]
    from_analysis = [t for t in targets if t["source"] == "analysis"]
    assert [t["name"] for t in from_analysis] == [t["name"] for t in listed][: len(from_analysis)]
    short = [t for t in targets if t["source"] == "budget"]
    assert not {t["name"] for t in short} & {t["name"] for t in listed}  # not listed twice
    assert "listed by" in result.result["targets"]


def test_metrics_json_holds_where_to_generate_next(embedded, tmp_path):
    import json

    from fiftyone_plugin.core.config import AnalysisConfig
    from fiftyone_plugin.workflow import analyze_samples, write_files

    outcome = analyze_samples(embedded, config=AnalysisConfig(seed=0, project=False))
    write_files(embedded, outcome, str(tmp_path))
    document = json.loads((tmp_path / "metrics.json").read_text())
    assert document["generate_next"] and document["generate_next"][0]["example_filepaths"]
    assert all("name" in c for c in document["clusters"])
