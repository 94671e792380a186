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
