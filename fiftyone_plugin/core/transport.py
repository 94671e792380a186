"""Unbalanced optimal transport of the synthetic side onto the real side: how much synthetic
mass each real micro-cluster receives, scored per sample (steps 1-3 of the gap detector in
coverage.py).

Inputs are *aligned* features (see alignment.py).

1. Both sides are cut into micro-clusters (k-means, ~``samples_per_cluster`` samples each).
2. The synthetic mass is transported onto the real mass with entropic *unbalanced* optimal
   transport (Chizat et al. 2018): moving mass far costs its squared distance (in units of the
   typical real-to-real spacing), and the real side may receive less or more than its share at a
   price (``tau_real``), so content that no synthetic sample resembles simply receives nothing
   instead of being force-fed by its neighbours. Each synthetic cluster competes for real
   clusters, which keeps one dense synthetic region from "covering" everything near it.
3. ``gap_score`` of a real sample = log2(expected / received synthetic mass) of its micro-cluster,
   averaged over its real neighbours: 0 = represented as expected, 1 = half as much synthetic data
   as expected, each +1 halves again (capped at ``MAX_SCORE``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from . import device as dev
from .kmeans import kmeans
from .neighbors import knn

#: Cap of gap_score (log2 units): 2**-6 of the expected synthetic mass counts as none.
MAX_SCORE = 6.0
#: Micro-clusters per side are capped (the transport problem is MAX_CLUSTERS^2).
MAX_CLUSTERS = 500


def unbalanced_sinkhorn(
    cost: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    epsilon: float,
    tau_a: float,
    tau_b: float,
    max_iter: int = 500,
    tol: float = 1e-4,
) -> np.ndarray:
    """Entropic unbalanced optimal transport plan (n_a, n_b) between masses ``a`` and ``b``.

    ``cost`` (n_a, n_b) >= 0; ``epsilon`` entropic blur (cost units); ``tau_a`` / ``tau_b`` price
    of creating or destroying mass on each side (KL penalties; large = nearly balanced).
    Log-domain scaling iterations (torch kernels in float64, on the core's device), stable for
    small ``epsilon``; they stop when no log scaling changes by more than ``tol`` (scores then
    move by < 1e-4 log2 units).
    """
    device = dev.current()
    la, lb = tau_a / (tau_a + epsilon), tau_b / (tau_b + epsilon)
    log_k = dev.to_device(cost, device, torch.float64).neg_() / epsilon
    log_a = dev.to_device(a, device, torch.float64).log()
    log_b = dev.to_device(b, device, torch.float64).log()
    lu = torch.zeros(len(a), dtype=torch.float64, device=device)
    lv = torch.zeros(len(b), dtype=torch.float64, device=device)
    for it in range(max_iter):
        lu_new = la * (log_a - torch.logsumexp(log_k + lv[None, :], dim=1))
        lv = lb * (log_b - torch.logsumexp(log_k + lu_new[:, None], dim=0))
        done = it > 0 and float((lu_new - lu).abs().max()) < tol
        lu = lu_new
        if done:
            break
    return (lu[:, None] + log_k + lv[None, :]).exp().cpu().numpy()


def _micro_clusters(x: np.ndarray, per: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(labels (n,), centres (m, d)) of a k-means cut into ~``per`` samples per cluster."""
    m = int(np.clip(len(x) // per, 1, MAX_CLUSTERS))
    if m == 1:
        return np.zeros(len(x), dtype=np.int64), x.mean(axis=0, keepdims=True)
    return kmeans(x, m, seed=seed)


@dataclass
class TransportMatch:
    """Result of :func:`transport_match`.

    real_score (n_real,): log2(expected / received synthetic mass), smoothed over real
    neighbours; synthetic_score (n_synthetic,): log2(expected / delivered mass), high = synthetic
    content with no real counterpart; spacing: median distance of a real sample to its k-th real
    neighbour (the cost unit); real_distances / real_neighbors (n_real, max(k, n_smooth)).
    """

    real_score: np.ndarray
    synthetic_score: np.ndarray
    spacing: float
    real_distances: np.ndarray
    real_neighbors: np.ndarray


def neighbor_graphs(
    real: np.ndarray,
    synthetic: np.ndarray,
    k: int,
    n_smooth: int,
    seed: int = 0,
    real_graph: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """((distances, indices) of each real sample's max(k, n_smooth) real neighbours, indices of
    each synthetic sample's n_smooth synthetic neighbours): what :func:`transport_match` needs.
    ``real_graph``: the real part, when already computed for the same real set."""
    d_rr, i_rr = real_graph or knn(real, None, min(max(k, n_smooth), len(real) - 1), seed=seed)
    n_s = min(n_smooth, len(synthetic) - 1)
    i_ss = (
        knn(synthetic, None, n_s, seed=seed)[1]
        if n_s > 0
        else np.zeros((len(synthetic), 0), dtype=np.int64)
    )
    return (d_rr, i_rr), i_ss


def transport_match(
    real: np.ndarray,
    synthetic: np.ndarray,
    k: int = 5,
    n_smooth: int = 10,
    samples_per_cluster: int = 8,
    epsilon: float = 0.05,
    tau_real: float = 1.0,
    tau_synthetic: float = 1.0,
    seed: int = 0,
    graphs: tuple | None = None,
) -> TransportMatch:
    """Transport the synthetic micro-clusters onto the real ones and score both sides (module
    docstring, steps 1-3). Inputs are aligned features; with few samples, fewer neighbours are
    used. ``graphs``: :func:`neighbor_graphs` of the same sets, when already computed."""
    (d_rr, i_rr), i_ss = graphs or neighbor_graphs(real, synthetic, k, n_smooth, seed)
    spacing = float(np.median(d_rr[:, min(k, d_rr.shape[1]) - 1])) or 1.0
    lr, cr = _micro_clusters(real, samples_per_cluster, seed)
    ls, cs = _micro_clusters(synthetic, samples_per_cluster, seed + 1)
    a = np.bincount(lr, minlength=len(cr)) / len(real)
    b = np.bincount(ls, minlength=len(cs)) / len(synthetic)
    keep_a, keep_b = a > 0, b > 0  # k-means may leave a cluster empty
    cr, a, cs, b = cr[keep_a], a[keep_a], cs[keep_b], b[keep_b]
    sq = (
        np.einsum("ij,ij->i", cr, cr)[:, None]
        + np.einsum("ij,ij->i", cs, cs)[None, :]
        - 2.0 * cr @ cs.T
    )
    cost = np.maximum(sq, 0.0) / spacing**2
    plan = unbalanced_sinkhorn(cost, a, b, epsilon, tau_real, tau_synthetic)
    total = max(plan.sum(), 1e-300)
    real_score = _log2_shortfall(plan.sum(axis=1) / total / a)[(np.cumsum(keep_a) - 1)[lr]]
    synthetic_score = _log2_shortfall(plan.sum(axis=0) / total / b)[(np.cumsum(keep_b) - 1)[ls]]
    return TransportMatch(
        real_score=_smooth(real_score, i_rr[:, :n_smooth]).astype(np.float32),
        synthetic_score=_smooth(synthetic_score, i_ss).astype(np.float32),
        spacing=spacing,
        real_distances=d_rr,
        real_neighbors=i_rr,
    )


def _log2_shortfall(ratio: np.ndarray) -> np.ndarray:
    return np.clip(-np.log2(np.maximum(ratio, 2.0**-MAX_SCORE)), -MAX_SCORE, MAX_SCORE)


def _smooth(values: np.ndarray, neighbors: np.ndarray) -> np.ndarray:
    return (values + values[neighbors].sum(axis=1)) / (1 + neighbors.shape[1])
