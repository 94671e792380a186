import numpy as np
import pytest
from core_scenarios import gaussian_gap_scenario

from fiftyone_plugin.core.alignment import DomainAligner, align, coral, mutual_pairs
from fiftyone_plugin.core.neighbors import knn


def nearest_real_label_accuracy(real, synthetic, labels_real, labels_synthetic):
    _, i = knn(synthetic, real, 1)
    return float(np.mean(labels_real[i[:, 0]] == labels_synthetic))


def test_mnn_undoes_a_global_shift():
    sc = gaussian_gap_scenario(withheld=(), separation=10.0, shift=30.0)
    before = nearest_real_label_accuracy(sc.real, sc.synthetic, sc.labels_real, sc.labels_synthetic)
    r, s = align(sc.real, sc.synthetic)
    after = nearest_real_label_accuracy(r, s, sc.labels_real, sc.labels_synthetic)
    assert before < 0.7
    assert after > 0.95


def test_missing_clusters_attract_no_synthetic_samples():
    sc = gaussian_gap_scenario(withheld=(0, 1), separation=10.0, shift=8.0)
    r, s = align(sc.real, sc.synthetic)
    _, i = knn(s, r, 1)
    landed_on_missing = sc.missing[i[:, 0]].mean()
    assert landed_on_missing < 0.05


def test_center_only_removes_the_mean_difference():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(50, 4))
    a = DomainAligner("center").fit(real, real + 5.0)
    np.testing.assert_allclose(a.synthetic_aligned_, a.real_aligned_, atol=1e-5)
    assert a.shift_ == pytest.approx(10.0, rel=1e-5)


def test_none_leaves_features_unchanged():
    rng = np.random.default_rng(1)
    real, synth = rng.normal(size=(30, 3)), rng.normal(size=(20, 3)) + 2
    a = DomainAligner("none").fit(real, synth)
    np.testing.assert_allclose(a.synthetic_aligned_, synth, rtol=1e-6)
    np.testing.assert_allclose(a.real_aligned_, real, rtol=1e-6)


def test_transform_synthetic_aligns_new_rows():
    sc = gaussian_gap_scenario(withheld=(), separation=10.0, shift=30.0)
    fit, new = np.arange(0, len(sc.synthetic), 2), np.arange(1, len(sc.synthetic), 2)
    a = DomainAligner().fit(sc.real, sc.synthetic[fit])
    acc = nearest_real_label_accuracy(
        a.real_aligned_,
        a.transform_synthetic(sc.synthetic[new]),
        sc.labels_real,
        sc.labels_synthetic[new],
    )
    assert acc > 0.9


def test_fitting_on_a_subsample_extends_to_every_row():
    sc = gaussian_gap_scenario(withheld=(), separation=10.0, shift=30.0)
    full = DomainAligner().fit(sc.real, sc.synthetic)
    sub = DomainAligner(max_fit_samples=100).fit(sc.real, sc.synthetic)
    assert sub.synthetic_aligned_.shape == full.synthetic_aligned_.shape
    acc = nearest_real_label_accuracy(
        sub.real_aligned_, sub.synthetic_aligned_, sc.labels_real, sc.labels_synthetic
    )
    assert acc > 0.9


def test_mutual_pairs_are_mutual():
    rng = np.random.default_rng(2)
    r, s = rng.normal(size=(40, 3)), rng.normal(size=(30, 3))
    pr, ps = mutual_pairs(r, s, k=3)
    _, i_rs = knn(r, s, 3)
    _, i_sr = knn(s, r, 3)
    for i, j in zip(pr, ps, strict=True):
        assert j in i_rs[i] and i in i_sr[j]


def test_unknown_method_raises():
    with pytest.raises(ValueError, match="Unsupported alignment method 'coral'"):
        DomainAligner("coral").fit(np.zeros((5, 2)), np.zeros((5, 2)))


def test_k_must_be_positive():
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        DomainAligner(k=0).fit(np.zeros((5, 2)), np.zeros((5, 2)))


def test_dimension_mismatch_raises():
    with pytest.raises(ValueError, match="same model"):
        DomainAligner().fit(np.zeros((5, 2)), np.zeros((5, 3)))


def test_coral_removes_a_shared_per_feature_style_and_nothing_else():
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, (300, 6)) @ rng.normal(0, 1, (6, 6))  # correlated features
    moved, real = coral(x, x)
    assert np.allclose(moved, real, atol=1e-4)  # the same data: nothing to match
    assert np.allclose(real.mean(0), 0, atol=1e-5) and np.allclose(real.std(0), 1, atol=1e-4)
    styled, _ = coral(x * rng.uniform(0.2, 5, 6) + rng.normal(0, 10, 6), x)
    assert np.allclose(styled, real, atol=1e-4)  # a shift and scale shared by every sample
    other, _ = coral(rng.normal(0, 1, (300, 6)), x)  # other content: its covariance is matched
    assert np.abs(np.cov(other, rowvar=False) - np.cov(real, rowvar=False)).max() < 0.5
