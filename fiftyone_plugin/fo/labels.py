"""Label fields of a dataset: which fields hold labels, and their labels out as core LabelSets."""

from __future__ import annotations

import fiftyone as fo
import numpy as np

from ..core.labels import LabelSet, ObjectTable

#: Label types the analysis reads from a label field.
LABEL_TYPES = (fo.Classification, fo.Detections)


def label_fields(samples: fo.core.collections.SampleCollection) -> list[str]:
    """Sample fields of ``samples`` holding Classification or Detections labels."""
    schema = samples.get_field_schema(embedded_doc_type=None)
    return sorted(
        name
        for name, f in schema.items()
        if isinstance(f, fo.EmbeddedDocumentField) and f.document_type in LABEL_TYPES
    )


def check_label_field(samples: fo.core.collections.SampleCollection, name: str) -> type:
    """The label type of field ``name`` (fo.Classification or fo.Detections); ValueError with
    the fields that would work otherwise."""
    f = samples.get_field(name)
    if f is None or not (
        isinstance(f, fo.EmbeddedDocumentField) and f.document_type in LABEL_TYPES
    ):
        usable = label_fields(samples)
        what = "has no field" if f is None else "has a field of another type named"
        hint = f"use one of {', '.join(usable)}" if usable else "import labeled data first"
        raise ValueError(
            f"Dataset '{samples._dataset.name}' {what} '{name}'; the label field must hold "
            f"Classification or Detections labels: {hint}"
        )
    return f.document_type


def read_labels(
    samples: fo.core.collections.SampleCollection,
    label_field: str,
    ids: list[str],
    class_map: dict[str, str | None] | None = None,
) -> LabelSet:
    """The labels in ``label_field`` of the samples ``ids`` (in that order) as a LabelSet,
    with ``class_map`` applied. Detections also get the images' pixel sizes (from sample
    metadata, computed where missing) and the label ids of the boxes (``objects.ids``)."""
    kind = check_label_field(samples, label_field)
    view = samples.select(ids, ordered=True)
    if kind is fo.Classification:
        labels = view.values(f"{label_field}.label")
        return LabelSet(np.array(labels, dtype=object)).renamed(class_map)
    if view.exists("metadata", False).limit(1).count():
        view.compute_metadata(progress=False)
    widths, heights = view.values(["metadata.width", "metadata.height"])
    path = f"{label_field}.detections"
    boxes, names, label_ids = view.values([f"{path}.bounding_box", f"{path}.label", f"{path}.id"])
    image, label, box, object_ids = [], [], [], []
    for i, (b, n, o) in enumerate(zip(boxes, names, label_ids, strict=True)):
        for bb, nn, oo in zip(b or [], n or [], o or [], strict=True):
            if bb is not None and len(bb) == 4:
                image.append(i)
                label.append(nn)
                box.append(bb)
                object_ids.append(oo)
    size = np.array(
        [[w if w else np.nan, h if h else np.nan] for w, h in zip(widths, heights, strict=True)],
        dtype=np.float64,
    ).reshape(-1, 2)
    objects = ObjectTable(
        np.array(image, dtype=np.int64), np.array(label, dtype=object),
        np.array(box, dtype=np.float64).reshape(-1, 4), len(ids), size,
        np.array(object_ids, dtype=object),
    )  # fmt: skip
    return LabelSet.from_objects(objects).renamed(class_map)
