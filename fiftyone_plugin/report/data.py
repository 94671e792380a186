"""ReportData: everything the HTML report and the App panel show, independent of where it came from
(a fresh analysis in memory, or a run stored on a FiftyOne dataset)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import defaults


@dataclass
class ReportData:
    """One analysis run, flattened for presentation. Per-sample arrays are row-aligned."""

    title: str
    #: metrics.json content: n_real, n_synthetic, model, metric values, ``readings`` (metric ->
    #: sentence), ``diagnosis`` ({kind, text, evidence}), ``gap_regions`` (list of dicts with
    #: name, size, distance_to_synthetic, representative_filepaths, nearest_synthetic_filepaths),
    #: ``config`` (the run's parameters).
    document: dict
    #: Cluster table rows: cluster, n_real, n_synthetic, synthetic_share, expected_share, status, ...
    clusters: list[dict]
    filepaths: list[str]
    domains: np.ndarray  # "real" / "synthetic"
    umap: np.ndarray  # (n, 2)
    gap_score: np.ndarray  # NaN on synthetic rows
    realism: np.ndarray  # NaN on real rows
    uncovered: np.ndarray  # bool, False on synthetic rows
    gap_region: list[str | None]
    #: Unreadable images: dicts with filepath, domain, reason.
    failures: list[dict] = field(default_factory=list)
    #: For a run on objects: each row's box [x, y, w, h] in its image (rows are objects).
    boxes: np.ndarray | None = None

    @property
    def is_real(self) -> np.ndarray:
        return self.domains == defaults.REAL


def _floats(values: list) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def from_columns(
    title, document, clusters, filepaths, domains, umap, per_sample, failures, boxes=None
):
    """Build ReportData from per-sample value lists (None where a value does not apply);
    ``boxes``: per row, for a run on objects."""
    return ReportData(
        title=title,
        document=document,
        clusters=clusters,
        filepaths=list(filepaths),
        domains=np.asarray(domains, dtype=object),
        umap=np.asarray(umap, dtype=float),
        gap_score=_floats(per_sample["gap_score"]),
        realism=_floats(per_sample["realism"]),
        uncovered=np.array([bool(v) for v in per_sample["uncovered"]], dtype=bool),
        gap_region=list(per_sample["gap_region"]),
        failures=list(failures),
        boxes=None if boxes is None else np.asarray(boxes, dtype=float).reshape(-1, 4),
    )
