import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.neighbors import NearestNeighbors

from fiftyone_plugin.core.neighbors import approximate_knn, count_within, exact_knn, knn


def brute(query, reference, k, exclude_self=False):
    nn = NearestNeighbors(n_neighbors=k + exclude_self, algorithm="brute").fit(reference)
    d, i = nn.kneighbors(query)
    return (d[:, 1:], i[:, 1:]) if exclude_self else (d, i)


def test_cross_set_matches_sklearn_brute_force():
    rng = np.random.default_rng(0)
    q, r = rng.normal(size=(120, 16)), rng.normal(size=(300, 16))
    d, i = knn(q, r, 7)
    d_ref, i_ref = brute(q, r, 7)
    np.testing.assert_array_equal(i, i_ref)
    np.testing.assert_allclose(d, d_ref, rtol=1e-4, atol=1e-4)


def test_self_search_excludes_each_sample():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 8))
    d, i = knn(x, None, 5)
    assert not (i == np.arange(200)[:, None]).any()
    d_ref, i_ref = brute(x, x, 5, exclude_self=True)
    np.testing.assert_array_equal(i, i_ref)
    np.testing.assert_allclose(d, d_ref, rtol=1e-4, atol=1e-4)


def test_blocked_equals_one_block():
    rng = np.random.default_rng(2)
    q, r = rng.normal(size=(97, 5)), rng.normal(size=(211, 5))
    full = exact_knn(q, r, 4, block_bytes=2**30)
    tiny = exact_knn(q, r, 4, block_bytes=4 * 13)  # 13 distances at a time: blocks over both sets
    np.testing.assert_array_equal(full[1], tiny[1])
    np.testing.assert_allclose(full[0], tiny[0], rtol=1e-5)


def test_blocked_self_search_equals_one_block():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(150, 6))
    full = exact_knn(x, None, 3, block_bytes=2**30)
    tiny = exact_knn(x, None, 3, block_bytes=4 * 40)
    np.testing.assert_array_equal(full[1], tiny[1])


def _recall(true: np.ndarray, found: np.ndarray) -> float:
    return float(np.mean([len(set(a) & set(b)) / len(a) for a, b in zip(true, found, strict=True)]))


def test_approximate_finds_nearly_all_true_neighbours():
    rng = np.random.default_rng(4)
    centres = rng.normal(0, 3, size=(20, 10))
    x = (centres[rng.integers(0, 20, 3000)] + rng.normal(size=(3000, 10))).astype(np.float32)
    d_exact, i_exact = knn(x, None, 5, method="exact")
    d_approx, i_approx = knn(x, None, 5, method="approximate")
    assert not (i_approx == np.arange(3000)[:, None]).any()
    assert _recall(i_exact, i_approx) > 0.95
    assert (np.diff(d_approx, axis=1) >= 0).all()
    # every distance returned is the true distance of the pair returned
    true = np.linalg.norm(x[:, None] - x[i_approx], axis=2)
    np.testing.assert_allclose(d_approx, true, rtol=1e-4, atol=1e-4)


def test_approximate_queries_another_set_and_probes_further_when_cells_are_small():
    rng = np.random.default_rng(6)
    ref, query = rng.normal(size=(400, 8)), rng.normal(size=(150, 8))
    _, i_exact = knn(query, ref, 3, method="exact")
    _, i_approx = knn(query, ref, 3, method="approximate")
    assert _recall(i_exact, i_approx) > 0.9
    # 20 cells of ~20 references; k=60 needs more than n_probe=2 cells: they are added
    _, wide = approximate_knn(query, ref, 60, n_probe=2)
    assert (np.sort(wide, axis=1)[:, 1:] != np.sort(wide, axis=1)[:, :-1]).all()


def test_auto_searches_approximately_above_max_exact_pairs():
    x = np.random.default_rng(7).normal(size=(300, 4))
    for limit, label in (
        (300 * 300, "nearest neighbours"),
        (100, "nearest neighbours (approximate)"),
    ):
        seen = set()
        knn(x, None, 4, max_exact_pairs=limit, progress=lambda f, text, seen=seen: seen.add(text))
        assert seen == {label}


def test_count_within_matches_naive_count():
    rng = np.random.default_rng(5)
    q, r = rng.normal(size=(50, 3)), rng.normal(size=(80, 3))
    radii = rng.uniform(0.3, 1.5, 80)
    naive = (np.linalg.norm(q[:, None] - r[None], axis=2) <= radii[None]).sum(axis=1)
    np.testing.assert_array_equal(count_within(q, r, radii, block_bytes=4 * 17), naive)


def test_progress_reaches_one():
    seen = []
    exact_knn(np.zeros((10, 2)), np.ones((10, 2)), 1, progress=lambda f, label: seen.append(f))
    assert seen[-1] == 1.0 and all(0 <= f <= 1 for f in seen)


def test_k_larger_than_reference_raises():
    with pytest.raises(ValueError, match="reference set has only 4"):
        knn(np.zeros((3, 2)), np.zeros((4, 2)), 5)


def test_self_search_needs_k_other_samples():
    with pytest.raises(ValueError, match="only 3 other samples"):
        knn(np.zeros((4, 2)), None, 4)


def test_unknown_method_raises():
    with pytest.raises(ValueError, match="Unsupported kNN method 'fast'"):
        knn(np.zeros((4, 2)), None, 1, method="fast")


def test_feature_mismatch_raises():
    with pytest.raises(ValueError, match="same model"):
        knn(np.zeros((4, 2)), np.zeros((4, 3)), 1)


def test_non_positive_k_raises():
    with pytest.raises(ValueError, match="positive integer"):
        knn(np.zeros((4, 2)), None, 0)


@settings(max_examples=40, deadline=None)
@given(
    n_q=st.integers(1, 30),
    n_r=st.integers(1, 40),
    dim=st.integers(1, 6),
    k=st.integers(1, 8),
    block=st.integers(1, 400),
    seed=st.integers(0, 2**16),
)
def test_blocked_search_is_exact_for_any_shape(n_q, n_r, dim, k, block, seed):
    k = min(k, n_r)
    rng = np.random.default_rng(seed)
    q, r = rng.normal(size=(n_q, dim)), rng.normal(size=(n_r, dim))
    d, i = exact_knn(q, r, k, block_bytes=4 * block)
    true = np.sort(np.linalg.norm(q[:, None] - r[None], axis=2), axis=1)[:, :k]
    np.testing.assert_allclose(d, true, rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(
        np.linalg.norm(q[:, None] - r[i], axis=2), true, rtol=1e-3, atol=1e-3
    )


@settings(max_examples=40, deadline=None)
@given(
    n_q=st.integers(1, 12),
    n_r=st.integers(2, 300),
    k=st.integers(1, 40),
    levels=st.integers(2, 6),
    block=st.integers(1, 400),
    seed=st.integers(0, 2**16),
)
def test_search_with_many_ties_returns_k_distinct_nearest(n_q, n_r, k, levels, block, seed):
    k = min(k, n_r)
    rng = np.random.default_rng(seed)
    q, r = rng.integers(0, levels, (n_q, 2)), rng.integers(0, levels, (n_r, 2))  # many duplicates
    d, i = exact_knn(q, r, k, block_bytes=4 * block)
    true = np.sort(np.linalg.norm(q[:, None] - r[None], axis=2), axis=1)[:, :k]
    np.testing.assert_allclose(d, true, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(q[:, None] - r[i], axis=2), true, atol=1e-5)
    assert all(len(set(row)) == k for row in i.tolist())
