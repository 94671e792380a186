"""The FiftyOne adapter's sample handling: imports, domains, ownership of fields."""

from __future__ import annotations

import fiftyone as fo
import pytest

from fiftyone_plugin import defaults
from fiftyone_plugin.fo.fields import FieldClashError, check_writable, claim_field
from fiftyone_plugin.fo.samples import (
    domain_counts,
    import_images,
    list_images,
    load_or_create_dataset,
    mark_domain,
)


def test_list_images_walks_folders_once_and_skips_non_images(tmp_path, tiny_demo):
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "real").symlink_to(tiny_demo["real"], target_is_directory=True)
    paths = list_images(str(tmp_path))
    assert len(paths) == len(list_images(tiny_demo["real"]))
    assert all(p.endswith(".png") for p in paths)


def test_list_images_accepts_a_glob(tiny_demo):
    cats = list_images(tiny_demo["real"] + "/chelsea_*.png")
    assert cats and all("chelsea_" in p for p in cats)


def test_list_images_rejects_a_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="Folder not found"):
        list_images(str(tmp_path / "missing"))


def test_import_twice_adds_nothing_the_second_time(dataset_name, tiny_demo):
    dataset = load_or_create_dataset(dataset_name)
    paths = list_images(tiny_demo["real"])
    first = import_images(dataset, paths, "real")
    second = import_images(dataset, paths, "real")
    assert (first.added, second.added, second.existing) == (len(paths), 0, len(paths))
    assert len(dataset) == len(paths)
    assert dataset.count_sample_tags() == {"real": len(paths)}


def test_import_reports_files_already_marked_with_the_other_domain(dataset_name, tiny_demo):
    dataset = load_or_create_dataset(dataset_name)
    paths = list_images(tiny_demo["real"])[:5]
    import_images(dataset, paths, "real")
    summary = import_images(dataset, paths, "synthetic")
    assert (summary.added, summary.other_domain) == (0, 5)
    assert domain_counts(dataset) == {"real": 5, "synthetic": 0}


def test_mark_domain_moves_samples_without_duplicating(dataset_name, tiny_demo):
    dataset = load_or_create_dataset(dataset_name)
    import_images(dataset, list_images(tiny_demo["real"])[:6], "real")
    moved = mark_domain(dataset.limit(2), "synthetic")
    assert moved == 2 and len(dataset) == 6
    assert domain_counts(dataset) == {"real": 4, "synthetic": 2}
    assert dataset.count_sample_tags() == {"real": 4, "synthetic": 2}


def test_unknown_domain_is_rejected(dataset_name):
    dataset = load_or_create_dataset(dataset_name)
    with pytest.raises(ValueError, match="Unknown domain"):
        import_images(dataset, [], "fake")


def test_a_user_domain_field_with_other_values_is_never_overwritten(dataset_name, tiny_demo):
    dataset = load_or_create_dataset(dataset_name)
    dataset.add_sample(fo.Sample(filepath=list_images(tiny_demo["real"])[0], domain="sim-v2"))
    with pytest.raises(FieldClashError, match="holds values"):
        import_images(dataset, list_images(tiny_demo["real"])[1:3], "real")
    assert dataset.distinct("domain") == ["sim-v2"] and len(dataset) == 1


def test_user_fields_need_overwrite(dataset_name):
    dataset = load_or_create_dataset(dataset_name)
    dataset.add_sample_field("gap_score", fo.FloatField)
    with pytest.raises(FieldClashError, match="not created by synthgap"):
        check_writable(dataset, ["gap_score"], overwrite=False)
    check_writable(dataset, ["gap_score"], overwrite=True)
    claim_field(dataset, "cluster", fo.IntField, run="x")
    check_writable(dataset, ["cluster"], overwrite=False)


def test_names_are_validated():
    assert defaults.validate_name("run_2", "run name") == "run_2"
    for bad in ("", "2run", "a-b", "a b", "x" * 65, "$where", "a.b"):
        with pytest.raises(ValueError, match="Invalid run name"):
            defaults.validate_name(bad, "run name")


def test_domains_get_the_report_colors_in_the_app_unless_the_user_chose_some(
    dataset_name, tiny_demo
):
    dataset = load_or_create_dataset(dataset_name)
    import_images(dataset, list_images(tiny_demo["real"])[:2], "real")
    (entry,) = dataset.app_config.color_scheme.fields
    assert entry["path"] == "domain"
    assert {c["value"]: c["color"] for c in entry["valueColors"]} == defaults.DOMAIN_COLORS
    entry["valueColors"] = [{"value": "real", "color": "#000000"}]
    dataset.save()
    import_images(dataset, list_images(tiny_demo["real"])[2:4], "real")
    (kept,) = dataset.app_config.color_scheme.fields
    synthetic = {"value": "synthetic", "color": defaults.DOMAIN_COLORS["synthetic"]}
    assert kept["valueColors"] == [{"value": "real", "color": "#000000"}, synthetic]  # only added


def test_a_missing_dataset_is_refused_with_what_to_do():
    from fiftyone_plugin.fo.samples import load_dataset
    from fiftyone_plugin.workflow import analyze_dataset

    with pytest.raises(ValueError, match=r"No dataset named 'no-such-dataset'; available: \["):
        load_dataset("no-such-dataset")
    with pytest.raises(ValueError, match="^custom$"):
        load_dataset("no-such-dataset", missing="custom")
    # the CLI's `analyze --dataset NAME` without folders
    with pytest.raises(ValueError, match="pass --real and --synthetic folders to create it"):
        analyze_dataset("no-such-dataset")
