"""Reports and run history for analysis runs stored on a FiftyOne dataset."""

from __future__ import annotations

import os

import fiftyone as fo
import numpy as np

from .. import defaults
from ..report.data import ReportData, from_columns
from .runs import RESULT_FIELDS, RunNames, list_analyses, load_summary

#: Metrics shown in the run history, in order.
HISTORY_METRICS = ("fid", "kid_mean", "precision", "recall", "density", "coverage", "c2st_auc")


def _load(dataset_name: str) -> fo.Dataset:
    if not fo.dataset_exists(dataset_name):
        raise ValueError(f"No dataset named {dataset_name!r}; available: {fo.list_datasets()}")
    return fo.load_dataset(dataset_name)


def stored_report_data(dataset: fo.Dataset, run_key: str) -> ReportData:
    """ReportData for analysis run ``run_key`` as stored on ``dataset``."""
    summary = load_summary(dataset, run_key)
    names = RunNames(run_key)
    visualization = dataset.load_brain_results(names.brain_key)
    ids = list(visualization.current_sample_ids)
    points = np.asarray(visualization.current_points)
    view = dataset.select(ids, ordered=True)
    columns = ["filepath", defaults.DOMAIN_FIELD] + [names.field(s) for s in RESULT_FIELDS]
    values = dict(zip(columns, view.values(columns), strict=True))
    per_sample = {short: values[names.field(short)] for short in RESULT_FIELDS}
    failed = (
        dataset.exists(defaults.ERROR_FIELD)
        if dataset.has_sample_field(defaults.ERROR_FIELD)
        else None
    )
    failures = []
    if failed is not None:
        fields = ["filepath", defaults.DOMAIN_FIELD, defaults.ERROR_FIELD]
        failures = [
            dict(filepath=p, domain=d, reason=r)
            for p, d, r in zip(*failed.values(fields), strict=True)
        ]
    document = {**summary.get("metrics", {}), **summary}
    document.setdefault("gap_regions", summary.get("regions", []))
    return from_columns(
        title=f"{dataset.name} / {run_key}",
        document=document,
        clusters=summary.get("clusters", []),
        filepaths=values["filepath"],
        domains=values[defaults.DOMAIN_FIELD],
        umap=points,
        per_sample=per_sample,
        failures=failures,
    )


def write_run_report(dataset_name: str, run_key: str, out: str) -> str:
    """Write the HTML report of stored run ``run_key`` to file ``out``; returns its path."""
    from ..report.html import write_report

    data = stored_report_data(_load(dataset_name), run_key)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    write_report(out, data)
    return out


def run_history(dataset_name: str | fo.Dataset) -> list[dict]:
    """One row per analysis run (oldest first): key, time, sample counts and headline metrics."""
    dataset = dataset_name if isinstance(dataset_name, fo.Dataset) else _load(dataset_name)
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


def run_metrics(dataset_name: str, run_key: str = defaults.RUN_KEY, out: str | None = None) -> dict:
    """The metrics of stored run ``run_key`` with their plain-language readings, and with ``out``
    the HTML report written to that file.

    Returns {"run", "diagnosis" (text), "metrics": [{"name", "value", "reading"}], "report"}.
    """
    summary = load_summary(_load(dataset_name), run_key)
    metrics, readings = summary.get("metrics", {}), summary.get("readings", {})
    rows = [
        {"name": k, "value": v, "reading": readings.get(k, "")}
        for k, v in metrics.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    return {
        "run": run_key,
        "diagnosis": (summary.get("diagnosis") or {}).get("text", ""),
        "metrics": rows,
        "report": write_run_report(dataset_name, run_key, out) if out else None,
    }
