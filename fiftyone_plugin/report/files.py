"""Write an analysis to a folder: samples.csv, clusters.csv, metrics.json (and report.html); a
run on objects also writes objects.csv (one row per object) and its samples.csv has one row per
image with its objects' figures."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass

from .. import defaults
from ..serialization import dumps, to_jsonable

SAMPLE_COLUMNS = [
    "filepath", "domain", "cluster", "gap_score", "uncovered", "underrepresented", "gap_region",
    "realism", "umap_x", "umap_y", "load_error",
]  # fmt: skip


#: classes.csv's first columns (a run with labels; the rest follow by name).
CLASS_COLUMNS = [
    "class", "status", "n_real", "n_synthetic", "uncovered_fraction", "n_gap_regions",
    "probe_transfer", "probe_accuracy_synthetic_raw", "probe_accuracy_synthetic",
    "probe_accuracy_real", "probe_accuracy_both", "probe_verdict",
    "reading",
]  # fmt: skip


#: objects.csv's first columns (a run on objects; the per-class ones follow by name). The box
#: (x, y, width, height) is relative to the image, in [0, 1].
OBJECT_COLUMNS = [
    "filepath", "domain", "object_id", "class", "x", "y", "width", "height", "cluster",
    "gap_score", "uncovered", "underrepresented", "gap_region", "realism", "umap_x", "umap_y",
]  # fmt: skip
#: samples.csv's columns for a run on objects: per image, its analyzed objects, how many of
#: them are uncovered (real images) and the least realism among them (synthetic images).
IMAGE_COLUMNS = [
    "filepath", "domain", "n_objects", "n_uncovered_objects", "min_object_realism", "load_error",
]  # fmt: skip


@dataclass
class Failure:
    """A sample that could not be analyzed, and why."""

    filepath: str
    domain: str
    reason: str


def samples_rows(outcome, umap, failures: list[Failure]) -> list[dict]:
    """One row per sample: analyzed samples with their results, then the failed ones."""
    values = outcome.per_sample
    rows = []
    for i, path in enumerate(outcome.table.filepaths):
        row = {"filepath": path, "domain": outcome.table.domains[i], "load_error": ""}
        for key in values:  # the run's result columns, with labels the per-class ones too
            value = values[key][i]
            if outcome.table.domains[i] == defaults.SYNTHETIC and key in defaults.CALLS:
                value = None  # coverage is a property of real samples
            row[key] = (
                "" if value is None else (str(value).lower() if isinstance(value, bool) else value)
            )
        row["umap_x"], row["umap_y"] = float(umap[i, 0]), float(umap[i, 1])
        rows.append(row)
    for f in failures:
        rows.append({"filepath": f.filepath, "domain": f.domain, "load_error": f.reason})
    return rows


def objects_rows(outcome, umap) -> list[dict]:
    """One row per analyzed object of a run on objects: samples_rows's columns with the object's
    id, class and box."""
    rows = samples_rows(outcome, umap, [])
    table = outcome.table
    for row, object_id, label, box in zip(rows, table.ids, table.labels, table.boxes, strict=True):
        del row["load_error"]
        row.update(object_id=object_id, x=box[0], y=box[1], width=box[2], height=box[3])
        row["class"] = label
    return rows


def images_rows(outcome, failures: list[Failure]) -> list[dict]:
    """One row per image of a run on objects (images holding analyzed objects, then the
    unreadable ones): IMAGE_COLUMNS."""
    table = outcome.table
    images, figures = object_image_figures(outcome, table.filepaths)
    domain = dict(zip(table.filepaths, table.domains, strict=True))
    rows = [
        {
            "filepath": path,
            "domain": domain[path],
            **{name: "" if values[k] is None else values[k] for name, values in figures.items()},
            "load_error": "",
        }
        for k, path in enumerate(images)
    ]
    rows += [{"filepath": f.filepath, "domain": f.domain, "load_error": f.reason} for f in failures]
    return rows


def object_image_figures(outcome, keys) -> tuple[list, dict[str, list]]:
    """The images of run on objects ``outcome`` (``keys``: each object's image, by id or path; in
    the order first seen) and their figures, folded from their objects': ``n_objects``,
    ``n_uncovered_objects`` (real images, else None) and ``min_object_realism`` (synthetic images
    whose objects have a realism, else None)."""
    import numpy as np

    from ..core.objects import image_summary

    images = list(dict.fromkeys(keys))
    index = {key: k for k, key in enumerate(images)}
    image = np.array([index[key] for key in keys], dtype=np.int64)
    is_real = outcome.table.domains == defaults.REAL
    realism = np.array([np.nan if v is None else v for v in outcome.per_sample["realism"]], float)
    uncovered = np.array([bool(v) for v in outcome.per_sample["uncovered"]]) & is_real
    folded = image_summary(image, len(images), realism=realism, uncovered=uncovered)
    real_image = np.zeros(len(images), dtype=bool)
    real_image[image[is_real]] = True
    return images, {
        "n_objects": [int(n) for n in folded["n_objects"]],
        "n_uncovered_objects": [
            int(n) if r else None for n, r in zip(folded["n_uncovered"], real_image, strict=True)
        ],
        "min_object_realism": [
            None if r or not np.isfinite(v) else float(v)
            for v, r in zip(folded["min_realism"], real_image, strict=True)
        ],
    }


def write_csv(path: str, columns: list[str], rows: list[dict]) -> None:
    """Write ``rows`` (dicts) as CSV with ``columns`` first, extra keys after."""
    extra = sorted({k for r in rows for k in r} - set(columns))
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns + extra, restval="")
        writer.writeheader()
        writer.writerows(to_jsonable(rows))


def metrics_document(outcome, failures: list[Failure]) -> dict:
    """The content of metrics.json."""
    result = outcome.result
    is_real = outcome.table.domains == defaults.REAL
    return {
        "dataset": outcome.dataset_name,
        "run": outcome.run_key,
        "model": outcome.model,
        "layout_share": getattr(outcome, "layout_share", None),
        "embeddings_field": outcome.embeddings_field,
        "embedding_dim": int(outcome.table.vectors.shape[1]),
        "n_real": int(is_real.sum()),
        "n_synthetic": int((~is_real).sum()),
        "n_failed": len(failures),
        "n_non_finite": outcome.table.n_non_finite,
        "n_uncovered": int(result.uncovered.sum()),
        "n_underrepresented": int(result.underrepresented.sum()),
        "n_gap_regions": len(result.regions),
        **result.metrics,
        "readings": result.readings,
        "diagnosis": result.diagnosis,
        "gap_regions": outcome.regions,
        "clusters": result.clusters,
        "generate_next": outcome.generate_next,
        "config": result.config,
        **labeled_document(outcome),
        **({"objects": outcome.objects} if getattr(outcome, "objects", None) else {}),
    }


def labeled_document(outcome) -> dict:
    """What a run with labels adds to metrics.json (the per-class table is in the metrics):
    label_field, class_map, class_regions (with example file paths), probe, probe_skipped,
    label_stats."""
    labeled = outcome.result.labeled
    if labeled is None:
        return {}
    parts = {k: v for k, v in labeled.to_dict().items() if k != "per_class"}
    return {
        **parts,
        "label_field": outcome.label_field,
        "class_map": outcome.class_map,
        "class_regions": outcome.class_regions,
    }


def write_outputs(outcome, umap, failures: list[Failure], out_dir: str) -> dict[str, str]:
    """Write samples.csv, clusters.csv, metrics.json and report.html (and classes.csv for a run
    with labels); returns their paths."""
    from .html import write_report

    os.makedirs(out_dir, exist_ok=True)
    paths = {name: os.path.join(out_dir, name) for name in
             ("samples.csv", "clusters.csv", "metrics.json", "report.html")}  # fmt: skip
    if getattr(outcome, "objects", None):
        paths["objects.csv"] = os.path.join(out_dir, "objects.csv")
        write_csv(paths["objects.csv"], OBJECT_COLUMNS, objects_rows(outcome, umap))
        write_csv(paths["samples.csv"], IMAGE_COLUMNS, images_rows(outcome, failures))
    else:
        write_csv(paths["samples.csv"], SAMPLE_COLUMNS, samples_rows(outcome, umap, failures))
    cluster_columns = ["cluster", "name", "n_real", "n_synthetic", "synthetic_share", "status"]
    write_csv(paths["clusters.csv"], cluster_columns, outcome.result.clusters)
    if outcome.result.labeled is not None:
        paths["classes.csv"] = os.path.join(out_dir, "classes.csv")
        write_csv(paths["classes.csv"], CLASS_COLUMNS, outcome.result.labeled.table)
    document = metrics_document(outcome, failures)
    with open(paths["metrics.json"], "w", encoding="utf-8") as f:
        f.write(dumps(document))
    write_report(paths["report.html"], report_data(outcome, umap, failures, document))
    return paths


def report_data(outcome, umap, failures: list[Failure], document: dict):
    """ReportData for a fresh analysis (see report/data.py)."""
    from .data import from_columns

    return from_columns(
        title=f"{outcome.dataset_name} / {outcome.run_key}",
        document=document,
        clusters=outcome.result.clusters,
        filepaths=outcome.table.filepaths,
        domains=outcome.table.domains,
        umap=umap,
        per_sample=outcome.per_sample,
        failures=[vars(f) for f in failures],
        boxes=outcome.table.boxes if getattr(outcome, "objects", None) else None,
    )
