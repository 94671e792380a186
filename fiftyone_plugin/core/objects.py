"""Objects as the units of analysis: every labeled box of both sides is one sample.

``analyze_objects`` runs the whole analysis (gap regions, realism, the per-class analysis, the
probe) on one embedding per object, with each object's own class as its label (not its image's
dominant class), and compares the label statistics of the two sides (every box, embedded or not).
``image_summary`` folds the per-object results back onto the images, so that images can be
picked by their objects (e.g. synthetic images holding an unrealistic object).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..progress import Progress
from .label_stats import compare_labels
from .labels import LabelSet, ObjectTable

#: What an object analysis's units are, in ``result.details["unit"]``.
UNIT = "objects"


@dataclass
class ObjectSides:
    """The objects analyzed on one side: ``labels`` (all of the side's boxes, LabelSet of its
    images) and ``rows`` (n_analyzed,) int: the row in ``labels.objects`` of each embedded
    object, in the order of the embeddings."""

    labels: LabelSet
    rows: np.ndarray

    def __post_init__(self) -> None:
        if self.labels.objects is None:
            raise ValueError("object analysis needs detection labels (boxes), not classes")
        self.rows = np.asarray(self.rows, dtype=np.int64).reshape(-1)
        n = len(self.labels.objects)
        if len(self.rows) and (self.rows.min() < 0 or self.rows.max() >= n):
            raise ValueError(f"object rows must lie in [0, {n})")

    @property
    def objects(self) -> ObjectTable:
        """The analyzed objects, in the order of the embeddings."""
        o = self.labels.objects
        ids = None if o.ids is None else o.ids[self.rows]
        return ObjectTable(
            o.image[self.rows], o.label[self.rows], o.box[self.rows], o.n_images, o.image_size, ids
        )

    @property
    def classes(self) -> np.ndarray:
        """(n_analyzed,) object: the class of each analyzed object."""
        return self.labels.objects.label[self.rows]

    @property
    def n_skipped(self) -> int:
        """Boxes of this side that were not analyzed (too small, or their image unreadable)."""
        return len(self.labels.objects) - len(self.rows)


def analyze_objects(
    real: np.ndarray,
    synthetic: np.ndarray,
    real_objects: ObjectSides,
    synthetic_objects: ObjectSides,
    config=None,
    progress: Progress | None = None,
    head_dims: int | None = None,
    blocks: Sequence[int] | None = None,
):
    """The analysis of ``pipeline.analyze_embeddings`` on object embeddings ((n_real_objects, d)
    and (n_synthetic_objects, d), rows as in ``*_objects.rows``), labeled by each object's class;
    ``head_dims`` and ``blocks`` as there.

    The result's per-sample arrays are per object; ``result.labeled.label_stats`` compares every
    box of the two sides (label_stats.compare_labels); ``result.details`` gains ``unit`` =
    "objects" and the numbers of boxes analyzed and skipped per side."""
    from .pipeline import analyze_embeddings

    for name, x, side in (
        ("real", real, real_objects),
        ("synthetic", synthetic, synthetic_objects),
    ):
        if len(x) != len(side.rows):
            raise ValueError(
                f"{len(x)} {name} object embeddings but {len(side.rows)} analyzed {name} objects"
            )
    result = analyze_embeddings(
        real,
        synthetic,
        config=config,
        progress=progress,
        labels_real=real_objects.classes,
        labels_synthetic=synthetic_objects.classes,
        head_dims=head_dims,
        blocks=blocks,
        unit=UNIT,
    )
    result.labeled.label_stats = compare_labels(real_objects.labels, synthetic_objects.labels)
    result.details.update(
        unit=UNIT,
        n_objects_real=len(real_objects.labels.objects),
        n_objects_synthetic=len(synthetic_objects.labels.objects),
        n_skipped_real=real_objects.n_skipped,
        n_skipped_synthetic=synthetic_objects.n_skipped,
    )
    return result


def image_summary(image: np.ndarray, n_images: int, **values: np.ndarray) -> dict[str, np.ndarray]:
    """Per-object values folded onto images: for every image in [0, n_images), ``n_objects`` (its
    analyzed objects) and, per named array of per-object values (NaN = not applicable), its
    ``min_<name>``, ``max_<name>`` and, for boolean arrays, ``n_<name>`` (how many are True).
    Images without objects get 0 counts and NaN extremes."""
    image = np.asarray(image, dtype=np.int64)
    out = {"n_objects": np.bincount(image, minlength=n_images)}
    for name, v in values.items():
        v = np.asarray(v)
        if v.dtype == bool:
            out[f"n_{name}"] = np.bincount(image, weights=v, minlength=n_images).astype(np.int64)
            continue
        v = v.astype(np.float64)
        lo, hi = np.full(n_images, np.inf), np.full(n_images, -np.inf)
        ok = np.isfinite(v)
        np.minimum.at(lo, image[ok], v[ok])
        np.maximum.at(hi, image[ok], v[ok])
        out[f"min_{name}"] = np.where(np.isfinite(lo), lo, np.nan)
        out[f"max_{name}"] = np.where(np.isfinite(hi), hi, np.nan)
    return out
