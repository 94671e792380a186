"""What a run with labels writes on the samples: per-class results as fields (runs.LABELED_FIELDS).

Real samples get ``label_class`` (the class they were analyzed as, after the class map; for
detections the dominant class), ``class_gap_score`` / ``class_uncovered`` / ``class_gap_region``
(the gap analysis within their class) and ``probe_class`` (the class the probe trained on the
synthetic images gives them); synthetic samples get ``label_class`` and ``label_support`` (how
strongly a probe trained on the real images agrees with their label, in [0, 1]).
"""

from __future__ import annotations

import math

import fiftyone as fo
import numpy as np

from .. import defaults
from .runs import LABELED_FIELDS, RunNames, owns_field
from .samples import EmbeddingTable


def _text(value) -> str | None:
    return None if value is None else str(value)


def _number(value) -> float | None:
    return None if value is None or not math.isfinite(float(value)) else float(value)


def labeled_values(table: EmbeddingTable, labeled) -> dict[str, list]:
    """LABELED_FIELDS values for every analyzed sample, in table order (None where not
    applicable). ``labeled``: the core LabeledResult."""
    n = len(table.ids)
    real_rows = np.flatnonzero(table.domains == defaults.REAL)
    synth_rows = np.flatnonzero(table.domains != defaults.REAL)
    values = {short: [None] * n for short in LABELED_FIELDS}
    classes_real, classes_synthetic = labeled.classes_real, labeled.classes_synthetic
    for j, row in enumerate(real_rows):
        values["label_class"][row] = _text(classes_real[j])
        values["class_gap_score"][row] = _number(labeled.gap_score[j])
        values["class_uncovered"][row] = bool(labeled.uncovered[j])
        values["class_gap_region"][row] = labeled.gap_region[j]
        values["probe_class"][row] = _text(labeled.probe_prediction[j])
    for j, row in enumerate(synth_rows):
        values["label_class"][row] = _text(classes_synthetic[j])
        values["label_support"][row] = _number(labeled.label_support[j])
    return values


def drop_stale_labeled_fields(dataset: fo.Dataset, names: RunNames, written: dict) -> None:
    """Delete the LABELED_FIELDS run ``names`` wrote earlier but not this time (a run of the same
    key rerun without labels); fields of those names that are not the run's stay."""
    for short in LABELED_FIELDS:
        name = names.field(short)
        if short not in written and owns_field(dataset, names, name):
            dataset.delete_sample_field(name)


def read_side_labels(samples, label_field: str, table: EmbeddingTable, class_map=None):
    """(real, synthetic) LabelSets of the analyzed samples in ``table`` (table order), read from
    ``label_field`` with ``class_map`` applied. ValueError if a side has no label at all."""
    from .labels import read_labels

    is_real = table.domains == defaults.REAL
    out = []
    for side, rows in ((defaults.REAL, is_real), (defaults.SYNTHETIC, ~is_real)):
        ids = [table.ids[i] for i in np.flatnonzero(rows)]
        labels = read_labels(samples, label_field, ids, class_map)
        if labels.n_unlabeled == len(labels.classes):
            raise ValueError(
                f"Label field '{label_field}' is empty on every {side} sample of dataset "
                f"'{samples._dataset.name}' (after the class map): import {side} labels into it "
                "or analyze without a label field"
            )
        out.append(labels)
    return tuple(out)


def class_regions_with_samples(table: EmbeddingTable, labeled) -> list[dict]:
    """The gap regions within classes with ``representative_filepaths`` / ``_ids`` added."""
    real_rows = np.flatnonzero(table.domains == defaults.REAL)
    regions = []
    for region in labeled.regions:
        rows = real_rows[np.asarray(region.get("representatives", []), dtype=int)]
        regions.append(
            {
                **region,
                "class": _text(region.get("class")),
                "representative_filepaths": [table.filepaths[i] for i in rows],
                "representative_ids": [table.ids[i] for i in rows],
            }
        )
    return regions


def class_view(dataset: fo.Dataset, run_key: str, cls: str) -> fo.DatasetView:
    """The samples run ``run_key`` analyzed as class ``cls`` (both sides), the real ones lacking
    synthetic counterparts within the class first."""
    from fiftyone import ViewField as F

    from .units import run_units

    units = run_units(dataset, run_key)
    label, score = units.path("label_class"), units.path("class_gap_score")
    if not units.has("label_class"):
        raise ValueError(f"Run '{run_key}' of dataset '{dataset.name}' was made without labels")
    return units.collection.match(F(label) == str(cls)).sort_by(score, reverse=True)
