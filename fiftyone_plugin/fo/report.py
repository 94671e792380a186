"""What a stored analysis run says (report/presentation.py, read from the dataset), its HTML report,
its metrics, and the history of a dataset's runs."""

from __future__ import annotations

import os

import fiftyone as fo
import numpy as np

from .. import defaults
from ..progress import Progress, report, span
from ..report.data import ReportData, from_columns
from ..report.document import document_of
from ..report.metric_cards import metric_rows
from ..report.presentation import HISTORY_METRICS, RunPresentation, present
from .regions import list_regions
from .runs import RESULT_FIELDS, RunNames, list_analyses, load_summary
from .samples import load_dataset
from .units import run_units


def _failures(dataset: fo.Dataset) -> list[dict]:
    """The dataset's unreadable images: {filepath, domain, reason}."""
    if not dataset.has_sample_field(defaults.ERROR_FIELD):
        return []
    fields = ["filepath", defaults.DOMAIN_FIELD, defaults.ERROR_FIELD]
    failed = dataset.exists(defaults.ERROR_FIELD)
    return [
        dict(filepath=p, domain=d, reason=r) for p, d, r in zip(*failed.values(fields), strict=True)
    ]


def stored_document(dataset: fo.Dataset, run_key: str, n_failed: int | None = None) -> dict:
    """Run ``run_key``'s stored summary as one flat document (report.document.document_of), with
    the count of unreadable images (``n_failed``; counted on the dataset when None)."""
    document = document_of(load_summary(dataset, run_key))
    if n_failed is None:
        has_errors = dataset.has_sample_field(defaults.ERROR_FIELD)
        n_failed = len(dataset.exists(defaults.ERROR_FIELD)) if has_errors else 0
    document.setdefault("n_failed", n_failed)
    return document


def stored_presentation(
    dataset: fo.Dataset,
    run_key: str,
    max_galleries: int | None = None,
    gallery_examples: int = 8,
) -> RunPresentation:
    """The presentation of stored run ``run_key``: its summary, its gap regions and clusters as
    the samples hold them now, its synthetic samples' realism and the dataset's run history."""
    units = run_units(dataset, run_key)
    realism = units.path("realism")
    synthetic = units.side(defaults.SYNTHETIC)
    scores = synthetic.exists(realism).values(realism) if units.has("realism") else []
    return present(
        stored_document(dataset, run_key),
        title=f"{dataset.name} / {run_key}",
        regions=list_regions(dataset, run_key),
        realism=scores,
        history=run_history(dataset),
        max_galleries=max_galleries,
        gallery_examples=gallery_examples,
    )


def stored_report_data(dataset: fo.Dataset, run_key: str) -> ReportData:
    """ReportData for analysis run ``run_key`` as stored on ``dataset``."""
    names = RunNames(run_key)
    units = run_units(dataset, run_key)
    visualization = dataset.load_brain_results(names.brain_key)
    if units.is_objects:
        ids = list(visualization.current_label_ids)
    else:
        ids = list(visualization.current_sample_ids)
    points = np.asarray(visualization.current_points)
    view = units.collection.select(ids, ordered=True)
    results = [s for s in RESULT_FIELDS if units.has(s)]  # runs before a field was added lack it
    shorts = [defaults.DOMAIN_FIELD, *results] + (["bounding_box"] if units.is_objects else [])
    columns = ["filepath"] + [units.path(s) for s in shorts]
    values = dict(zip(["filepath", *shorts], view.values(columns), strict=True))
    failures = _failures(dataset)
    document = stored_document(dataset, run_key, n_failed=len(failures))
    return from_columns(
        title=f"{dataset.name} / {run_key}",
        document=document,
        clusters=document.get("clusters", []),
        filepaths=values["filepath"],
        domains=values[defaults.DOMAIN_FIELD],
        umap=points,
        per_sample={short: values[short] for short in results},
        failures=failures,
        boxes=values.get("bounding_box"),
    )


def write_run_report(
    dataset_name: str, run_key: str, out: str, progress: Progress | None = None
) -> str:
    """Write the HTML report of stored run ``run_key`` to file ``out`` (its folder created and
    checked first), reporting its steps to ``progress``; returns its absolute path."""
    from ..paths import absolute, check_out_dir
    from ..report.html import write_report

    out = absolute(out)
    if os.path.isdir(out):
        raise ValueError(f"{out!r} is a folder: give the path of the HTML file to write")
    check_out_dir(os.path.dirname(out))
    report(progress, 0.0, f"reading run '{run_key}' from the dataset")
    data = stored_report_data(load_dataset(dataset_name), run_key)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    report(progress, 0.3, "writing the HTML report and its thumbnails")
    write_report(out, data)
    report(progress, 1.0, "report written")
    return out


def run_history(dataset_name: str | fo.Dataset) -> list[dict]:
    """One row per analysis run (oldest first): key, time, sample counts and headline metrics."""
    dataset = dataset_name if isinstance(dataset_name, fo.Dataset) else load_dataset(dataset_name)
    rows = []
    for key in list_analyses(dataset):
        summary = load_summary(dataset, key)
        metrics = summary.get("metrics", {})
        row = {"run": key, "timestamp": str(dataset.get_run_info(key).timestamp)}
        row.update({k: metrics.get(k) for k in ("n_real", "n_synthetic") if k in metrics})
        row.update({k: metrics[k] for k in HISTORY_METRICS if k in metrics})
        row["uncovered_fraction"] = metrics.get("uncovered_fraction")
        row["diagnosis"] = summary.get("diagnosis", {}).get("kind")
        rows.append(row)
    return rows


def run_metrics(
    dataset_name: str,
    run_key: str = defaults.RUN_KEY,
    out: str | None = None,
    progress: Progress | None = None,
) -> dict:
    """The metrics of stored run ``run_key`` with their grades and plain-language readings, and
    with ``out`` the HTML report written to that file; its steps are reported to ``progress``.

    Returns {"run", "diagnosis" (text), "counts" (one line), "metrics": [{"name", "value",
    "grade", "reading"}], "report"}.
    """
    report(progress, 0.0, f"reading the metrics of run '{run_key}'")
    shown = present(stored_document(load_dataset(dataset_name), run_key))
    path = None
    if out:
        path = write_run_report(dataset_name, run_key, out, span(progress, 0.1, 1.0))
    else:
        report(progress, 1.0, "metrics read")
    return {
        "run": run_key,
        "diagnosis": shown.diagnosis["text"],
        "counts": shown.count_line,
        "metrics": metric_rows(shown.metrics),
        "report": path,
    }
