"""Write a run on objects to its dataset: the run's own Detections field, image fields, the
visualization of the patches, saved patches views and the run record (see units.py for readers).

The run's field (``patches`` for the default run, ``<run>_patches`` otherwise) holds, on every
analyzed image, a copy of each analyzed box (same label id, label and box as in the label field)
with the object's side (``domain``) and its results as attributes: ``cluster``, ``gap_score``,
``uncovered``, ``gap_region``, ``realism`` and, per class, ``label_class``, ``class_gap_score``,
``class_uncovered``, ``class_gap_region``, ``probe_class``, ``label_support``; uncovered objects
carry the run's uncovered tag as a label tag. So ``to_patches(field)`` shows the objects, each in
its image, the Embeddings panel colors them by ``<field>.detections.domain``, and the user's label
field is left as it was (its objects only hold their embeddings: objects.py). The images get the
run's ``n_objects``, ``n_uncovered_objects`` (real) and ``min_object_realism`` (synthetic).
"""

from __future__ import annotations

import math

import fiftyone as fo

from .. import defaults
from ..report.files import object_image_figures
from .app_config import domain_colors
from .bulk import write_columns
from .fields import OWNER_KEY, field_meta
from .results import AnalysisOutcome
from .runs import CALLS, OBJECT_FIELDS, RUN_FIELDS, RunNames
from .units import OBJECTS_FIELD

#: Result attributes of the objects (RUN_FIELDS names) written on the run's Detections field.
OBJECT_ATTRIBUTES = tuple(s for s in RUN_FIELDS if s not in OBJECT_FIELDS)


def objects_field(names: RunNames) -> str:
    """The Detections field of run ``names``' objects."""
    return names.field(OBJECTS_FIELD)


def write_objects(dataset: fo.Dataset, outcome: AnalysisOutcome) -> None:
    """results.store_run's ``write_units`` for a run on objects: its objects (its Detections
    field, colored by side) and its image fields."""
    _write_objects(dataset, outcome)
    domain_colors(dataset, objects_field(outcome.names), attribute=defaults.DOMAIN_FIELD)
    _write_image_fields(dataset, outcome)


def _value(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _write_objects(dataset: fo.Dataset, outcome: AnalysisOutcome) -> None:
    """The run's Detections field: one Detection per analyzed object, grouped by image."""
    names = outcome.names
    name = objects_field(names)
    table = outcome.table
    if dataset.has_sample_field(name) and field_meta(dataset, name) is None:
        dataset.delete_sample_field(name)  # the user's, replaced by the caller's overwrite
    if not dataset.has_sample_field(name):
        dataset.add_sample_field(
            name, fo.EmbeddedDocumentField, embedded_doc_type=fo.Detections,
            info={OWNER_KEY: {"run": outcome.run_key}},
        )  # fmt: skip
    attributes = [s for s in OBJECT_ATTRIBUTES if s in outcome.per_sample]
    by_image: dict[str, list] = {}
    for row, object_id in enumerate(table.ids):
        values = {s: _value(outcome.per_sample[s][row]) for s in attributes}
        detection = fo.Detection(
            id=object_id,
            label=str(table.labels[row]),
            bounding_box=[float(v) for v in table.boxes[row]],
            tags=[names.call_tag(c) for c in CALLS if values.get(c)],
            **{defaults.DOMAIN_FIELD: str(table.domains[row])},
            **{k: v for k, v in values.items() if v is not None},
        )
        by_image.setdefault(table.sample_ids[row], []).append(detection)
    done = set(by_image)
    stale = [i for i in dataset.exists(name).values("id") if i not in done]
    values = {i: fo.Detections(detections=d) for i, d in by_image.items()}
    values.update({i: None for i in stale})
    dataset.set_values(name, values, key_field="id")
    types = {defaults.DOMAIN_FIELD: fo.StringField, **{s: RUN_FIELDS[s] for s in attributes}}
    for short, ftype in types.items():
        path = f"{name}.detections.{short}"
        if not dataset.has_sample_field(path):
            dataset.add_sample_field(path, ftype)


def _write_image_fields(dataset: fo.Dataset, outcome: AnalysisOutcome) -> None:
    """n_objects, n_uncovered_objects and min_object_realism on the analyzed images."""
    names = outcome.names
    images, columns = object_image_figures(outcome, outcome.table.sample_ids)
    for short in columns:
        name = names.field(short)
        if dataset.has_sample_field(name) and field_meta(dataset, name) is None:
            dataset.delete_sample_field(name)  # the user's, replaced by the caller's overwrite
        if not dataset.has_sample_field(name):
            dataset.add_sample_field(
                name, OBJECT_FIELDS[short], info={OWNER_KEY: {"run": outcome.run_key}}
            )
    done = set(images)
    stale = [i for i in dataset.exists(names.field("n_objects")).values("id") if i not in done]
    write_columns(
        dataset, images + stale,
        {names.field(s): v + [None] * len(stale) for s, v in columns.items()},
    )  # fmt: skip


def rename_objects(dataset: fo.Dataset, new: RunNames, summary: dict) -> str | None:
    """After a run on objects was renamed to ``new`` (its fields and brain run renamed), point
    its record and its visualization at its renamed Detections field; returns that field (None
    for a run on whole images, which has none)."""
    from fiftyone.core.brain import BrainMethod

    objects = summary.get("objects")
    if not objects:
        return None
    objects["field"] = objects_field(new)
    results = dataset.init_run_results(new.run_key, summary=summary)
    dataset.save_run_results(new.run_key, results, overwrite=True)
    if dataset.has_brain_run(new.brain_key):
        config = dataset.get_brain_info(new.brain_key).config
        config.patches_field = objects["field"]
        BrainMethod.update_run_config(dataset, new.brain_key, config)
        dataset.clear_cache()  # results loaded before hold the old config
    return objects["field"]
