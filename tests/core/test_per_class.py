"""Gaps within classes and the probe, on embeddings whose answer is known."""

import json

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from fiftyone_plugin.core import per_class as PC
from fiftyone_plugin.core import probe as PR
from fiftyone_plugin.core.config import AnalysisConfig
from fiftyone_plugin.core.pipeline import analyze_embeddings


def two_mode_classes(n_classes=4, per_mode=40, dim=16, lacking=0, withheld=3, seed=0):
    """Every class has two modes (sub-clusters) on the real side; on the synthetic side class
    ``lacking`` has only its first mode and class ``withheld`` is absent. Returns real,
    synthetic, labels_real, labels_synthetic, and the real samples of the lacking mode."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 6, (n_classes, 2, dim))

    def draw(skip_mode, skip_class):
        x, y, mode = [], [], []
        for c in range(n_classes):
            for m in range(2):
                if c == skip_class or (c, m) == skip_mode:
                    continue
                x.append(centres[c, m] + rng.normal(0, 1, (per_mode, dim)))
                y += [f"c{c}"] * per_mode
                mode += [m] * per_mode
        return np.vstack(x).astype(np.float32), np.array(y, object), np.array(mode)

    real, y_r, mode_r = draw(None, None)
    synthetic, y_s, _ = draw((lacking, 1), withheld)
    lacking_mode = (y_r == f"c{lacking}") & (mode_r == 1)
    return real, synthetic, y_r, y_s, lacking_mode


def test_a_class_lacking_a_mode_and_a_missing_class_are_named():
    real, synthetic, y_r, y_s, lacking = two_mode_classes()
    d = PC.ClassGapDetector().fit(real, synthetic, y_r, y_s)
    rows = {r["class"]: r for r in d.table_}
    assert rows["c0"]["status"] == PC.LACKS_VARIETY and rows["c3"]["status"] == PC.MISSING
    assert rows["c1"]["status"] == rows["c2"]["status"] == PC.COVERED
    present = y_r != "c3"
    assert roc_auc_score(lacking[present], d.gap_score_[present]) > 0.95
    found = d.uncovered_ & (y_r == "c0")
    assert (found & lacking).sum() / found.sum() >= 0.9 and (found & lacking).sum() >= 30
    assert set(d.gap_region_[lacking]) == {"c0/gap-1"}
    assert d.uncovered_[y_r == "c3"].all() and set(d.gap_region_[y_r == "c3"]) == {"c3/gap-1"}
    assert "have no synthetic counterpart within the class" in rows["c0"]["reading"]
    assert rows["c3"]["reading"] == "`c3`: no synthetic images; all 80 real ones are uncovered."
    assert [r["name"] for r in d.regions_] == ["c0/gap-1", "c3/gap-1"]


def test_a_small_class_lacking_a_whole_mode_is_called():
    # 30 real images a class: the coarse confirmation holds the whole class in one cluster, so
    # only a near-total shortfall is called; a mode with no synthetic image at all is one.
    real, synthetic, y_r, y_s, lacking = two_mode_classes(per_mode=15, withheld=None)
    d = PC.ClassGapDetector().fit(real, synthetic, y_r, y_s)
    rows = {r["class"]: r for r in d.table_}
    assert rows["c0"]["status"] == PC.LACKS_VARIETY
    assert [rows[c]["status"] for c in ("c1", "c2", "c3")] == [PC.COVERED] * 3
    assert (d.uncovered_ == lacking).all()


def test_a_partial_shortfall_in_a_small_class_is_ranked_not_called():
    # c0's second mode keeps 3 of its 15 synthetic images: ranked first within the class, but
    # nothing is called (a partial shortfall needs the coarse confirmation, see per_class.py).
    real, synthetic, y_r, y_s, _ = two_mode_classes(per_mode=15, lacking=None, withheld=None)
    keep = np.ones(len(y_s), bool)
    keep[15:27] = False  # synthetic c0, mode 1: rows 15-29
    d = PC.ClassGapDetector().fit(real, synthetic[keep], y_r, y_s[keep])
    in_c0 = y_r == "c0"
    rarer = in_c0 & (np.arange(len(y_r)) % 30 >= 15)
    assert roc_auc_score(rarer[in_c0], d.gap_score_[in_c0]) > 0.95
    assert not d.uncovered_.any()
    assert {r["status"] for r in d.table_} == {PC.COVERED}


def test_small_classes_and_unlabeled_samples_are_left_out():
    real, synthetic, y_r, y_s, _ = two_mode_classes(lacking=None, withheld=None)
    y_r = y_r.copy()
    y_r[:70] = None  # c0 keeps 10 real samples: too few
    y_s = np.r_[y_s[:-5], np.array(["only-synthetic"] * 5, object)]
    d = PC.ClassGapDetector().fit(real, synthetic, y_r, y_s)
    rows = {r["class"]: r for r in d.table_}
    assert rows["c0"]["status"] == PC.TOO_FEW and rows["c0"]["uncovered_fraction"] is None
    assert rows["only-synthetic"]["status"] == PC.SYNTHETIC_ONLY
    assert np.isnan(d.gap_score_[:70]).all() and not d.uncovered_[:80].any()
    assert None not in rows


def test_probe_finds_a_mislabeled_class_and_a_withheld_one():
    real, synthetic, y_r, y_s, _ = two_mode_classes(lacking=None, withheld=3, seed=1)
    y_s = y_s.copy()
    y_s[y_s == "c1"] = "c2"  # every synthetic c1 labeled c2: a model never learns c1
    p = PR.LinearProbe(n_folds=4).fit(real, synthetic, y_r, y_s)
    rows = {r["class"]: r for r in p.per_class_}
    assert rows["c0"]["accuracy_synthetic"] >= 0.95 and rows["c0"]["verdict"] == PR.WORKS
    assert rows["c1"]["accuracy_synthetic"] == 0 and rows["c3"]["accuracy_synthetic"] == 0
    assert rows["c1"]["verdict"] == rows["c3"]["verdict"] == PR.FAILS
    assert all(r["accuracy_real"] >= 0.95 for r in p.per_class_)
    assert p.accuracy_["real"] >= 0.95 > 0.6 > p.accuracy_["synthetic"]
    # the synthetic c1 now labeled c2 look like real c1: real data would not call them c2
    relabeled = (y_s == "c2") & (np.arange(len(y_s)) < 160)  # synthetic 80..159 were c1
    assert p.label_support_[relabeled].mean() < 0.2 < 0.8 < p.label_support_[y_s == "c0"].mean()
    assert p.reading_.startswith("Trained on your synthetic images, a linear probe recognises")
    assert "`c1` 0%" in p.reading_ and "`c3` 0%" in p.reading_
    json.dumps(p.to_dict())


def _raw_probe(real, synthetic, y_r, y_s, synthetic_raw):
    return PR.LinearProbe(n_folds=3).fit(
        real, synthetic, y_r, y_s, real_raw=real, synthetic_raw=synthetic_raw
    )


def test_coral_removes_a_style_every_synthetic_sample_shares():
    real, synthetic, y_r, y_s, _ = two_mode_classes(lacking=None, withheld=None, seed=3)
    rng = np.random.default_rng(3)
    shared = rng.uniform(0.3, 3, 16).astype(np.float32), rng.normal(0, 8, 16).astype(np.float32)
    p = _raw_probe(real, synthetic, y_r, y_s, synthetic * shared[0] + shared[1])
    rows = {r["class"]: r for r in p.per_class_}
    assert min(r["accuracy_synthetic_raw"] for r in p.per_class_) <= 0.6  # the raw probe fails
    assert all(r["accuracy_synthetic_coral"] >= 0.95 for r in p.per_class_)
    for r in p.per_class_:
        assert r["transfer"] == r["accuracy_synthetic_coral"]
        assert r["ratio"] == pytest.approx(r["transfer"] / r["accuracy_real"])
    assert rows["c0"]["verdict"] == PR.WORKS
    assert p.reading_.startswith(
        "Trained on your synthetic images, a linear probe recognises 100% of the real images once "
        f"what all synthetic images share is corrected ({100 * p.accuracy_[PR.RAW]:.0f}% as they "
        "are); trained on real images"
    )
    assert p.to_dict()["transfer"] == pytest.approx(p.balanced_accuracy_[PR.CORAL])


def test_the_raw_probes_see_a_style_of_one_class_that_the_aligned_one_does_not():
    real, synthetic, y_r, y_s, _ = two_mode_classes(lacking=None, withheld=None, seed=3)
    rng = np.random.default_rng(3)
    # 8 more dimensions where only the synthetic c1 images differ (a style of their own, which a
    # network trained on them would learn to rely on); the aligned features have it removed
    style = rng.normal(0, 1, (len(real) + len(synthetic), 8)).astype(np.float32)
    style[len(real) :][y_s == "c1"] += 10
    p = PR.LinearProbe(n_folds=3).fit(
        real, synthetic, y_r, y_s, real_raw=np.hstack([real, style[: len(real)]]),
        synthetic_raw=np.hstack([synthetic, style[len(real) :]]),
    )  # fmt: skip
    rows = {r["class"]: r for r in p.per_class_}
    assert rows["c1"]["accuracy_synthetic"] >= 0.95 > 0.5 > rows["c1"]["accuracy_synthetic_raw"]
    assert rows["c1"]["transfer"] < 0.8 <= min(rows[c]["transfer"] for c in ("c0", "c2", "c3"))
    assert rows["c1"]["verdict"] != PR.WORKS
    assert "least likely to work: `c1`" in p.reading_
    with pytest.raises(ValueError, match="both real_raw and synthetic_raw"):
        PR.LinearProbe().fit(real, synthetic, y_r, y_s, real_raw=real)


def test_probe_takes_labels_of_mixed_types():
    real, synthetic, y_r, y_s, _ = two_mode_classes(lacking=None, withheld=None, seed=2)
    y_r = np.array([int(c[1]) for c in y_r], object)  # ints on the real side
    y_s = np.array([int(c[1]) if c != "c3" else "c3" for c in y_s], object)  # one class a str
    p = PR.LinearProbe(n_folds=3).fit(real, synthetic, y_r, y_s)
    rows = {r["class"]: r for r in p.per_class_}
    assert rows[0]["accuracy_synthetic"] > 0.9 and rows[3]["accuracy_synthetic"] == 0
    assert rows["c3"]["n_real"] == 0 and rows["c3"]["accuracy_synthetic"] is None


def test_probe_needs_labels():
    x = np.random.default_rng(0).normal(size=(20, 4))
    with pytest.raises(ValueError, match="two synthetic classes"):
        PR.LinearProbe().fit(x, x, np.array(["a"] * 20, object), np.array(["a"] * 20, object))


@pytest.mark.slow
def test_pipeline_adds_the_labeled_results():
    real, synthetic, y_r, y_s, lacking = two_mode_classes()
    r = analyze_embeddings(real, synthetic, AnalysisConfig(project=False, kid_subsets=5),
                           labels_real=y_r, labels_synthetic=y_s)  # fmt: skip
    assert r.labeled is not None and r.metrics["per_class"] is r.labeled.table
    row = r.metrics["per_class"][0]
    assert row["class"] == "c0" and row["status"] == PC.LACKS_VARIETY
    assert row["probe_verdict"] in (PR.WORKS, PR.PARTLY, PR.FAILS)
    assert r.labeled.probe_prediction.shape == (len(real),)
    assert r.labeled.label_support.shape == (len(synthetic),)
    d = json.loads(json.dumps(r.to_dict()))
    assert d["probe"]["accuracy"]["real"] > 0.9 and d["class_regions"][0]["name"] == "c0/gap-1"
