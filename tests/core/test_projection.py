import os
import subprocess
import sys

import numpy as np
import pytest
from core_scenarios import gaussian_gap_scenario

from fiftyone_plugin.core.projection import FeatureReducer, Projector, normalize_features


@pytest.fixture(scope="module")
def fitted():
    """UMAP compiles with numba on first use (~10 s on 2 cores, then cached on disk): these
    tests are marked slow."""
    sc = gaussian_gap_scenario(n_per_cluster=30, withheld=(0,))
    # a small max_fit_samples forces the balanced-sample fit + transform of the rest
    return sc, Projector(max_fit_samples=120, seed=3).fit(sc.real, sc.synthetic)


@pytest.mark.slow
def test_map_shapes_and_values(fitted):
    sc, p = fitted
    assert p.embedding_real_.shape == (len(sc.real), 2)
    assert p.embedding_synthetic_.shape == (len(sc.synthetic), 2)
    assert np.isfinite(p.embedding_real_).all() and np.isfinite(p.embedding_synthetic_).all()


@pytest.mark.slow
def test_transform_places_new_rows_on_the_map(fitted):
    sc, p = fitted
    assert p.transform(sc.real[:5]).shape == (5, 2)


@pytest.mark.slow
def test_rows_not_fitted_land_among_their_own_cluster():
    """Placed from their nearest fitted rows: on the map, a placed real row's nearest fitted
    real row comes from its own (well separated) cluster, as often as in the input space."""
    sc = gaussian_gap_scenario(n_per_cluster=40, withheld=(), separation=20.0, shift=0.0)
    p = Projector(max_fit_samples=160, seed=1).fit(sc.real, sc.synthetic)
    fitted_rows = {tuple(r) for r in p.fit_x_.round(5)}
    reduced = p.reducer_.transform(sc.real)
    was_fitted = np.array([tuple(r) in fitted_rows for r in reduced.round(5)])
    assert 40 < was_fitted.sum() and (~was_fitted).sum() > 200
    on_map = p.embedding_real_
    d2 = ((on_map[~was_fitted][:, None] - on_map[was_fitted][None]) ** 2).sum(-1)
    nearest_label = sc.labels_real[was_fitted][d2.argmin(1)]
    assert (nearest_label == sc.labels_real[~was_fitted]).mean() > 0.97


def test_reducer_is_fitted_on_equal_numbers_of_each_side():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(1000, 10))
    synth = rng.normal(size=(50, 10)) + 3
    r = FeatureReducer(pca_dim=4, normalization="none").fit(real, synth)
    # balanced fit: the mean sits halfway between the sides, not at the large side's mean
    assert r.mean_ == pytest.approx(np.full(10, 1.5), abs=0.5)
    assert r.transform(real).shape == (1000, 4)


def test_power_normalization_gives_unit_rows():
    x = np.abs(np.random.default_rng(1).normal(size=(6, 5)))
    np.testing.assert_allclose(np.linalg.norm(normalize_features(x), axis=1), 1.0, rtol=1e-6)


@pytest.mark.slow
def test_three_dimensional_maps_need_no_other_change():
    rng = np.random.default_rng(2)
    p = Projector(n_components=3, seed=0).fit(rng.normal(size=(40, 6)), rng.normal(size=(30, 6)))
    assert p.embedding_real_.shape == (40, 3)


def test_n_components_must_be_two_or_three():
    with pytest.raises(ValueError, match="n_components must be 2 or 3"):
        Projector(n_components=4).fit(np.zeros((10, 3)), np.zeros((10, 3)))


def test_unknown_normalization_raises():
    with pytest.raises(ValueError, match="Unsupported normalization 'zscore'"):
        FeatureReducer(normalization="zscore").fit(np.ones((10, 3)), np.ones((10, 3)))


@pytest.mark.parametrize("pca_dim", [3, 50])
def test_reducer_transform_in_chunks_equals_one_pass(pca_dim):
    rng = np.random.default_rng(4)
    real, synth = rng.gamma(2.0, size=(60, 8)), rng.gamma(2.0, size=(40, 8))
    reducer = FeatureReducer(pca_dim=pca_dim).fit(real, synth)
    whole = reducer.transform(synth, chunk=len(synth))
    np.testing.assert_allclose(reducer.transform(synth, chunk=7), whole, rtol=1e-5, atol=1e-6)
    assert whole.shape == (40, min(pca_dim, 8)) and whole.dtype == np.float32


@pytest.mark.slow
def test_umap_compilation_is_cached_across_processes(tmp_path):
    """A second process loads UMAP's compiled graph code from numba's cache instead of compiling
    it again (~10 s per process before)."""
    code = (
        "import numpy as np\n"
        "from fiftyone_plugin.core.projection import import_umap, project\n"
        "x = np.random.default_rng(0).normal(size=(60, 8)).astype(np.float32)\n"
        "project(x[:30], x[30:], reduce=False)\n"
        "stats = import_umap().umap_.smooth_knn_dist.stats\n"
        "print(sum(stats.cache_hits.values()), sum(stats.cache_misses.values()))\n"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}  # an empty cache of its own
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs == [["0", "1"], ["1", "0"]]  # compiled and saved, then loaded
    assert any(tmp_path.rglob("*.nbi"))
