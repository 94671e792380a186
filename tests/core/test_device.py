"""The core's device: chosen once per analysis, checked, and the same kernels give the same
results on the CPU and (where there is one) a CUDA GPU."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from core_scenarios import gaussian_gap_scenario

from fiftyone_plugin.core import AnalysisConfig, analyze_embeddings
from fiftyone_plugin.core import device as dev
from fiftyone_plugin.core import metrics as M
from fiftyone_plugin.core.kmeans import kmeans
from fiftyone_plugin.core.neighbors import count_within, knn
from fiftyone_plugin.core.transport import unbalanced_sinkhorn

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def test_auto_is_cuda_only_where_there_is_one():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert dev.resolve("auto").type == expected
    assert dev.current() == torch.device("cpu")  # outside an analysis
    with dev.use("cpu") as inside:
        assert inside == dev.current() == torch.device("cpu")


def test_unknown_devices_are_refused():
    with pytest.raises(ValueError, match="Unknown device 'tpu'"):
        dev.resolve("tpu")
    with pytest.raises(ValueError, match="Unknown device 'mps'"):  # the core has no Metal kernels
        dev.resolve("mps")
    with pytest.raises(ValueError, match="Unsupported device 'gpu'"):
        AnalysisConfig(device="gpu").validate()
    AnalysisConfig(device="cuda:1").validate()  # a valid name; its presence is checked at use


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_a_gpu_says_so():
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        dev.resolve("cuda")


def test_kmeans_finds_separated_blobs_and_is_seeded():
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 20, (5, 8))
    truth = np.repeat(np.arange(5), 60)
    x = (centres[truth] + rng.normal(size=(300, 8))).astype(np.float32)
    labels, found = kmeans(x, 5, seed=1)
    assert found.shape == (5, 8)
    pairs = {(t, c) for t, c in zip(truth.tolist(), labels.tolist(), strict=True)}
    assert len(pairs) == 5  # each blob is one cluster, and each cluster one blob
    np.testing.assert_array_equal(kmeans(x, 5, seed=1)[0], labels)


def _kernels(device: str) -> dict:
    """Every torch kernel of the core on ``device``, on fixed inputs."""
    rng = np.random.default_rng(3)
    a = rng.normal(size=(700, 16)).astype(np.float32)
    b = (rng.normal(size=(500, 16)) + 0.3).astype(np.float32)
    cost = rng.random((40, 30))
    with dev.use(device):
        return {
            "knn": knn(a, b, 5),
            "self_knn": knn(a, None, 5),
            "ivf": knn(a, b, 5, method="approximate"),
            "within": count_within(a, b, np.full(len(b), 4.0)),
            "fid": M.frechet_distance(a, b),
            "fid_few": M.frechet_distance(a[:10], b[:12]),
            "kid": M.kernel_inception_distance(a, b, subsets=10, subset_size=100),
            "plan": unbalanced_sinkhorn(cost, np.full(40, 1 / 40), np.full(30, 1 / 30), 0.05, 1, 1),
            "kmeans": kmeans(a, 12, seed=0)[0],
        }


def test_kernels_are_deterministic_on_the_cpu():
    first, second = _kernels("cpu"), _kernels("cpu")
    for key in first:
        np.testing.assert_equal(first[key], second[key], err_msg=key)


@cuda
def test_kernels_agree_between_cpu_and_gpu():
    cpu, gpu = _kernels("cpu"), _kernels("cuda")
    np.testing.assert_allclose(cpu["knn"][0], gpu["knn"][0], rtol=1e-4, atol=1e-4)
    assert (cpu["knn"][1] == gpu["knn"][1]).mean() > 0.99  # ties may swap
    np.testing.assert_array_equal(cpu["within"], gpu["within"])
    for key in ("fid", "fid_few", "kid"):
        np.testing.assert_allclose(cpu[key], gpu[key], rtol=1e-4, atol=1e-6, err_msg=key)
    np.testing.assert_allclose(cpu["plan"], gpu["plan"], rtol=1e-6, atol=1e-12)


@cuda
def test_analysis_agrees_between_cpu_and_gpu():
    sc = gaussian_gap_scenario(withheld=(0, 1), n_per_cluster=60)
    runs = {
        d: analyze_embeddings(sc.real, sc.synthetic, AnalysisConfig(project=False, device=d))
        for d in ("cpu", "cuda")
    }
    cpu, gpu = runs["cpu"], runs["cuda"]
    assert np.corrcoef(cpu.gap_score, gpu.gap_score)[0, 1] > 0.99
    assert (cpu.uncovered == gpu.uncovered).mean() > 0.98
    assert cpu.metrics["fid"] == pytest.approx(gpu.metrics["fid"], rel=1e-3)
