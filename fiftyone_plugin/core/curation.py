"""Choose which synthetic samples to keep, within a budget, and where to generate next.

Strategies, applied in this order (each sample gets the first reason that drops it):

1. ``outside-support``: no real sample's k-NN ball contains it (the precision test of Kynkäänniemi
   et al. 2019 / Naeem et al. 2020), measured after removing each domain's median so that a global
   style shift does not put every synthetic sample outside the real support.
2. ``low-realism``: among the least realistic ``low_realism_fraction`` of the synthetic samples.
3. ``near-duplicate``: closer than the duplicate radius to a more realistic kept synthetic sample.
4. ``over-represented``: with ``match_distribution``, beyond its cluster's real share of the
   budget (each cluster keeps at most ``budget * real share`` samples, the most realistic first;
   clusters without real samples keep none). Thin clusters keep all they have, so the kept set
   can be smaller than the budget: the shortfall is listed as generation targets.
   ``over-budget``: without ``match_distribution``, beyond the ``budget`` most realistic.

The generation targets are the clusters whose share of the kept synthetic set falls furthest below
their share of the real set, counted in samples (how many more synthetic samples each needs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .neighbors import count_within, knn

#: Reasons a synthetic sample is dropped, in the order the strategies apply.
OUTSIDE_SUPPORT = "outside-support"
LOW_REALISM = "low-realism"
NEAR_DUPLICATE = "near-duplicate"
OVER_REPRESENTED = "over-represented"
OVER_BUDGET = "over-budget"
REASONS = (OUTSIDE_SUPPORT, LOW_REALISM, NEAR_DUPLICATE, OVER_REPRESENTED, OVER_BUDGET)


@dataclass
class CurationConfig:
    """Which strategies to combine, and their parameters.

    support_k: neighbours defining each real sample's support ball (its radius is the distance to
        its k-th nearest real neighbour).
    low_realism_fraction: fraction in [0, 1) of the synthetic samples, least realistic first,
        to drop (0 keeps them all).
    duplicate_radius: synthetic samples closer than this are near-duplicates; None means
        ``duplicate_factor`` times the median distance between a real sample and its nearest
        real neighbour (the natural spacing of the real data).
    duplicate_neighbors: how many nearest synthetic neighbours are checked for duplicates.
    match_distribution: no cluster keeps more than its real share of the budget.
    n_targets: at most this many generation targets are listed.
    """

    drop_outside_support: bool = True
    support_k: int = 5
    low_realism_fraction: float = 0.0
    prune_duplicates: bool = True
    duplicate_radius: float | None = None
    duplicate_factor: float = 0.5
    duplicate_neighbors: int = 10
    match_distribution: bool = True
    n_targets: int = 5


@dataclass
class CurationResult:
    """keep: bool (n_synthetic,). reasons: str (n_synthetic,), "" where kept, else one of REASONS.
    targets: clusters to generate more of, most needed first (see ``curate``).
    duplicate_radius: the radius used (None when duplicates were not pruned)."""

    keep: np.ndarray
    reasons: np.ndarray
    targets: list[dict] = field(default_factory=list)
    duplicate_radius: float | None = None

    @property
    def n_kept(self) -> int:
        return int(self.keep.sum())

    def counts(self) -> dict[str, int]:
        """Number of dropped samples per reason (every reason listed, zeros included)."""
        return {r: int(np.count_nonzero(self.reasons == r)) for r in REASONS}


def curate(
    synthetic: np.ndarray,
    realism: np.ndarray,
    clusters: np.ndarray,
    real_cluster_counts: Mapping[int, int],
    budget: int | None = None,
    *,
    real: np.ndarray | None = None,
    config: CurationConfig | None = None,
) -> CurationResult:
    """Pick the synthetic samples to keep: at most ``budget`` (None: no limit).

    synthetic: (n_s, d) embeddings. realism: (n_s,) higher is more realistic (NaN counts as least
    realistic). clusters: (n_s,) cluster label of each synthetic sample. real_cluster_counts:
    number of real samples per cluster label. real: (n_r, d) real embeddings, needed for the
    support test and for the automatic duplicate radius.

    Each target is a dict: cluster, n_real, real_share, n_kept, kept_share, needed: synthetic
    samples to add so that the cluster reaches its real share of ``budget`` samples (without a
    budget: of the samples that passed the filters). Most needed first.
    """
    cfg = config or CurationConfig()
    synthetic, realism, clusters, real = _check(synthetic, realism, clusters, real, budget, cfg)
    n = len(synthetic)
    reasons = np.full(n, "", dtype=object)
    order = _by_realism(realism)  # most realistic first
    radius = None

    if cfg.drop_outside_support and n:
        inside = _inside_real_support(synthetic, real, cfg.support_k)
        reasons[~inside] = OUTSIDE_SUPPORT

    n_low = int(np.floor(cfg.low_realism_fraction * n))
    if n_low:
        low = order[n - n_low :]
        reasons[low[reasons[low] == ""]] = LOW_REALISM

    if cfg.prune_duplicates and n > 1:
        radius = cfg.duplicate_radius
        if radius is None:
            radius = cfg.duplicate_factor * _typical_spacing(
                real if real is not None else synthetic
            )
        alive = np.flatnonzero(reasons == "")
        dup = _near_duplicates(synthetic, order, alive, radius, cfg.duplicate_neighbors)
        reasons[dup] = NEAR_DUPLICATE

    candidates = order[reasons[order] == ""]
    size = len(candidates) if budget is None else min(int(budget), len(candidates))
    if cfg.match_distribution:
        _, over = _fill_by_distribution(
            candidates, clusters, _real_shares(real_cluster_counts), size
        )
        reasons[over] = OVER_REPRESENTED
    else:
        reasons[candidates[size:]] = OVER_BUDGET

    keep = reasons == ""
    size = budget if budget is not None else len(candidates)
    targets = _targets(clusters[keep], real_cluster_counts, size, cfg.n_targets)
    return CurationResult(
        keep=keep, reasons=reasons.astype(str), targets=targets, duplicate_radius=radius
    )


def _check(synthetic, realism, clusters, real, budget, cfg):
    synthetic = np.asarray(synthetic, dtype=np.float32)
    if synthetic.ndim != 2:
        raise ValueError(f"synthetic must be (n_samples, n_features), got shape {synthetic.shape}")
    n = len(synthetic)
    realism = np.asarray(realism, dtype=np.float64).reshape(-1)
    clusters = np.asarray(clusters).reshape(-1)
    if len(realism) != n or len(clusters) != n:
        raise ValueError(
            f"realism ({len(realism)}) and clusters ({len(clusters)}) need one value per "
            f"synthetic sample ({n})"
        )
    if budget is not None and (int(budget) != budget or budget < 0):
        raise ValueError(f"budget must be a non-negative integer or None, got {budget!r}")
    if not 0.0 <= cfg.low_realism_fraction < 1.0:
        raise ValueError(
            f"low_realism_fraction must be in [0, 1), got {cfg.low_realism_fraction!r}"
        )
    if real is not None:
        real = np.asarray(real, dtype=np.float32)
        if real.ndim != 2 or real.shape[1] != synthetic.shape[1]:
            raise ValueError(
                f"real must be (n_real, {synthetic.shape[1]}) like synthetic, got {real.shape}"
            )
    if cfg.drop_outside_support and n:
        if real is None:
            raise ValueError("pass the real embeddings (real=...) to drop samples outside support")
        if len(real) <= cfg.support_k:
            raise ValueError(
                f"the support test needs more than support_k={cfg.support_k} real samples, got "
                f"{len(real)}: lower support_k or turn drop_outside_support off"
            )
    if cfg.support_k < 1 or cfg.duplicate_neighbors < 1:
        raise ValueError("support_k and duplicate_neighbors must be positive integers")
    return synthetic, realism, clusters, real


def _by_realism(realism: np.ndarray) -> np.ndarray:
    """Indices, most realistic first; NaN last; ties keep input order."""
    score = np.where(np.isfinite(realism), realism, -np.inf)
    return np.argsort(-score, kind="stable")


def _inside_real_support(synthetic: np.ndarray, real: np.ndarray, k: int) -> np.ndarray:
    """True where a synthetic sample lies in some real sample's k-NN ball, each domain's median
    removed first (the median, unlike the mean, is not dragged away by a few junk samples)."""
    real_c = real - np.median(real, axis=0)
    synth_c = synthetic - np.median(synthetic, axis=0)
    radii = knn(real_c, k=k)[0][:, -1]
    return count_within(synth_c, real_c, radii) > 0


def _typical_spacing(x: np.ndarray) -> float:
    """Median distance from a sample to its nearest neighbour in ``x`` (0 for fewer than 2)."""
    if len(x) < 2:
        return 0.0
    return float(np.median(knn(x, k=1)[0][:, 0]))


def _near_duplicates(
    x: np.ndarray, order: np.ndarray, alive: np.ndarray, radius: float, k: int
) -> np.ndarray:
    """Indices of ``alive`` samples within ``radius`` of a more realistic kept ``alive`` sample."""
    if len(alive) < 2 or radius <= 0:
        return np.zeros(0, dtype=int)
    dist, idx = knn(x[alive], k=min(k, len(alive) - 1))
    rank = np.empty(len(x), dtype=int)
    rank[order] = np.arange(len(x))
    local = np.argsort(rank[alive], kind="stable")  # alive positions, most realistic first
    kept = np.zeros(len(alive), dtype=bool)
    dropped = []
    for i in local:
        close = idx[i][dist[i] < radius]
        if kept[close].any():
            dropped.append(alive[i])
        else:
            kept[i] = True
    return np.asarray(dropped, dtype=int)


def _real_shares(real_cluster_counts: Mapping[int, int]) -> dict:
    counts = {c: int(v) for c, v in real_cluster_counts.items() if int(v) > 0}
    total = sum(counts.values())
    return {c: v / total for c, v in counts.items()} if total else {}


def _fill_by_distribution(
    candidates: np.ndarray, clusters: np.ndarray, shares: dict, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """(chosen, over_represented): each cluster keeps at most its real share of ``size`` samples.

    ``candidates`` are sorted most realistic first, so each cluster keeps its most realistic ones.
    Clusters with fewer candidates than their share keep them all (they become targets); clusters
    without real samples keep none.
    """
    quota = _quotas(shares, size)
    chosen, over = [], []
    seen: dict = {}
    for i in candidates:
        c = clusters[i]
        seen[c] = seen.get(c, 0) + 1
        (chosen if seen[c] <= quota.get(c, 0) else over).append(i)
    return np.asarray(chosen, dtype=int), np.asarray(over, dtype=int)


def _quotas(shares: dict, size: int) -> dict:
    """Integer quotas summing to ``size``, proportional to ``shares`` (largest remainder)."""
    if not shares:
        return {}
    ideal = {c: size * s for c, s in shares.items()}
    quota = {c: int(np.floor(v + 1e-9)) for c, v in ideal.items()}
    left = size - sum(quota.values())
    by_remainder = sorted(shares, key=lambda c: (-(ideal[c] - quota[c]), -shares[c], str(c)))
    for c in by_remainder[: max(0, left)]:
        quota[c] += 1
    return quota


def _targets(
    kept_clusters: np.ndarray, real_cluster_counts: Mapping[int, int], size: int, n_targets: int
) -> list[dict]:
    shares = _real_shares(real_cluster_counts)
    quota = _quotas(shares, size)
    labels, counts = np.unique(np.asarray(kept_clusters), return_counts=True)
    kept = dict(zip(labels.tolist(), counts.tolist(), strict=True))
    rows = []
    for c, share in shares.items():
        n_kept = int(kept.get(c, 0))
        if quota[c] > n_kept:
            rows.append(
                {
                    "cluster": c.item() if isinstance(c, np.generic) else c,
                    "n_real": int(real_cluster_counts[c]),
                    "real_share": share,
                    "n_kept": n_kept,
                    "kept_share": n_kept / len(kept_clusters) if len(kept_clusters) else 0.0,
                    "needed": quota[c] - n_kept,
                }
            )
    rows.sort(key=lambda r: (-r["needed"], -r["real_share"], str(r["cluster"])))
    return rows[:n_targets]
