"""Where to generate synthetic data next: the real content the synthetic side lacks, each content
listed once, the largest gap first.

Candidates are the gap regions (real samples without a synthetic counterpart, coverage.py) and
the real-only clusters (clustering.py). A region and a cluster that share most of their real
samples (SAME_CONTENT of the smaller one) are the same content: one row, the region, naming the
cluster. The gap is counted in real samples without synthetic counterparts: all of a region's; for
a cluster, its real samples beyond what its synthetic samples stand for. Where a cluster holds
several regions (finer contents that clustering merged), each region is its own row with its own
size, and the cluster's gap, which holds them all, is not counted again.
"""

from __future__ import annotations

import math

import numpy as np

from .clustering import REAL_ONLY

#: Share of the smaller of a region and a cluster that must lie in the other for both to be
#: one content.
SAME_CONTENT = 0.5


def region_clusters(gap_region: np.ndarray, cluster_real: np.ndarray, n_regions: int) -> list:
    """Per gap region, (the cluster holding most of its real samples, the share it holds)."""
    out = []
    for r in range(n_regions):
        labels, counts = np.unique(cluster_real[gap_region == r], return_counts=True)
        if len(labels) == 0:
            out.append((None, 0.0))
            continue
        best = int(np.argmax(counts))
        out.append((int(labels[best]), float(counts[best] / counts.sum())))
    return out


def generation_targets(
    regions: list[dict],
    clusters: list[dict],
    gap_region: np.ndarray,
    gap_score: np.ndarray,
    cluster_real: np.ndarray,
    n_examples: int = 8,
) -> list[dict]:
    """Rows, largest gap first: ``kind`` ("region" or "cluster"), ``name`` (the region's name, or
    None for a cluster: named by whoever knows its images), ``cluster`` (the cluster it is, or
    mostly lies in), ``n_real``, ``n_synthetic`` (synthetic samples of that content), ``gap``,
    ``needed`` (synthetic samples to add for that content to get its real share) and
    ``examples`` (real sample indices, the most central or worst covered first).

    regions: GapDetector.regions_ with ``cluster`` / ``cluster_overlap`` added (see
    :func:`region_clusters`). clusters: clustering.cluster_table rows. gap_region, gap_score,
    cluster_real: per real sample.
    """
    gap_region = np.asarray(gap_region)
    cluster_real = np.asarray(cluster_real)
    by_id = {int(c["cluster"]): c for c in clusters}
    total_real = sum(int(c["n_real"]) for c in clusters) or 1
    total_synthetic = sum(int(c["n_synthetic"]) for c in clusters)
    ratio = total_synthetic / total_real

    def needed(gap: float) -> int:
        return int(math.ceil(gap * ratio - 1e-9)) if ratio > 0 else int(math.ceil(gap))

    same = [_same_content(r, by_id, gap_region, cluster_real) for r in regions]
    shared = {c for c in same if c is not None and same.count(c) > 1}
    rows, merged = [], set(c for c in same if c is not None)
    for region, c_same in zip(regions, same, strict=True):
        c = region.get("cluster")
        row = {
            "kind": "region",
            "name": region["name"],
            "cluster": c,
            "n_real": int(region["size"]),
            "n_synthetic": 0,
            "gap": float(region["size"]),
            "examples": list(region.get("representatives", []))[:n_examples],
        }
        if c_same is not None and c_same not in shared:
            cluster = by_id[c_same]
            row["n_real"] = max(row["n_real"], int(cluster["n_real"]))
            row["n_synthetic"] = int(cluster["n_synthetic"])
            row["gap"] = max(row["gap"], _cluster_gap(cluster, total_real, total_synthetic))
        rows.append(row)
    for cluster in clusters:
        c = int(cluster["cluster"])
        if c in merged or cluster.get("status") != REAL_ONLY or c < 0:
            continue
        members = np.flatnonzero(cluster_real == c)
        worst = members[np.argsort(-np.asarray(gap_score)[members], kind="stable")]
        rows.append(
            {
                "kind": "cluster",
                "name": None,
                "cluster": c,
                "n_real": int(cluster["n_real"]),
                "n_synthetic": int(cluster["n_synthetic"]),
                "gap": _cluster_gap(cluster, total_real, total_synthetic),
                "examples": worst[:n_examples].tolist(),
            }
        )
    for row in rows:
        row["needed"] = needed(row["gap"])
    rows.sort(key=lambda r: (-r["gap"], r["kind"] != "region", str(r["name"] or r["cluster"])))
    return rows


def _same_content(region: dict, by_id: dict, gap_region: np.ndarray, cluster_real: np.ndarray):
    """The cluster that is the same content as ``region`` (module docstring), or None."""
    c = region.get("cluster")
    cluster = by_id.get(c) if c is not None else None
    if cluster is None or not cluster["n_real"]:
        return None
    members = np.flatnonzero(gap_region == region["region"])
    in_cluster = int(np.count_nonzero(cluster_real[members] == c))
    return c if in_cluster / min(len(members), int(cluster["n_real"])) >= SAME_CONTENT else None


def _cluster_gap(cluster: dict, total_real: int, total_synthetic: int) -> float:
    """A cluster's real samples beyond what its synthetic samples stand for."""
    n_real, n_synthetic = int(cluster["n_real"]), int(cluster["n_synthetic"])
    stands_for = n_synthetic * total_real / total_synthetic if total_synthetic else 0.0
    return max(0.0, n_real - stands_for)
