import json

import numpy as np
import pytest
from core_scenarios import gaussian_gap_scenario
from sklearn.metrics import roc_auc_score

from fiftyone_plugin.core import diagnosis as D
from fiftyone_plugin.core.config import AnalysisConfig
from fiftyone_plugin.core.coverage import CERTAIN_SCORE
from fiftyone_plugin.core.pipeline import analyze_embeddings

FAST = AnalysisConfig(project=False, kid_subsets=10)


@pytest.fixture(scope="module")
def gap_result():
    sc = gaussian_gap_scenario(withheld=(0, 1), separation=10.0, shift=8.0)
    steps = []
    result = analyze_embeddings(
        sc.real,
        sc.synthetic,
        FAST,
        progress=lambda f, label: steps.append((f, label)),
        labels_real=sc.labels_real,
        labels_synthetic=sc.labels_synthetic,
    )
    return sc, result, steps


def test_per_sample_arrays_are_aligned_with_the_inputs(gap_result):
    sc, r, _ = gap_result
    n_r, n_s = len(sc.real), len(sc.synthetic)
    assert r.umap_real.shape == (n_r, 2) and r.umap_synthetic.shape == (n_s, 2)
    assert r.cluster_real.shape == (n_r,) and r.cluster_synthetic.shape == (n_s,)
    assert r.gap_score.shape == r.uncovered.shape == r.gap_region.shape == (n_r,)
    assert r.uncovered.dtype == bool and r.realism.shape == (n_s,)
    assert ((r.realism >= 0) & (r.realism <= 1)).all()


def test_finds_the_withheld_content_despite_the_style_shift(gap_result):
    sc, r, _ = gap_result
    assert roc_auc_score(sc.missing, r.gap_score) > 0.99
    assert (r.uncovered & sc.missing).sum() / r.uncovered.sum() >= 0.95
    assert r.diagnosis["kind"] == D.STYLE_SHIFT_AND_MISSING
    evidence = r.diagnosis["evidence"]
    assert evidence["c2st_auc"] > 0.9 and evidence["mixing_auc_aligned"] < D.SEPARABLE_MIXING_AUC


def test_tables_metrics_and_readings(gap_result):
    sc, r, _ = gap_result
    assert sum(c["n_real"] for c in r.clusters) == len(sc.real)
    assert {"status", "synthetic_share", "expected_share", "mean_gap_score"} <= set(r.clusters[0])
    assert r.regions and r.regions[0]["name"] == "gap-1"
    per_class = {row["class"]: row for row in r.metrics["per_class"]}
    assert per_class[0]["n_synthetic"] == 0 and per_class[0]["uncovered_fraction"] > 0.8
    for key in ("fid", "kid_mean", "precision", "recall", "density", "coverage", "c2st_auc"):
        assert key in r.metrics and key in r.readings


def test_to_dict_is_json_and_small(gap_result):
    _, r, _ = gap_result
    d = json.loads(json.dumps(r.to_dict()))
    assert d["diagnosis"]["kind"] == r.diagnosis["kind"]
    assert "gap_score" not in d and d["n_uncovered"] == int(r.uncovered.sum())


def test_progress_is_monotone_and_ends_at_one(gap_result):
    _, _, steps = gap_result
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(isinstance(label, str) and label for _, label in steps)


def test_same_distribution_is_no_gap():
    rng = np.random.default_rng(0)
    r = analyze_embeddings(rng.normal(size=(150, 8)), rng.normal(size=(150, 8)), FAST)
    assert r.diagnosis["kind"] == D.NO_GAP
    assert r.uncovered.mean() <= 0.05


def test_style_shift_alone_is_named_as_such():
    sc = gaussian_gap_scenario(withheld=(), separation=10.0, shift=8.0)
    r = analyze_embeddings(sc.real, sc.synthetic, FAST)
    assert r.diagnosis["kind"] == D.STYLE_SHIFT
    assert r.uncovered.mean() <= 0.05


def test_junk_ranks_least_realistic_despite_a_style_shift():
    sc = gaussian_gap_scenario(withheld=(), separation=10.0, shift=8.0)
    rng = np.random.default_rng(0)
    dim = sc.real.shape[1]
    blanks = [np.tile(c, (12, 1)) for c in (sc.real.mean(axis=0), rng.normal(0, 6, dim))]
    junk = np.vstack(blanks) + rng.normal(0, 0.05, (24, dim))  # two near-constant renders
    synthetic = np.vstack([sc.synthetic, junk]).astype(np.float32)
    is_junk = np.r_[np.zeros(len(sc.synthetic), bool), np.ones(len(junk), bool)]
    r = analyze_embeddings(sc.real, synthetic, FAST)
    assert r.details["alignment_method"] == "mnn"
    assert roc_auc_score(is_junk, -r.realism) > 0.95


