"""k-means in torch, on the core's device: the cells of the approximate neighbour search and the
micro-clusters of the gap detector. Both only need centres that tile the data evenly, so it is
plain Lloyd's iterations from seeded starting rows (k-means++ seeding for a few clusters, random
rows for many), fitted on a bounded sample of rows.
"""

from __future__ import annotations

import numpy as np
import torch

from . import device as dev

#: Seeding by k-means++ up to this many clusters (it is sequential: one step per centre).
PLUSPLUS_MAX_CLUSTERS = 150


def ranking_distances(q: torch.Tensor, r: torch.Tensor, rn: torch.Tensor) -> torch.Tensor:
    """|r|^2 - 2 q.r per (query, reference) pair: ranks the references of each query row like the
    squared distance does (|q|^2 is the same along a row)."""
    return torch.addmm(rn[None, :], q, r.T, alpha=-2.0)


def nearest_centre(x: torch.Tensor, centres: torch.Tensor, step: int = 65536) -> torch.Tensor:
    """Index of the nearest centre of each row of ``x`` (same device)."""
    cn = (centres * centres).sum(dim=1)
    return torch.cat(
        [
            ranking_distances(x[i : i + step], centres, cn).argmin(dim=1)
            for i in range(0, len(x), step)
        ]
    )


def kmeans_centres(
    x: torch.Tensor,
    n_clusters: int,
    seed: int,
    max_iter: int = 10,
    max_rows_per_cluster: int = 64,
    tol: float = 0.0,
) -> torch.Tensor:
    """``n_clusters`` centres (float32, on ``x``'s device) fitted on at most
    ``max_rows_per_cluster`` random rows per cluster, by Lloyd's iterations until at most a
    ``tol`` share of those rows changes cluster (at most ``max_iter``); a centre that loses all
    its rows stays where it was."""
    gen = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(x), generator=gen)[: max_rows_per_cluster * n_clusters]
    sample = x[order.to(x.device)]
    if n_clusters <= PLUSPLUS_MAX_CLUSTERS:
        centres = _plusplus(sample, n_clusters, gen)
    else:
        centres = sample[:n_clusters].clone()
    cells = None
    for _ in range(max_iter):
        previous, cells = cells, nearest_centre(sample, centres)
        if previous is not None and int((previous != cells).sum()) <= tol * len(sample):
            break
        sums = torch.zeros_like(centres).index_add_(0, cells, sample)
        counts = torch.bincount(cells, minlength=n_clusters)
        filled = counts > 0
        centres[filled] = sums[filled] / counts[filled, None].to(sums.dtype)
    return centres


def _plusplus(x: torch.Tensor, n_clusters: int, gen: torch.Generator) -> torch.Tensor:
    """Greedy k-means++ seeding (Arthur & Vassilvitskii 2007, as scikit-learn does it): each next
    centre is the best of 2 + log(k) candidates drawn with probability proportional to their
    squared distance to the centres so far (best: the lowest total squared distance after)."""
    trials = 2 + int(np.log(n_clusters))
    first = int(torch.randint(len(x), (1,), generator=gen))
    chosen = [first]
    d2 = ((x - x[first]) ** 2).sum(dim=1)
    for _ in range(1, n_clusters):
        weights = d2.clamp(min=0).double().cpu()
        if float(weights.sum()) <= 0:  # fewer distinct rows than clusters: any row will do
            weights = torch.ones(len(x), dtype=torch.float64)
        candidates = torch.multinomial(weights, trials, replacement=True, generator=gen)
        cand_d2 = torch.cdist(x[candidates.to(x.device)], x).square_()
        after = torch.minimum(d2[None, :], cand_d2)
        best = int(after.sum(dim=1).argmin())
        chosen.append(int(candidates[best]))
        d2 = after[best]
    return x[torch.tensor(chosen, device=x.device)].clone()


def kmeans(
    x: np.ndarray,
    n_clusters: int,
    seed: int = 0,
    max_iter: int = 50,
    max_rows_per_cluster: int = 64,
    tol: float = 1e-3,
) -> tuple[np.ndarray, np.ndarray]:
    """(labels (n,) int64, centres (n_clusters, d) float32) of ``x`` (n, d), on the core's
    device: centres fitted as :func:`kmeans_centres` does, then every row assigned. Clusters
    may come out empty (their centre is still returned)."""
    device = dev.current()
    xt = dev.to_device(x, device)
    centres = kmeans_centres(xt, n_clusters, seed, max_iter, max_rows_per_cluster, tol)
    labels = nearest_centre(xt, centres)
    return labels.cpu().numpy().astype(np.int64), centres.cpu().numpy()
