"""What a curation would do, before anything is tagged: the plan both curation.py (runs on
images) and object_curation.py (runs on objects) make, and its preview in numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.curation import CurationResult


@dataclass
class CurationPlan:
    """What a curation of run ``run_key`` within ``budget`` (None: all) would do, before anything
    is tagged: ``result`` (the core's CurationResult) over the synthetic samples ``ids`` (their
    ``clusters``), and ``notes`` (what the plan could not use, in words). For a run on objects
    (object_curation.py) ``ids`` are images, ``clusters`` and ``real_counts`` are counted in
    objects, and ``objects`` holds n_objects (synthetic objects judged), flagged ({reason: n
    objects}, non-zero) and max_bad_object_share, and ``object_ids`` the label ids of the synthetic
    objects judged (in the order of the result's per-object arrays)."""

    run_key: str
    budget: int | None
    ids: list[str]
    clusters: np.ndarray
    result: CurationResult
    real_counts: dict
    notes: list[str] = field(default_factory=list)
    objects: dict | None = None
    object_ids: list[str] | None = None

    def preview(self) -> dict:
        """The plan in numbers: ``n_synthetic``, ``n_kept``, ``dropped`` ({reason: n}, non-zero),
        ``clusters`` (CurationResult.by_cluster rows with real counts), ``warning``, ``notes``
        and ``objects``."""
        rows = self.result.by_cluster(self.clusters)
        for row in rows:
            row["n_real"] = int(self.real_counts.get(row["cluster"], 0))
        return {
            "n_synthetic": len(self.ids),
            "n_kept": self.result.n_kept,
            "dropped": {r: n for r, n in self.result.counts().items() if n},
            "clusters": rows,
            "warning": self.result.warning(),
            "notes": list(self.notes),
            "objects": self.objects,
        }


def floats(values) -> np.ndarray:
    """``values`` as floats, None as NaN."""
    return np.asarray([np.nan if v is None else v for v in values], dtype=float)


def stored_degenerate(values: dict, keep: np.ndarray) -> np.ndarray | None:
    """Which of the units ``keep`` selects the analysis found blank or noise (a stored
    ``image_issue``); None for a run that stored no such checks."""
    if "image_issue" not in values:
        return None
    return np.asarray([v is not None for v in values["image_issue"]])[keep]
