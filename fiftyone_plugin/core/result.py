"""AnalysisResult: everything an analysis (core/pipeline.py) found, and its JSON-safe summary."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .labeled import LabeledResult


@dataclass
class AnalysisResult:
    """Everything analyze_embeddings found. Per-sample arrays are aligned with the inputs.

    umap_real (n_real, n_components), umap_synthetic (n_synthetic, n_components): map coordinates.
    cluster_real, cluster_synthetic: cluster ids, -1 = noise.
    gap_score (n_real,): log2(expected / received synthetic share) around each real sample;
    0 = represented as expected, 1 = half as much synthetic data as expected, up to 6.
    uncovered (n_real,): the confident tier of calls, gap_score above ``threshold`` and confirmed
    (see coverage.GapDetector), inside a gap region.
    underrepresented (n_real,): the likely tier, gap_score above ``threshold`` among like samples
    but not confirmed; disjoint from ``uncovered``. expected_false_positive: per tier, the share of
    the real side flagged with the sides' labels shuffled (nothing missing there).
    gap_region (n_real,): -1 where covered, else the region (0 = largest).
    realism (n_synthetic,): in [0, 1], higher = more like real data.
    support (n_synthetic,): distance to the real support in the aligned space, in units of the
    real data's own k-NN spacing there (at most 1: inside; curation.real_support).
    clusters, regions: tables (lists of dicts); a cluster row says what it holds (``typical``,
    ``label``: clustering.describe_clusters), a region row the cluster it mostly lies in
    (``cluster``, ``cluster_overlap``). generate_next: where to generate next, each content once,
    largest gap first (generate_next.py). metrics: dataset figures (metrics.py names) plus
    the "per_cluster" table and, with labels, the "per_class" one (labeled.table). readings: one
    sentence per metric.
    diagnosis: {"kind", "text", "evidence"}. config: the AnalysisConfig used, as a dict.
    labeled: with labels, what they add (per-class gaps, the probe; see labeled.py).
    threshold: the calibrated gap_score threshold.
    """

    umap_real: np.ndarray
    umap_synthetic: np.ndarray
    cluster_real: np.ndarray
    cluster_synthetic: np.ndarray
    gap_score: np.ndarray
    uncovered: np.ndarray
    underrepresented: np.ndarray
    gap_region: np.ndarray
    realism: np.ndarray
    clusters: list[dict]
    regions: list[dict]
    metrics: dict
    readings: dict[str, str]
    diagnosis: dict
    config: dict
    labeled: LabeledResult | None = None
    threshold: float = float("nan")
    expected_false_positive: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    support: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    generate_next: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-safe summary without the per-sample arrays."""
        return _json_safe(
            {
                "n_real": len(self.gap_score),
                "n_synthetic": len(self.realism),
                "n_uncovered": int(self.uncovered.sum()),
                "n_underrepresented": int(self.underrepresented.sum()),
                "threshold": self.threshold,
                "expected_false_positive": self.expected_false_positive,
                "diagnosis": self.diagnosis,
                "metrics": self.metrics,
                "readings": self.readings,
                "clusters": self.clusters,
                "regions": self.regions,
                "generate_next": self.generate_next,
                "config": self.config,
                "details": self.details,
                **(self.labeled.to_dict() if self.labeled is not None else {}),
            }
        )


def _json_safe(x):
    if isinstance(x, dict):
        return {str(k): _json_safe(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_json_safe(v) for v in x]
    if isinstance(x, np.ndarray):
        return [_json_safe(v) for v in x.tolist()]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x
