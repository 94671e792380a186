"""`synthgap curate` run in-process on real FiftyOne datasets (a run on images and a run on
objects): the dry run prints the plan and changes nothing, the curation tags, saves views and
exports without deleting a sample, and bad input is one line with exit status 2."""

from __future__ import annotations

import json
import os

import fiftyone as fo
import pytest
from fiftyone import ViewField as F

from fiftyone_plugin.cli import build_parser, main
from fiftyone_plugin.cli.curate import curation_config
from fiftyone_plugin.core.curation import CurationConfig
from fiftyone_plugin.fo.curation import plan_curation

OPTIONS = ["--budget", "20", "--drop-least-realistic", "10"]
CONFIG = CurationConfig(low_realism_fraction=0.1)


def curation_tags(dataset) -> dict[str, int]:
    return {t: n for t, n in dataset.count_sample_tags().items() if "curat" in t}


def error(capsys) -> str:
    """The one ``synthgap: error:`` line a refused command printed on stderr."""
    lines = [line for line in capsys.readouterr().err.replace("\r", "\n").splitlines() if line]
    errors = [line for line in lines if line.startswith("synthgap: error: ")]
    assert len(errors) == 1 and "Traceback" not in "\n".join(lines), lines
    return errors[0]


def test_defaults_are_the_configs_and_each_flag_sets_its_field():
    parser = build_parser()
    assert curation_config(parser.parse_args(["curate", "--dataset", "d"])) == CurationConfig()
    args = parser.parse_args(
        ["curate", "--dataset", "d", "--no-drop-degenerate", "--no-drop-outside-support",
         "--drop-least-realistic", "25", "--no-prune-duplicates", "--no-match-real",
         "--bad-object-percent", "50", "--targets", "2"]
    )  # fmt: skip
    assert curation_config(args) == CurationConfig(
        drop_degenerate=False, drop_outside_support=False, low_realism_fraction=0.25,
        prune_duplicates=False, match_distribution=False, max_bad_object_share=0.5, n_targets=2,
    )  # fmt: skip


@pytest.mark.parametrize("bad", [["--budget", "-1"], ["--drop-least-realistic", "100"]])
def test_a_bad_number_is_refused_by_the_parser(bad, capsys):
    with pytest.raises(SystemExit) as info:
        main(["curate", "--dataset", "d", *bad])
    assert info.value.code == 2 and bad[0] in capsys.readouterr().err


def test_dry_run_prints_the_plan_and_tags_nothing(analyzed, capsys):
    views = analyzed.list_saved_views()
    preview = plan_curation(analyzed, budget=20, config=CONFIG).preview()
    assert main(["curate", "--dataset", analyzed.name, "--dry-run", *OPTIONS]) == 0
    out = capsys.readouterr().out
    n, kept = preview["n_synthetic"], preview["n_kept"]
    assert f"Would keep {kept} of {n} synthetic samples ({n - kept} dropped)." in out
    assert preview["dropped"] and kept <= 20
    lines = out.splitlines()
    for reason, count in preview["dropped"].items():  # the "dropped as" table, one row a reason
        assert any(line.split() == [reason, str(count)] for line in lines), (reason, out)
    assert "dry run: nothing tagged" in out and "'curated'" in out
    analyzed.reload()
    assert curation_tags(analyzed) == {} and analyzed.list_saved_views() == views


