import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import linalg

from fiftyone_plugin.core import metrics as M
from fiftyone_plugin.core.readings import readings


def fid_reference(a, b):
    """The textbook formula with scipy's matrix square root."""
    mu_a, mu_b = a.mean(0), b.mean(0)
    c_a, c_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = linalg.sqrtm(c_a @ c_b).real
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(c_a + c_b - 2 * root))


def kid_reference(x, y):
    """Unbiased MMD^2 with k(a, b) = (a.b / d + 1)^3, by explicit loops."""
    m, d = len(x), x.shape[1]

    def k(a, b):
        return (a @ b / d + 1) ** 3

    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m)) / m**2
    return xx + yy - 2 * xy


@pytest.fixture
def gaussians():
    rng = np.random.default_rng(0)
    return rng.normal(size=(400, 6)), rng.normal(size=(400, 6))


def test_fid_matches_textbook_formula():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(60, 5)) @ rng.normal(size=(5, 5))
    b = rng.normal(size=(80, 5)) * 2 + 1
    assert M.frechet_distance(a, b) == pytest.approx(fid_reference(a, b), rel=1e-6)


def test_fid_of_identical_sets_is_zero(gaussians):
    a, _ = gaussians
    assert M.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-8)


def test_fid_of_a_translation_is_its_squared_length(gaussians):
    a, _ = gaussians
    assert M.frechet_distance(a, a + [3, 0, 0, 0, 4, 0]) == pytest.approx(25.0, rel=1e-6)


def test_fid_with_fewer_samples_than_dimensions_matches_textbook_formula():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(12, 20)) @ rng.normal(size=(20, 20))
    b = rng.normal(size=(15, 20)) * 2 + 1
    assert M.frechet_distance(a, b) == pytest.approx(fid_reference(a, b), rel=1e-6)
    assert M.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-8)


def test_kid_matches_naive_loop():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(12, 4)), rng.normal(size=(12, 4)) + 0.5
    mean, std = M.kernel_inception_distance(x, y, subsets=1, subset_size=12)
    assert mean == pytest.approx(kid_reference(x, y), rel=1e-5)  # inputs are cast to float32
    assert std == 0.0


def test_kid_from_one_kernel_equals_a_kernel_per_subset(monkeypatch):
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(300, 16)), rng.normal(size=(250, 16)) + 0.2
    whole = M.kernel_inception_distance(x, y, subsets=30, subset_size=100, seed=2)
    monkeypatch.setattr(M, "KID_GRAM_MAX_ROWS", 0)  # force a kernel per subset
    per_subset = M.kernel_inception_distance(x, y, subsets=30, subset_size=100, seed=2)
    np.testing.assert_allclose(whole, per_subset, rtol=1e-4, atol=1e-7)


def test_kid_is_near_zero_for_one_distribution_and_positive_for_two(gaussians):
    a, b = gaussians
    same, _ = M.kernel_inception_distance(a, b, subsets=20, subset_size=200)
    shifted, _ = M.kernel_inception_distance(a, b + 1.0, subsets=20, subset_size=200)
    assert abs(same) < 0.05 < shifted


def test_prdc_identical_sets_are_perfect(gaussians):
    a, _ = gaussians
    out = M.prdc(a, a.copy(), k=5)
    assert out[M.PRECISION] == out[M.RECALL] == out[M.COVERAGE] == 1.0
    # each real ball holds its own copy plus k neighbours (the k-th sits on the boundary)
    assert 1.0 <= out[M.DENSITY] <= 6 / 5 + 1e-9


def test_prdc_matches_the_reference_implementation():
    prdc_package = pytest.importorskip("prdc")
    rng = np.random.default_rng(6)
    real = rng.normal(size=(150, 5))
    fake = rng.normal(size=(120, 5)) * 1.3 + 0.4
    expected = prdc_package.compute_prdc(real, fake, nearest_k=5)
    out = M.prdc(real, fake, k=5)
    for key in (M.PRECISION, M.RECALL, M.DENSITY, M.COVERAGE):
        assert out[key] == pytest.approx(expected[key], abs=1e-9)


