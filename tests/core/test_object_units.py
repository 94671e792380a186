"""Objects as units: the analysis on object embeddings, and object results folded onto images."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from fiftyone_plugin.core.config import AnalysisConfig
from fiftyone_plugin.core.labels import LabelSet, ObjectTable
from fiftyone_plugin.core.objects import ObjectSides, analyze_objects, image_summary


def objects_of(labels: np.ndarray, per_image: int, rng, area: float = 0.04) -> ObjectTable:
    """``labels`` as boxes, ``per_image`` to an image, in shuffled images; square boxes of
    relative side sqrt(area)."""
    n = len(labels)
    image = rng.permutation(np.arange(n) // per_image)
    side = np.sqrt(area)
    box = np.column_stack([rng.uniform(0, 1 - side, (n, 2)), np.full((n, 2), side)])
    return ObjectTable(image, labels, box, int(image.max()) + 1, np.full((image.max() + 1, 2), 640))


def test_a_class_lacking_a_mode_is_found_among_its_objects():
    from tests.core.test_per_class import two_mode_classes

    real, synthetic, y_r, y_s, lacking = two_mode_classes(withheld=None)
    rng = np.random.default_rng(0)
    obj_r, obj_s = objects_of(y_r, 3, rng), objects_of(y_s, 3, rng, area=0.09)
    # two real boxes were too small to embed: the embeddings hold every other box
    rows_r = np.setdiff1d(np.arange(len(y_r)), [5, 9])
    sides = ObjectSides(LabelSet.from_objects(obj_r), rows_r)
    synth = ObjectSides(LabelSet.from_objects(obj_s), np.arange(len(y_s)))
    result = analyze_objects(real[rows_r], synthetic, sides, synth, AnalysisConfig(project=False))
    lab = result.labeled
    rows = {r["class"]: r for r in lab.table}
    assert rows["c0"]["status"] == "lacks variety"
    assert roc_auc_score(lacking[rows_r], lab.gap_score) > 0.95
    assert set(lab.gap_region[lacking[rows_r]]) == {"c0/gap-1"}
    assert result.details["unit"] == "objects"
    # the words say objects, not images or samples
    assert (
        rows["c0"]["reading"].startswith("`c0`: ")
        and "of the real objects (" in rows["c0"]["reading"]
    )
    assert "real objects" in result.diagnosis["text"] and "samples" not in result.diagnosis["text"]
    assert lab.probe["reading"].startswith("Trained on your synthetic objects, a linear probe")
    assert result.details["n_skipped_real"] == 2 and result.details["n_skipped_synthetic"] == 0
    assert result.details["n_objects_real"] == len(y_r)
    # the label statistics count every box, skipped or not, and see the larger synthetic boxes
    stats = lab.label_stats
    assert stats["kind"] == "detection" and stats["unit"] == "objects"
    assert sum(r["n_real"] for r in stats["classes"]) == len(y_r)
    assert stats["box_area"]["median_synthetic"] == pytest.approx(0.09)
    assert any(f["kind"] == "box area" for f in stats["findings"])
    assert len(result.realism) == len(y_s) and len(result.gap_score) == len(rows_r)


def test_object_sides_check_their_rows():
    objects = ObjectTable([0, 0, 1], ["a", "b", "a"], np.full((3, 4), 0.2), 2)
    objects.ids = np.array(["o0", "o1", "o2"], object)
    side = ObjectSides(LabelSet.from_objects(objects), [2, 0])
    assert list(side.classes) == ["a", "a"] and list(side.objects.image) == [1, 0]
    assert list(side.objects.ids) == ["o2", "o0"]
    assert side.n_skipped == 1
    with pytest.raises(ValueError, match=r"object rows must lie in \[0, 3\)"):
        ObjectSides(LabelSet.from_objects(objects), [3])
    with pytest.raises(ValueError, match="needs detection labels"):
        ObjectSides(LabelSet(np.array(["a", "b"], object)), [0])
    with pytest.raises(ValueError, match="2 real object embeddings but 1 analyzed real objects"):
        analyze_objects(np.zeros((2, 4)), np.zeros((2, 4)), ObjectSides(
            LabelSet.from_objects(objects), [0]), side)  # fmt: skip


def test_image_summary_folds_object_values_onto_images():
    image = np.array([0, 0, 2, 2, 2])
    realism = np.array([0.9, 0.2, np.nan, 0.5, 0.7])
    uncovered = np.array([True, False, True, True, False])
    out = image_summary(image, 4, realism=realism, uncovered=uncovered)
    assert list(out["n_objects"]) == [2, 0, 3, 0]
    assert list(out["n_uncovered"]) == [1, 0, 2, 0]
    np.testing.assert_allclose(out["min_realism"], [0.2, np.nan, 0.5, np.nan])
    np.testing.assert_allclose(out["max_realism"], [0.9, np.nan, 0.7, np.nan])