def test_curate_tags_saves_views_and_exports_what_the_dry_run_said(analyzed, tmp_path, capsys):
    n_samples, n_synthetic = len(analyzed), analyzed.count_values("domain")["synthetic"]
    planned = plan_curation(analyzed, budget=20, config=CONFIG).preview()
    export = tmp_path / "kept"
    args = ["curate", "--dataset", analyzed.name, *OPTIONS, "--export", str(export)]
    assert main(args) == 0
    out = capsys.readouterr().out
    analyzed.reload()
    assert len(analyzed) == n_samples  # nothing deleted
    tags = curation_tags(analyzed)
    kept = tags["curated"]
    assert kept == planned["n_kept"] and sum(tags.values()) == n_synthetic
    assert {t: n for t, n in tags.items() if t != "curated"} == {
        f"curation:dropped:{r}": n for r, n in planned["dropped"].items()
    }
    assert analyzed.match_tags("curated").count_values("domain") == {"synthetic": kept}
    assert len(analyzed.load_saved_view("synthgap-curated")) == kept
    assert len(os.listdir(export)) == kept
    assert f"kept {kept} of {n_synthetic} synthetic samples (budget 20)" in out
    assert f"exported  {kept} to {export} (images)" in out

    # a second curation is refused (nothing changes), then replaces the first with --overwrite
    assert main(["curate", "--dataset", analyzed.name, "--budget", "5"]) == 2
    assert "--overwrite" in error(capsys)
    analyzed.reload()
    assert curation_tags(analyzed) == tags
    assert main(["curate", "--dataset", analyzed.name, "--budget", "5", "--overwrite"]) == 0
    analyzed.reload()
    assert 0 < len(analyzed.match_tags("curated")) <= 5
    assert sum(curation_tags(analyzed).values()) == n_synthetic


def test_bad_input_is_one_line_with_status_2_and_changes_nothing(analyzed, tmp_path, capsys):
    name = analyzed.name
    (tmp_path / "old.png").write_bytes(b"")
    cases = [
        (["--dataset", "no-such-dataset"], "No dataset named 'no-such-dataset'"),
        (["nope", "--dataset", name], "has no synthgap analysis 'nope'"),
        (["--dataset", name, "--export", str(tmp_path)], "is not empty"),
        (["--dataset", name, "--export", str(tmp_path / "old.png")], "is a file"),
        (["--dataset", name, "--export", str(tmp_path / "new"), "--export-format", "coco"],
         "COCO export needs a detections field"),
    ]  # fmt: skip
    for args, match in cases:
        assert main(["curate", *args]) == 2, args
        assert match in error(capsys)
    analyzed.reload()
    assert curation_tags(analyzed) == {} and not (tmp_path / "new").exists()
    analyzed.delete_sample_field("realism")  # a run without realism scores
    for dry in ([], ["--dry-run"]):
        assert main(["curate", "--dataset", name, *dry]) == 2
        assert "stored no cluster or realism scores" in error(capsys)
    assert curation_tags(analyzed) == {}


def test_a_run_on_objects_keeps_or_drops_images_by_their_objects(object_run, tmp_path, capsys):
    n_boxes = object_run.count("ground_truth.detections")
    preview = plan_curation(object_run, "objects").preview()
    base = ["curate", "objects", "--dataset", object_run.name]
    assert main([*base, "--dry-run"]) == 0
    out = capsys.readouterr().out
    n, kept = preview["n_synthetic"], preview["n_kept"]
    assert f"Would keep {kept} of {n} synthetic images" in out
    assert f"judged by their {preview['objects']['n_objects']} objects" in out
    assert (
        "dropped because one of their objects is judged" in out and "3 a blank or noise box" in out
    )
    assert curation_tags(object_run) == {}

    export = tmp_path / "coco"
    assert main([*base, "--export", str(export), "--export-format", "coco"]) == 0
    out = capsys.readouterr().out
    object_run.reload()
    assert len(object_run) == 48 and object_run.count("ground_truth.detections") == n_boxes
    broken = set(object_run.match(F("filepath").is_in(object_run.info["broken"])).values("id"))
    assert set(object_run.match_tags("objects_curation:dropped:degenerate").values("id")) == broken
    assert len(object_run.match_tags("objects_curated")) == kept
    assert f"kept {kept} of {n} synthetic images, judged by their" in out
    with open(export / "labels.json", encoding="utf-8") as f:
        assert len(json.load(f)["images"]) == kept
    assert fo.dataset_exists(object_run.name)