def test_prdc_mode_collapse_has_high_precision_and_low_coverage():
    rng = np.random.default_rng(4)
    centres = rng.normal(0, 10, (10, 8))
    real = np.repeat(centres, 50, axis=0) + rng.normal(size=(500, 8))
    collapsed = centres[0] + rng.normal(size=(500, 8)) * 0.5  # every sample in one mode
    out = M.prdc(real, collapsed, k=5)
    assert out[M.PRECISION] > 0.9
    assert out[M.COVERAGE] < 0.15
    assert out[M.RECALL] < 0.15


def test_prdc_far_away_synthetic_has_zero_precision(gaussians):
    a, b = gaussians
    out = M.prdc(a, b + 100, k=5)
    assert out[M.PRECISION] == out[M.RECALL] == out[M.COVERAGE] == out[M.DENSITY] == 0.0


def test_c2st_is_chance_for_one_distribution_and_one_for_separable(gaussians):
    a, b = gaussians
    assert 0.4 < M.c2st_auc(a, b) < 0.6
    assert M.c2st_auc(a, b + 10) > 0.99


def test_compute_metrics_keys_and_readings(gaussians):
    a, b = gaussians
    out = M.compute_metrics(a, b, kid_subsets=5, kid_subset_size=100)
    for key in (
        M.FID,
        M.KID_MEAN,
        M.KID_STD,
        M.PRECISION,
        M.RECALL,
        M.DENSITY,
        M.COVERAGE,
        M.C2ST_AUC,
    ):
        assert np.isfinite(out[key])
    text = readings(out)
    assert set(text) >= {M.FID, M.KID_MEAN, M.PRECISION, M.COVERAGE, M.C2ST_AUC}
    assert all(isinstance(s, str) and s.endswith(".") for s in text.values())
    json.dumps(text)


def test_group_breakdown_counts_and_per_group_fid():
    rng = np.random.default_rng(5)
    real = rng.normal(size=(60, 3))
    synth = rng.normal(size=(40, 3))
    g_r = np.repeat(["a", "b", "c"], 20)
    g_s = np.repeat(["a", "b"], 20)
    rows = {r["group"]: r for r in M.group_breakdown(g_r, g_s, real, synth, k=3)}
    assert rows["c"]["n_synthetic"] == 0 and rows["c"][M.FID] is None
    assert rows["a"]["n_real"] == 20 and rows["a"][M.FID] >= 0
    assert rows["a"]["synthetic_share"] == pytest.approx(0.5)


def test_kid_rejects_subset_size_one():
    with pytest.raises(ValueError, match="subset_size must be an integer >= 2"):
        M.kernel_inception_distance(np.zeros((5, 2)), np.zeros((5, 2)), subset_size=1)


def test_prdc_needs_more_than_k_samples():
    with pytest.raises(ValueError, match="at least 6 are needed"):
        M.prdc(np.zeros((5, 2)), np.zeros((10, 2)), k=5)


def test_fid_rejects_non_finite_values():
    bad = np.ones((5, 2))
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite"):
        M.frechet_distance(bad, np.ones((5, 2)))


def test_c2st_needs_two_folds():
    with pytest.raises(ValueError, match="n_folds must be an integer >= 2"):
        M.c2st_auc(np.zeros((10, 2)), np.ones((10, 2)), n_folds=1)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(3, 30), dim=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_fid_is_symmetric_and_non_negative(n, dim, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(n, dim)), rng.normal(size=(n + 2, dim)) * 1.5
    ab, ba = M.frechet_distance(a, b), M.frechet_distance(b, a)
    assert ab >= 0
    assert ab == pytest.approx(ba, rel=1e-5, abs=1e-8)


def test_mean_covariance_in_chunks_equals_numpy():
    x = np.random.default_rng(5).normal(3.0, 2.0, size=(101, 6)).astype(np.float32)
    mean, cov = M.mean_covariance(x, chunk=10)
    np.testing.assert_allclose(mean, x.astype(np.float64).mean(axis=0), rtol=1e-10)
    np.testing.assert_allclose(cov, np.cov(x.astype(np.float64), rowvar=False), rtol=1e-10)
