import numpy as np
import pytest
from core_scenarios import gaussian_gap_scenario
from hypothesis import example, given
from hypothesis import strategies as st
from sklearn.metrics import adjusted_rand_score

from fiftyone_plugin.core.clustering import (
    MIXED,
    REAL_ONLY,
    SYNTHETIC_ONLY,
    DomainClusterer,
    cluster_embeddings,
    cluster_table,
    composition_status,
)


@pytest.fixture(scope="module")
def blobs():
    return gaussian_gap_scenario(withheld=(0,), separation=14.0, shift=0.0, distortion=0.0)


def test_kmeans_recovers_the_clusters_and_the_real_only_one(blobs):
    lr, ls, table = cluster_embeddings(blobs.real, blobs.synthetic, n_clusters=8)
    truth = np.r_[blobs.labels_real, blobs.labels_synthetic]
    assert adjusted_rand_score(truth, np.r_[lr, ls]) > 0.95
    status = {row["cluster"]: row["status"] for row in table}
    missing_cluster = np.bincount(lr[blobs.missing]).argmax()
    assert status[missing_cluster] == REAL_ONLY
    assert sum(s == MIXED for s in status.values()) == 7


def test_automatic_cluster_count_is_reasonable(blobs):
    c = DomainClusterer().fit(blobs.real, blobs.synthetic)
    assert 6 <= c.n_clusters_ <= 10


def test_hdbscan_finds_the_clusters(blobs):
    c = DomainClusterer("hdbscan").fit(blobs.real, blobs.synthetic)
    assert c.n_clusters_ >= 6
    assert c.labels_real_.min() >= -1


def test_large_sets_are_fitted_on_a_balanced_sample(blobs):
    c = DomainClusterer(n_clusters=8, max_fit_samples=100).fit(blobs.real, blobs.synthetic)
    truth = np.r_[blobs.labels_real, blobs.labels_synthetic]
    assert adjusted_rand_score(truth, np.r_[c.labels_real_, c.labels_synthetic_]) > 0.9


def test_table_counts_and_shares():
    table = cluster_table(np.array([0, 0, 1, -1]), np.array([0, 1, 1, 1]), gap_score=np.arange(4.0))
    rows = {r["cluster"]: r for r in table}
    assert [r["cluster"] for r in table] == [0, 1, -1]
    assert rows[1]["n_real"] == 1 and rows[1]["n_synthetic"] == 3
    assert rows[1]["synthetic_share"] == 0.75
    assert rows[0]["expected_share"] == 0.5
    assert rows[0]["mean_gap_score"] == 0.5


def test_n_clusters_above_sample_count_raises():
    with pytest.raises(ValueError, match="n_clusters=50 but there are only 20 samples"):
        DomainClusterer(n_clusters=50).fit(np.zeros((10, 2)), np.zeros((10, 2)))


def test_unknown_method_raises():
    with pytest.raises(ValueError, match="Unsupported clustering method 'dbscan'"):
        DomainClusterer("dbscan").fit(np.zeros((10, 2)), np.zeros((10, 2)))


@given(
    n_real=st.integers(0, 500),
    n_synth=st.integers(0, 500),
    total_real=st.integers(1, 1000),
    total_synth=st.integers(1, 1000),
)
@example(n_real=19, n_synth=82, total_real=260, total_synth=110)  # on the boundary (CI found it)
def test_status_is_symmetric_between_the_sides(n_real, n_synth, total_real, total_synth):
    flip = {REAL_ONLY: SYNTHETIC_ONLY, SYNTHETIC_ONLY: REAL_ONLY, MIXED: MIXED}
    a = composition_status(n_real, n_synth, total_real, total_synth)
    b = composition_status(n_synth, n_real, total_synth, total_real)
    assert flip[a] == b
