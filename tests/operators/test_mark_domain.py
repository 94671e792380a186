"""mark_domain: the current view or the selected samples become real or synthetic."""

from __future__ import annotations

import fiftyone as fo
import pytest

from fiftyone_plugin.fo.samples import import_images, list_images


@pytest.fixture
def unmarked(dataset_name, tiny_demo):
    """Twelve real images imported as real."""
    dataset = fo.Dataset(dataset_name)
    import_images(dataset, list_images(tiny_demo["real"])[:12], "real")
    return dataset


@pytest.mark.parametrize("delegated", [False, True], ids=["immediate", "delegated"])
def test_marks_the_selected_samples_and_remarking_moves_them(run_op, unmarked, delegated):
    ids = unmarked.values("id")[:3]
    result = run_op("mark_domain", unmarked.name, {"target": "SELECTED_SAMPLES",
                    "domain": "synthetic"}, delegated=delegated, selected=ids)  # fmt: skip
    assert result.result == {"marked": 3, "domain": "synthetic"}
    unmarked.reload()
    assert unmarked.count_values("domain") == {"real": 9, "synthetic": 3}
    assert set(unmarked.match_tags("synthetic").values("id")) == set(ids)

    run_op("mark_domain", unmarked.name, {"target": "SELECTED_SAMPLES", "domain": "real"},
           delegated=delegated, selected=ids)  # fmt: skip
    unmarked.reload()
    assert len(unmarked) == 12
    assert unmarked.count_values("domain") == {"real": 12}
    assert unmarked.count_sample_tags() == {"real": 12}


def test_marks_the_current_view(run_op, unmarked):
    view = unmarked.limit(5)
    result = run_op("mark_domain", unmarked.name, {"target": "CURRENT_VIEW",
                    "domain": "synthetic"}, view=view)  # fmt: skip
    assert result.result["marked"] == 5
    assert run_op.triggers(result) == ["reload_dataset"]
    assert unmarked.count_values("domain") == {"real": 7, "synthetic": 5}


def test_flags_a_user_domain_field_with_other_values(run_op, unmarked):
    unmarked.add_sample_field("domain2", fo.StringField)
    unmarked.rename_sample_field("domain", "origin")
    unmarked.add_sample_field("domain", fo.StringField)
    unmarked.set_values("domain", ["photo"] * len(unmarked))
    run_op.rejects("mark_domain", unmarked.name, {"domain": "real"}, "holds values")
