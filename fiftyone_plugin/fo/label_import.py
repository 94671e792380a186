"""Labeled sources into a dataset: their images and labels imported as samples, and which label
field the analysis reads (both sides labeled, with the same kind of label)."""

from __future__ import annotations

import fiftyone as fo

from .. import defaults
from ..label_options import LABEL_FIELD
from .label_sources import LabeledSource


def import_source(
    dataset: fo.Dataset,
    source: LabeledSource,
    domain: str,
    label_field: str = LABEL_FIELD,
    progress=None,
):
    """Add ``source``'s images as samples of ``domain``, its labels in ``label_field`` (see
    samples.import_images: labels already on a sample are kept). ValueError if ``label_field``
    exists with another type than the source's labels. Returns the ImportSummary."""
    from .samples import import_images

    if not source.n_labeled:
        return import_images(dataset, source.paths, domain, progress)
    kind = type(next(label for label in source.labels if label is not None))
    refuse_other_kind(dataset, label_field, kind, repr(source.path))
    return import_images(dataset, source.paths, domain, progress, source.labels, label_field)


def refuse_other_kind(dataset: fo.Dataset, label_field: str, kind: type, what: str) -> None:
    """ValueError if ``label_field`` is no valid name, or exists on ``dataset`` holding anything
    but ``kind`` labels (``what``: who brings the labels, for the message)."""
    defaults.validate_name(label_field, "label field")
    existing = dataset.get_field(label_field)
    if existing is not None and not (
        isinstance(existing, fo.EmbeddedDocumentField) and existing.document_type is kind
    ):
        held = getattr(existing, "document_type", None) or type(existing)
        raise ValueError(
            f"Field '{label_field}' of dataset '{dataset.name}' holds {held.__name__} values but "
            f"{what} has {kind.__name__} labels: pass another label field (--label-field NAME); "
            "both sides need the same kind of labels"
        )


def labels_to_analyze(
    dataset: fo.Dataset, real: LabeledSource, synthetic: LabeledSource, label_field: str
) -> tuple[str | None, list[str]]:
    """(the label field to analyze, or None, and the sources' warnings plus why labels are not
    used): labels are analyzed when both sides have some; a field of that name holding another
    kind of label is refused (ValueError) before anything is imported."""
    warnings = [*real.warnings, *synthetic.warnings]
    labeled = [s for s in (real, synthetic) if s.n_labeled]
    if not labeled:
        return None, warnings
    kinds = {type(next(label for label in s.labels if label is not None)) for s in labeled}
    if len(kinds) > 1:
        raise ValueError(
            f"The real labels are {_kind(real)} but the synthetic ones {_kind(synthetic)}: both "
            "sides need the same kind (class folders on both, or boxes on both)"
        )
    refuse_other_kind(dataset, label_field, kinds.pop(), "the sources")
    if len(labeled) == 1:
        side = "real" if labeled[0] is real else "synthetic"
        other = "synthetic" if side == "real" else "real"
        warnings.append(
            f"Only the {side} images have labels ({labeled[0].format}); the {other} ones "
            f"({(synthetic if side == 'real' else real).format}) have none, so the analysis runs "
            "without labels: give both sides labels for the per-class figures"
        )
        return None, warnings
    return label_field, warnings


def _kind(source: LabeledSource) -> str:
    if not source.n_labeled:
        return "absent"
    label = next(label for label in source.labels if label is not None)
    return "classes" if isinstance(label, fo.Classification) else "boxes"