def test_head_dims_reads_the_head_for_realism_metrics_and_probes_and_every_column_for_gaps():
    """With head_dims=d the first d columns are the pooled head: realism, FID / KID and the probes
    on raw embeddings are those of the head alone (taken before the blocks are weighed), the gap
    scores still read every column (here the head plus a block of noise)."""
    sc = gaussian_gap_scenario(n_clusters=4, withheld=(2,), n_per_cluster=20, shift=3.0)
    rng = np.random.default_rng(2)
    extra = rng.normal(size=(len(sc.real) + len(sc.synthetic), 6)).astype(np.float32)
    real = np.hstack([sc.real, extra[: len(sc.real)]])
    synthetic = np.hstack([sc.synthetic, extra[len(sc.real) :]])
    d = sc.real.shape[1]
    labels = dict(labels_real=sc.labels_real, labels_synthetic=sc.labels_synthetic)
    full = analyze_embeddings(real, synthetic, FAST)
    sliced = analyze_embeddings(real, synthetic, FAST, head_dims=d)
    weighed = analyze_embeddings(real, synthetic, FAST, head_dims=d, blocks=(d, 6), **labels)
    leading = analyze_embeddings(sc.real, sc.synthetic, FAST, **labels)
    np.testing.assert_allclose(sliced.realism, leading.realism, atol=1e-6)
    assert not np.allclose(full.realism, leading.realism, atol=1e-3)
    np.testing.assert_array_equal(sliced.gap_score, full.gap_score)
    assert sliced.details["head_dims"] == d and full.details["head_dims"] is None
    for key in ("fid", "kid_mean"):
        assert weighed.metrics[key] == pytest.approx(leading.metrics[key], rel=1e-5)
        assert full.metrics[key] != pytest.approx(leading.metrics[key], rel=1e-3)
    accuracy = weighed.labeled.probe["accuracy"]
    assert accuracy["synthetic_raw"] == leading.labeled.probe["accuracy"]["synthetic_raw"]
    assert accuracy["synthetic_coral"] == leading.labeled.probe["accuracy"]["synthetic_coral"]


def test_different_content_altogether_is_separable():
    rng = np.random.default_rng(1)
    real = np.repeat(rng.normal(size=(6, 8)) * 5, 30, axis=0) + rng.normal(size=(180, 8)) * 0.3
    synth = rng.uniform(-8, 8, size=(180, 8))  # structureless: nothing to align
    r = analyze_embeddings(real, synth, FAST)
    assert r.diagnosis["kind"] == D.SEPARABLE
    assert "separable" in r.diagnosis["text"]
    # a partial shortfall there may be style: only near-total ones stay uncovered
    assert r.details["certain_only"]
    assert (r.gap_score[r.uncovered] >= CERTAIN_SCORE).all()


def test_seed_makes_runs_identical():
    sc = gaussian_gap_scenario(n_clusters=4, withheld=(2,), n_per_cluster=20, shift=3.0)
    a = analyze_embeddings(sc.real, sc.synthetic, FAST)
    b = analyze_embeddings(sc.real, sc.synthetic, FAST)
    np.testing.assert_array_equal(a.gap_score, b.gap_score)
    np.testing.assert_array_equal(a.cluster_real, b.cluster_real)


@pytest.mark.slow
def test_map_is_computed_when_asked():
    sc = gaussian_gap_scenario(n_per_cluster=15, withheld=(0,))
    r = analyze_embeddings(sc.real, sc.synthetic, AnalysisConfig(kid_subsets=5))
    assert np.isfinite(r.umap_real).all() and np.isfinite(r.umap_synthetic).all()


# Validation: one bad input or parameter per test.


def test_empty_side_raises():
    with pytest.raises(ValueError, match="synthetic is empty"):
        analyze_embeddings(np.zeros((50, 4)), np.zeros((0, 4)))


def test_non_finite_values_raise():
    real = np.random.default_rng(0).normal(size=(50, 4))
    real[7, 2] = np.inf
    with pytest.raises(
        ValueError, match=r"real has 1 rows with NaN or infinite values \(first rows: \[7\]\)"
    ):
        analyze_embeddings(real, np.zeros((50, 4)))


def test_dimension_mismatch_raises():
    with pytest.raises(ValueError, match="real has 4 features per sample but synthetic has 5"):
        analyze_embeddings(np.zeros((50, 4)), np.zeros((50, 5)))


def test_too_few_samples_says_how_many_are_needed():
    with pytest.raises(ValueError, match="needs at least 22 real and 6 synthetic"):
        analyze_embeddings(np.zeros((10, 4)), np.zeros((50, 4)))


def test_head_dims_beyond_the_embedding_raise():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="head_dims=5 but the embeddings have 4 dimensions"):
        analyze_embeddings(rng.normal(size=(50, 4)), rng.normal(size=(50, 4)), head_dims=5)


def test_unknown_unit_raises():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="Unsupported unit 'boxes'"):
        analyze_embeddings(rng.normal(size=(50, 4)), rng.normal(size=(50, 4)), unit="boxes")


def test_one_dimensional_input_raises():
    with pytest.raises(ValueError, match="must be a 2-D array"):
        analyze_embeddings(np.zeros(50), np.zeros((50, 1)))


def test_unknown_clustering_raises():
    with pytest.raises(ValueError, match="Unsupported clustering 'spectral'"):
        analyze_embeddings(
            np.zeros((50, 4)), np.zeros((50, 4)), AnalysisConfig(clustering="spectral")
        )


def test_bad_n_components_raises():
    with pytest.raises(ValueError, match="n_components must be 2 or 3"):
        analyze_embeddings(np.zeros((50, 4)), np.zeros((50, 4)), AnalysisConfig(n_components=1))


def test_bad_alpha_raises():
    with pytest.raises(ValueError, match=r"alpha must be in \(0.0, 0.5\)"):
        analyze_embeddings(np.zeros((50, 4)), np.zeros((50, 4)), AnalysisConfig(alpha=0.0))


def test_labels_of_one_side_only_raise():
    with pytest.raises(ValueError, match="Pass labels for both sides"):
        analyze_embeddings(np.zeros((50, 4)), np.zeros((50, 4)), labels_real=np.zeros(50))


def test_labels_of_the_wrong_length_raise():
    with pytest.raises(ValueError, match="labels_real must hold one label per sample"):
        analyze_embeddings(
            np.zeros((50, 4)),
            np.zeros((50, 4)),
            labels_real=np.zeros(3),
            labels_synthetic=np.zeros(50),
        )


def test_unknown_config_key_raises():
    with pytest.raises(ValueError, match="Unknown analysis parameters \\['pca'\\]"):
        AnalysisConfig.from_dict({"pca": 3})
