"""Clusters of real and synthetic samples together, and each cluster's real / synthetic make-up.

Clustering runs on the (PCA-reduced, aligned) embeddings, never on the 2-D map: UMAP distorts
densities and distances. ``"kmeans"`` picks its number of clusters by silhouette when
``n_clusters`` is None; ``"hdbscan"`` finds it itself and marks noise as -1. Both are fitted on at
most ``max_fit_samples`` rows (domain-balanced) and assign the rest to the nearest fitted sample's
cluster, so large sets stay fast.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..progress import Progress, report
from ._validation import check_choice, check_pair, check_positive_int
from .neighbors import knn
from .projection import balanced_sample

METHODS = ("kmeans", "hdbscan")
#: Candidate cluster counts for automatic k-means (those <= n / 5 are tried).
AUTO_K = (4, 6, 8, 10, 12, 15, 20, 25, 30)
#: Status of a cluster by its synthetic share relative to the overall share.
MIXED, REAL_ONLY, SYNTHETIC_ONLY = "mixed", "real-only", "synthetic-only"
#: A cluster is "real-only" when its synthetic odds are below this fraction of the overall odds
#: (and "synthetic-only" symmetrically).
ONE_SIDED_ODDS = 0.1


class DomainClusterer:
    """Cluster real and synthetic samples in one space.

    Fitted attributes: ``labels_real_`` (n_real,) and ``labels_synthetic_`` (n_synthetic,) int,
    -1 = noise (HDBSCAN only); ``n_clusters_``; ``table_`` (list of dicts, see
    :func:`cluster_table`).
    """

    def __init__(
        self,
        method: str = "kmeans",
        n_clusters: int | None = None,
        min_cluster_size: int | None = None,
        max_fit_samples: int = 20000,
        seed: int = 0,
    ) -> None:
        self.method = method
        self.n_clusters = n_clusters
        self.min_cluster_size = min_cluster_size
        self.max_fit_samples = max_fit_samples
        self.seed = seed

    def fit(
        self, real: np.ndarray, synthetic: np.ndarray, progress: Progress | None = None
    ) -> DomainClusterer:
        check_choice(self.method, "clustering method", METHODS)
        real, synthetic = check_pair(real, synthetic)
        n = len(real) + len(synthetic)
        if self.n_clusters is not None:
            check_positive_int(self.n_clusters, "n_clusters", minimum=2)
            if self.n_clusters > n:
                raise ValueError(
                    f"n_clusters={self.n_clusters} but there are only {n} samples: "
                    "lower n_clusters or leave it unset (automatic)"
                )
        if self.min_cluster_size is not None:
            check_positive_int(self.min_cluster_size, "min_cluster_size", minimum=2)
        if n < 4:
            raise ValueError(f"clustering needs at least 4 samples in all, got {n}: add samples")
        report(progress, 0.0, f"clustering ({self.method})")
        x = np.vstack([real, synthetic])
        rng = np.random.default_rng(self.seed)
        if n <= self.max_fit_samples:
            fit_idx = np.arange(n)
        else:
            ir, js = balanced_sample(len(real), len(synthetic), self.max_fit_samples // 2, rng)
            fit_idx = np.r_[ir, len(real) + js]
        fit_labels = self._fit_labels(x[fit_idx], rng)
        labels = np.empty(n, dtype=np.int64)
        labels[fit_idx] = fit_labels
        rest = np.setdiff1d(np.arange(n), fit_idx)
        if len(rest):
            _, nearest = knn(x[rest], x[fit_idx], 1, seed=self.seed)
            labels[rest] = fit_labels[nearest[:, 0]]
        self.labels_real_ = labels[: len(real)]
        self.labels_synthetic_ = labels[len(real) :]
        self.n_clusters_ = int(labels.max(initial=-1) + 1)
        self.table_ = cluster_table(self.labels_real_, self.labels_synthetic_)
        report(progress, 1.0, f"clustering: {self.n_clusters_} clusters")
        return self

    def _fit_labels(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        from sklearn.cluster import HDBSCAN, KMeans

        if self.method == "hdbscan":
            size = self.min_cluster_size or max(5, len(x) // 100)
            return HDBSCAN(min_cluster_size=min(size, len(x)), copy=True).fit_predict(x)
        if self.n_clusters is not None:
            k = self.n_clusters
        else:
            k = self._auto_k(x, rng)
        return KMeans(k, n_init=3, random_state=self.seed).fit_predict(x)

    def _auto_k(self, x: np.ndarray, rng: np.random.Generator) -> int:
        """Cluster count with the best silhouette (on <= 3000 rows) among AUTO_K."""
        from sklearn.cluster import KMeans
        from sklearn.metrics import silhouette_score

        candidates = [k for k in AUTO_K if k <= len(x) // 5] or [2]
        sub = x[rng.choice(len(x), min(len(x), 3000), replace=False)]
        best_k, best = candidates[0], -np.inf
        for k in candidates:
            labels = KMeans(k, n_init=1, random_state=self.seed).fit_predict(sub)
            if len(np.unique(labels)) < 2:
                continue
            score = silhouette_score(sub, labels)
            if score > best:
                best_k, best = k, score
        return best_k


def cluster_table(
    labels_real: np.ndarray,
    labels_synthetic: np.ndarray,
    gap_score: np.ndarray | None = None,
    uncovered: np.ndarray | None = None,
) -> list[dict]:
    """One dict per cluster (noise -1 last if present): cluster, n_real, n_synthetic,
    synthetic_share (n_synthetic / size, in [0, 1]), expected_share (overall synthetic fraction),
    status ("mixed" / "real-only" / "synthetic-only"), and when given, mean_gap_score and
    uncovered_fraction (over the cluster's real samples; None when it has none)."""
    labels_real = np.asarray(labels_real)
    labels_synthetic = np.asarray(labels_synthetic)
    n_r, n_s = len(labels_real), len(labels_synthetic)
    expected = n_s / max(n_r + n_s, 1)
    ids = np.unique(np.r_[labels_real, labels_synthetic])
    ids = np.r_[ids[ids >= 0], ids[ids < 0]]
    table = []
    for c in ids:
        in_r = labels_real == c
        nr, ns = int(in_r.sum()), int((labels_synthetic == c).sum())
        share = ns / (nr + ns)
        row = {
            "cluster": int(c),
            "n_real": nr,
            "n_synthetic": ns,
            "synthetic_share": share,
            "expected_share": expected,
            "status": composition_status(nr, ns, n_r, n_s),
        }
        if gap_score is not None:
            row["mean_gap_score"] = float(np.mean(gap_score[in_r])) if nr else None
        if uncovered is not None:
            row["uncovered_fraction"] = float(np.mean(uncovered[in_r])) if nr else None
        table.append(row)
    return table


def composition_status(n_real: int, n_synthetic: int, total_real: int, total_synthetic: int) -> str:
    """ "real-only" / "synthetic-only" when one side's odds in the cluster are below
    ONE_SIDED_ODDS times its overall odds, else "mixed" (+0.5 smoothing on the counts)."""
    # exact fractions: swapping the sides gives exactly the mirrored status, even on a boundary
    odds = Fraction(2 * n_synthetic + 1, 2 * n_real + 1)
    overall = Fraction(max(total_synthetic, 1), max(total_real, 1))
    if odds < Fraction(ONE_SIDED_ODDS) * overall:
        return REAL_ONLY
    if odds > overall / Fraction(ONE_SIDED_ODDS):
        return SYNTHETIC_ONLY
    return MIXED


def cluster_embeddings(
    real: np.ndarray,
    synthetic: np.ndarray,
    method: str = "kmeans",
    n_clusters: int | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    """One-shot :class:`DomainClusterer`: (labels_real, labels_synthetic, table)."""
    c = DomainClusterer(method=method, n_clusters=n_clusters, seed=seed).fit(
        real, synthetic, progress
    )
    return c.labels_real_, c.labels_synthetic_, c.table_


def describe_clusters(
    table: list[dict],
    labels_real: np.ndarray,
    labels_synthetic: np.ndarray,
    real: np.ndarray,
    synthetic: np.ndarray,
    classes_real: np.ndarray | None = None,
    classes_synthetic: np.ndarray | None = None,
) -> list[dict]:
    """Add what each cluster holds to its ``table`` row (cluster_table): ``typical`` ({"side":
    "real" or "synthetic", "index"}: the member nearest its side's centre, real members first)
    and, with class labels, ``label`` (the most common class of its real members, else of its
    synthetic ones; None without labels). Returns ``table``."""
    for row in table:
        c = row["cluster"]
        row["typical"] = None
        row["label"] = None
        for side, labels, x, classes in (
            ("real", labels_real, real, classes_real),
            ("synthetic", labels_synthetic, synthetic, classes_synthetic),
        ):
            members = np.flatnonzero(np.asarray(labels) == c)
            if len(members) == 0:
                continue
            if row["typical"] is None:
                centre = x[members].mean(axis=0)
                nearest = members[int(np.argmin(np.linalg.norm(x[members] - centre, axis=1)))]
                row["typical"] = {"side": side, "index": int(nearest)}
            if row["label"] is None and classes is not None:
                named = [v for v in np.asarray(classes, dtype=object)[members] if v is not None]
                if named:
                    values, counts = np.unique(np.asarray(named, dtype=str), return_counts=True)
                    row["label"] = str(values[int(np.argmax(counts))])
    return table
