"""Label statistics on labels whose differences are known."""

import json

import numpy as np
import pytest

from fiftyone_plugin.core import label_stats as L
from fiftyone_plugin.core.labels import LabelSet, ObjectTable


def _classes(counts: dict, rng) -> np.ndarray:
    labels = np.array([c for c, n in counts.items() for _ in range(n)], object)
    return rng.permutation(labels)


def test_js_divergence_bounds():
    assert L.js_divergence([1, 2, 3], [2, 4, 6]) == pytest.approx(0)
    assert L.js_divergence([1, 0], [0, 1]) == pytest.approx(1)
    assert np.isnan(L.js_divergence([0, 0], [1, 1]))


def test_missing_rarer_and_one_sided_classes_are_found():
    rng = np.random.default_rng(0)
    real = LabelSet(_classes({"cat": 200, "dog": 200, "bus": 100, "car": 200}, rng))
    synthetic = LabelSet(_classes({"cat": 200, "dog": 40, "car": 200, "tram": 30}, rng))
    out = L.compare_labels(real, synthetic)
    rows = {r["class"]: r for r in out["classes"]}
    assert rows["bus"]["status"] == L.MISSING and rows["tram"]["status"] == L.SYNTHETIC_ONLY
    assert rows["dog"]["status"] == L.RARER and rows["cat"]["status"] == L.OK
    assert out["readings"][0].startswith("Class `bus` has 0 synthetic images")
    assert any("`dog` is 3.4x rarer" in r for r in out["readings"])
    assert 0 < out["class_divergence"] < 1
    json.dumps(out)  # JSON-safe


def test_same_labels_give_no_findings():
    rng = np.random.default_rng(1)
    counts = {str(c): 60 for c in range(8)}
    out = L.compare_labels(LabelSet(_classes(counts, rng)), LabelSet(_classes(counts, rng)))
    assert out["findings"] == [] and "agree" in out["readings"][0]


def _boxes(n_images, rng, classes=("car", "person"), scale=None, centre=None):
    image, label, box = [], [], []
    for i in range(n_images):
        for _ in range(rng.integers(1, 5)):
            c = classes[rng.integers(len(classes))]
            s = rng.uniform(0.1, 0.3) * (scale or {}).get(c, 1.0)
            w, h = s * rng.uniform(0.8, 1.25), s
            cx, cy = centre if centre else rng.uniform(0.2, 0.8, 2)
            image.append(i)
            label.append(c)
            box.append([cx - w / 2, cy - h / 2, w, h])
    return ObjectTable(image, label, box, n_images)


def test_one_class_with_smaller_boxes_is_named():
    rng = np.random.default_rng(2)
    real = LabelSet.from_objects(_boxes(300, rng))
    synthetic = LabelSet.from_objects(_boxes(300, rng, scale={"person": 0.5}))
    out = L.compare_labels(real, synthetic)
    rows = {r["class"]: r for r in out["class_box_area"]}
    assert rows["person"]["ratio"] == pytest.approx(0.25, rel=0.25)
    assert rows["car"]["findings"] == []
    texts = [f["text"] for f in out["findings"] if f["kind"] == "class box size"]
    assert len(texts) == 1 and texts[0].startswith(
        "Synthetic `person` boxes have a median area 0.2"
    )
    assert out["kind"] == "detection" and out["unit"] == "objects"


def test_box_counts_and_positions_are_compared():
    rng = np.random.default_rng(3)
    real = _boxes(300, rng)
    centred = _boxes(300, rng, centre=(0.5, 0.5))
    out = L.compare_objects(real, centred)
    assert any("nearer the image centre" in f["text"] for f in out["findings"])
    assert out["position"]["divergence"] > 0.1
    assert np.isclose(np.sum(out["position"]["real"]), 1)
    fewer = ObjectTable(real.image[::3], real.label[::3], real.box[::3], real.n_images)
    per_image = L.objects_per_image(real, fewer)
    assert per_image["mean_synthetic"] < per_image["mean_real"] / 2
    assert "objects on average" in per_image["reading"]
    same = L.compare_objects(real, _boxes(300, np.random.default_rng(4)))
    assert same["findings"] == [] and "match the real ones" in same["box_area"]["reading"]


def test_unlabeled_images_are_reported():
    real = LabelSet(np.array(["a"] * 20 + [None] * 5, object))
    out = L.compare_labels(real, LabelSet(np.array(["a"] * 20, object)))
    assert out["n_unlabeled"] == {"real": 5, "synthetic": 0}
    assert any("5 of 25 real images (20%) have no label" in r for r in out["readings"])
