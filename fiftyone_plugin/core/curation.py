"""Choose which synthetic samples to keep, within a budget, and what the budget leaves short.

Strategies, applied in this order (each sample gets the first reason that drops it):

1. ``degenerate``: the image holds no content (blank or pure noise; embeddings/image_checks.py).
2. ``outside-support``: no real sample's k-NN ball contains it (the precision test of Kynkäänniemi
   et al. 2019 / Naeem et al. 2020), measured in the aligned space of the gap analysis (the
   global style shift removed, pipeline.py), so that a style shared by every synthetic image
   does not put them all outside the real support: :func:`real_support`.
3. ``low-realism``: among the least realistic ``low_realism_fraction`` of the synthetic samples.
4. ``near-duplicate``: closer than the duplicate radius to a more realistic kept synthetic sample.
5. ``over-represented``: with ``match_distribution``, beyond its cluster's share of the budget
   (the most realistic first). Each cluster's share follows the real data; what a thin cluster
   cannot fill goes to the others in proportion to their real shares, so a budget at least as
   large as the candidates keeps them all. Clusters without real samples keep none.
   ``over-budget``: without ``match_distribution``, beyond the ``budget`` most realistic.

The targets are what the budget leaves short: the clusters whose kept samples fall below their
real share of the budget, counted in samples (how many more synthetic samples each needs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .neighbors import knn

#: Reasons a synthetic sample is dropped, in the order the strategies apply.
DEGENERATE = "degenerate"
OUTSIDE_SUPPORT = "outside-support"
LOW_REALISM = "low-realism"
NEAR_DUPLICATE = "near-duplicate"
OVER_REPRESENTED = "over-represented"
OVER_BUDGET = "over-budget"
REASONS = (DEGENERATE, OUTSIDE_SUPPORT, LOW_REALISM, NEAR_DUPLICATE, OVER_REPRESENTED, OVER_BUDGET)

#: A plan dropping more than this share of the synthetic samples carries a warning.
WARN_DROPPED_SHARE = 1 / 3
#: Real neighbours of a synthetic sample whose k-NN balls :func:`real_support` looks at.
SUPPORT_NEIGHBORS = 50


@dataclass
class CurationConfig:
    """Which strategies to combine, and their parameters.

    drop_degenerate: drop the images flagged degenerate (``degenerate`` given to ``curate``).
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
    max_bad_object_share: runs on objects only (object_curation.py): an image is dropped when
        more than this share, in [0, 1), of its objects is judged bad (0: any one of them).
    """

    drop_degenerate: bool = True
    drop_outside_support: bool = True
    support_k: int = 5
    low_realism_fraction: float = 0.0
    prune_duplicates: bool = True
    duplicate_radius: float | None = None
    duplicate_factor: float = 0.5
    duplicate_neighbors: int = 10
    match_distribution: bool = True
    n_targets: int = 5
    max_bad_object_share: float = 0.0


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

    def dropped_share(self) -> float:
        """Share of the synthetic samples dropped, in [0, 1] (0 without samples)."""
        return 1.0 - self.n_kept / len(self.keep) if len(self.keep) else 0.0

    def warning(self) -> str | None:
        """A sentence when more than WARN_DROPPED_SHARE of the samples would be dropped."""
        share = self.dropped_share()
        if share <= WARN_DROPPED_SHARE:
            return None
        worst = max(self.counts().items(), key=lambda item: item[1])
        return (
            f"{share:.0%} of the synthetic samples would be dropped, most as '{worst[0]}' "
            f"({worst[1]}): check the options before tagging"
        )

    def kept_clusters(self, clusters: np.ndarray) -> np.ndarray:
        """The labels of ``clusters`` (as given to ``curate``) of the kept units."""
        return np.asarray(clusters)[self.keep]

    def by_cluster(self, clusters: np.ndarray) -> list[dict]:
        """Per cluster of ``clusters`` (the labels given to ``curate``): ``cluster``,
        ``n_synthetic``, ``n_kept`` and ``dropped`` ({reason: n}, non-zero only), most dropped
        first."""
        clusters = np.asarray(clusters).reshape(-1)
        rows = []
        for c in np.unique(clusters):
            members = clusters == c
            reasons, counts = np.unique(self.reasons[members & ~self.keep], return_counts=True)
            rows.append(
                {
                    "cluster": c.item() if isinstance(c, np.generic) else c,
                    "n_synthetic": int(members.sum()),
                    "n_kept": int((members & self.keep).sum()),
                    "dropped": dict(zip(reasons.tolist(), counts.tolist(), strict=True)),
                }
            )
        rows.sort(key=lambda r: (r["n_kept"] - r["n_synthetic"], str(r["cluster"])))
        return rows


def curate(
    synthetic: np.ndarray,
    realism: np.ndarray,
    clusters: np.ndarray,
    real_cluster_counts: Mapping[int, int],
    budget: int | None = None,
    *,
    real: np.ndarray | None = None,
    support: np.ndarray | None = None,
    degenerate: np.ndarray | None = None,
    config: CurationConfig | None = None,
) -> CurationResult:
    """Pick the synthetic samples to keep: at most ``budget`` (None: no limit).

    synthetic: (n_s, d) embeddings (near-duplicates are judged there). realism: (n_s,) higher is
    more realistic (NaN counts as least realistic). clusters: (n_s,) cluster label of each
    synthetic sample. real_cluster_counts: number of real samples per cluster label. real:
    (n_r, d) real embeddings, for the automatic duplicate radius and, without ``support``, the
    support test. support: (n_s,) :func:`real_support` of each synthetic sample, measured in the
    aligned space (without it, measured here on ``real`` and ``synthetic`` as given).
    degenerate: (n_s,) True where the image holds no content.

    Each target is a dict: cluster, n_real, real_share, n_kept, kept_share, needed: synthetic
    samples to add so that the cluster reaches its real share of ``budget`` samples (without a
    budget: of the samples that passed the filters). Most needed first.
    """
    cfg = config or CurationConfig()
    synthetic, realism, clusters, real = _check(
        synthetic, realism, clusters, real, budget, cfg, support
    )
    n = len(synthetic)
    reasons = np.full(n, "", dtype=object)
    order = _by_realism(realism)  # most realistic first
    radius = None

    if cfg.drop_degenerate and degenerate is not None:
        degenerate = _per_sample(degenerate, n, "degenerate").astype(bool)
        reasons[degenerate] = DEGENERATE
    if cfg.drop_outside_support and n:
        if support is None:
            support = real_support(real, synthetic, cfg.support_k)
        outside = ~(_per_sample(support, n, "support") <= 1.0)  # NaN: no real counterpart
        reasons[outside & (reasons == "")] = OUTSIDE_SUPPORT

    n_low = int(np.floor(cfg.low_realism_fraction * n))
    if n_low:
        low = order[n - n_low :]
        reasons[low[reasons[low] == ""]] = LOW_REALISM

    if cfg.prune_duplicates and n > 1:
        radius = near_duplicate_radius(cfg, real, synthetic)
        alive = np.flatnonzero(reasons == "")
        dup = _near_duplicates(synthetic, order, alive, radius, cfg.duplicate_neighbors)
        reasons[dup] = NEAR_DUPLICATE

    candidates = order[reasons[order] == ""]
    size = len(candidates) if budget is None else min(int(budget), len(candidates))
    if cfg.match_distribution:
        over = _fill_by_distribution(candidates, clusters, _real_shares(real_cluster_counts), size)
        reasons[over] = OVER_REPRESENTED
    else:
        reasons[candidates[size:]] = OVER_BUDGET

    keep = reasons == ""
    size = budget if budget is not None else len(candidates)
    targets = _targets(clusters[keep], real_cluster_counts, size, cfg.n_targets)
    return CurationResult(
        keep=keep, reasons=reasons.astype(str), targets=targets, duplicate_radius=radius
    )


def _per_sample(values, n: int, name: str) -> np.ndarray:
    values = np.asarray(values).reshape(-1)
    if len(values) != n:
        raise ValueError(f"{name} needs one value per synthetic sample ({n}), got {len(values)}")
    return values


def _check(synthetic, realism, clusters, real, budget, cfg, support):
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
    if cfg.drop_outside_support and n and support is None:
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


def real_support(real: np.ndarray, synthetic: np.ndarray, k: int = 5) -> np.ndarray:
    """How far each synthetic sample lies from the real support: the least ratio, over its
    SUPPORT_NEIGHBORS nearest real samples, of its distance to a real sample over that sample's
    distance to its ``k``-th nearest real neighbour. At most 1: inside some real k-NN ball (the
    precision test); 2: twice as far as the real data's own spacing there. (n_synthetic,) float;
    empty without synthetic samples. Pass aligned features (a style shift would put everything
    outside)."""
    real = np.asarray(real, dtype=np.float32)
    synthetic = np.asarray(synthetic, dtype=np.float32)
    if len(synthetic) == 0:
        return np.zeros(0, dtype=np.float32)
    if len(real) <= k:
        raise ValueError(f"the support test needs more than k={k} real samples, got {len(real)}")
    radii = knn(real, k=k)[0][:, -1]
    dist, idx = knn(synthetic, real, k=min(SUPPORT_NEIGHBORS, len(real)))
    ratio = dist / np.maximum(radii[idx], 1e-12)
    return ratio.min(axis=1).astype(np.float32)


def near_duplicate_radius(
    cfg: CurationConfig, real: np.ndarray | None, synthetic: np.ndarray
) -> float:
    """The radius within which a synthetic sample is a near-duplicate: ``cfg.duplicate_radius``,
    else ``cfg.duplicate_factor`` times the typical spacing of ``real`` (of ``synthetic`` without
    real samples)."""
    if cfg.duplicate_radius is not None:
        return cfg.duplicate_radius
    return cfg.duplicate_factor * _typical_spacing(real if real is not None else synthetic)


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
) -> np.ndarray:
    """The over-represented candidates: beyond their cluster's quota of ``size`` samples (real
    shares, what thin clusters cannot fill passed on to the others; see :func:`_quotas`).

    ``candidates`` are sorted most realistic first, so each cluster keeps its most realistic ones;
    clusters without real samples keep none.
    """
    labels, counts = np.unique(clusters[candidates], return_counts=True)
    capacity = dict(zip(labels.tolist(), counts.tolist(), strict=True))
    quota = _quotas(shares, size, capacity)
    over = []
    seen: dict = {}
    for i in candidates:
        c = clusters[i]
        seen[c] = seen.get(c, 0) + 1
        if seen[c] > quota.get(c, 0):
            over.append(i)
    return np.asarray(over, dtype=int)


def _quotas(shares: dict, size: int, capacity: Mapping | None = None) -> dict:
    """Integer quotas proportional to ``shares`` (largest remainder), summing to ``size``. With
    ``capacity`` (the most each cluster can take), clusters that cannot fill their quota get
    their capacity and the rest is shared among the others again, in proportion to their shares
    (the sum is then at most ``size``)."""
    quota = {c: 0 for c in shares}
    active = [c for c in shares if capacity is None or capacity.get(c, 0) > 0]
    left = size
    while active and left > 0:
        total = sum(shares[c] for c in active)
        ideal = {c: left * shares[c] / total for c in active}
        full = [c for c in active if capacity is not None and capacity.get(c, 0) <= ideal[c]]
        if not full:
            floor = {c: int(np.floor(v + 1e-9)) for c, v in ideal.items()}
            extra = left - sum(floor.values())
            ranked = sorted(active, key=lambda c: (-(ideal[c] - floor[c]), -shares[c], str(c)))
            for c in active:
                quota[c] += floor[c] + (c in ranked[: max(0, extra)])
            break
        for c in full:
            quota[c] += capacity[c]
            left -= capacity[c]
        active = [c for c in active if c not in full]
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
