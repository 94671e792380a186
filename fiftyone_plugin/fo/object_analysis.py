"""Run the analysis on the labeled objects of a collection (each box one unit) and store it as a
named run: the core's analyze_objects on the object embeddings of objects.py, written by
object_results.py."""

from __future__ import annotations

import fiftyone as fo
import numpy as np
from fiftyone import ViewField as F

from .. import defaults
from ..progress import Progress, report, span
from .fields import field_meta
from .objects import check_detections_field, embeddings_path, object_rows, read_objects
from .results import AnalysisOutcome, outcome_of, store_run
from .runs import check_run_writable
from .samples import domain_view


def analyze_objects(
    samples: fo.core.collections.SampleCollection,
    label_field: str,
    embeddings_field: str | None = None,
    run_key: str = defaults.RUN_KEY,
    config=None,
    class_map: dict[str, str | None] | None = None,
    overwrite: bool = False,
    overwrite_fields: bool = False,
    progress: Progress | None = None,
) -> AnalysisOutcome:
    """Analyze the real vs synthetic objects of Detections field ``label_field`` of ``samples``
    (their embeddings in attribute ``embeddings_field`` of the objects: objects.py; None = the
    only one there) with their classes renamed by ``class_map``, and store the run ``run_key``
    (object_results.py). ``overwrite`` / ``overwrite_fields`` as in analysis.analyze."""
    from ..core.config import AnalysisConfig
    from ..core.objects import analyze_objects as analyze_core
    from ..embeddings.registry import feature_blocks, head_dims
    from .object_results import objects_field, write_objects

    dataset = samples._dataset
    names = check_run_writable(dataset, run_key, overwrite, overwrite_fields)
    check_detections_field(samples, label_field)
    field = embeddings_field or _only_object_embeddings(dataset, label_field)
    path = embeddings_path(label_field, field)
    meta = field_meta(dataset, path) or {}
    config = (config or AnalysisConfig()).validate()

    report(progress, 0.0, "reading objects")
    view = domain_view(samples)
    sides = []
    for domain in defaults.DOMAINS:
        ids = view.match(F(defaults.DOMAIN_FIELD) == domain).values("id")
        sides.append(read_objects(view, label_field, field, ids, class_map))
    real, synthetic = sides
    _check_counts(dataset, label_field, path, real, synthetic, config)
    result = analyze_core(
        real.vectors, synthetic.vectors, real.sides, synthetic.sides, config,
        span(progress, 0.05, 0.85), head_dims(meta.get("model")),
        feature_blocks(meta.get("model")),
    )  # fmt: skip

    table = object_rows(real, synthetic)
    issues = synthetic_object_issues(table, span(progress, 0.85, 0.9))
    report(progress, 0.9, "writing results")
    outcome = outcome_of(dataset, run_key, path, meta.get("model", "unknown"), table, result)
    outcome.per_sample["image_issue"] = issues
    outcome.label_field, outcome.class_map = label_field, class_map
    _add_boxes(outcome.regions + outcome.class_regions, table)
    details = result.details
    outcome.objects = {
        "field": objects_field(names),
        "label_field": label_field,
        "embeddings_field": path,
        "margin": meta.get("margin"),
        "min_size": meta.get("min_size"),
        **{k: details[k] for k in ("n_objects_real", "n_objects_synthetic", "n_skipped_real",
                                   "n_skipped_synthetic")},
    }  # fmt: skip
    store_run(
        dataset, outcome, write_objects, config, overwrite, overwrite_fields,
        span(progress, 0.9, 0.9), objects_field(names),
    )  # fmt: skip
    report(progress, 1.0, "analysis stored")
    return outcome


def synthetic_object_issues(table, progress: Progress | None = None) -> list:
    """Per row of ``table`` (ObjectRows), the synthetic objects whose box holds no content
    ("blank", "noise": embeddings/image_checks.py), each image decoded once; None for real
    objects and objects with content."""
    from ..embeddings.image_checks import box_issues

    rows_of: dict[str, list[int]] = {}
    for row in np.flatnonzero(table.domains != defaults.REAL):
        rows_of.setdefault(table.sample_ids[row], []).append(int(row))
    groups = list(rows_of.values())
    found = box_issues(
        [table.filepaths[g[0]] for g in groups], [table.boxes[g] for g in groups], progress
    )
    issues: list = [None] * len(table.ids)
    for rows, image_issues in zip(groups, found, strict=True):
        for row, issue in zip(rows, image_issues, strict=True):
            issues[row] = issue
    return issues


def _add_boxes(regions: list[dict], table) -> None:
    """Give each region's examples (``<side>_ids``, object ids) their boxes (``<side>_boxes``),
    so that reports show the objects, not their whole images."""
    box = {i: [float(v) for v in b] for i, b in zip(table.ids, table.boxes, strict=True)}
    for region in regions:
        for side in ("representative", "nearest_synthetic"):
            if f"{side}_ids" in region:
                region[f"{side}_boxes"] = [box[i] for i in region[f"{side}_ids"]]


def _check_counts(dataset, label_field, path, real, synthetic, config) -> None:
    """ValueError saying what to do when a side has too few analyzed objects."""
    need = dict(zip(defaults.DOMAINS, config.min_samples(), strict=True))
    for domain, side in ((defaults.REAL, real), (defaults.SYNTHETIC, synthetic)):
        n, total = len(side.sides.rows), len(side.sides.labels.objects)
        if n < need[domain]:
            raise ValueError(
                f"Only {n} of the {total} {domain} objects in '{label_field}' of dataset "
                f"'{dataset.name}' have embeddings in '{path}' (the others are under the "
                f"minimum size or in unreadable images), but the analysis needs at least "
                f"{need[domain]}: add {domain} labeled images, lower the minimum object size, or "
                "analyze whole images"
            )


def _only_object_embeddings(dataset: fo.Dataset, label_field: str) -> str:
    schema = dataset.get_field_schema(flat=True)
    prefix = f"{label_field}.detections."
    found = [
        p.removeprefix(prefix)
        for p in schema
        if p.startswith(prefix) and (field_meta(dataset, p) or {}).get("dim")
    ]
    if len(found) != 1:
        raise ValueError(
            f"The objects of '{label_field}' in dataset '{dataset.name}' have "
            f"{len(found) or 'no'} synthgap embeddings{' ' + str(found) if found else ''}: "
            + ("name the one to analyze" if found else "compute object embeddings first "
               "(synthgap analyze --objects does it for you)")
        )  # fmt: skip
    return found[0]
