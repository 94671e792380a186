"""Run the gap analysis on a FiftyOne collection and store everything it finds as a named run.

The run's names and what of them it owns: runs.py; the write path: results.py; renaming and
deleting runs: manage_runs.py.
"""

from __future__ import annotations

import fiftyone as fo
import numpy as np
from fiftyone import ViewField as F

from .. import defaults
from ..progress import Progress, report, span
from .class_results import read_side_labels
from .fields import field_meta
from .results import AnalysisOutcome, outcome_of, store_run, write_samples
from .runs import check_run_writable
from .samples import EmbeddingTable, domain_view, read_embeddings


def analyze(
    samples: fo.core.collections.SampleCollection,
    embeddings_field: str | None = None,
    run_key: str = defaults.RUN_KEY,
    config=None,
    overwrite: bool = False,
    overwrite_fields: bool = False,
    progress: Progress | None = None,
    label_field: str | None = None,
    class_map: dict[str, str | None] | None = None,
) -> AnalysisOutcome:
    """Analyze the real vs synthetic samples of ``samples`` and store the results.

    ``overwrite`` replaces an earlier run of the same key; ``overwrite_fields`` allows replacing
    what the user created under the names the run writes: result fields, the ``uncovered`` tag,
    saved views and the ``<run_key>_umap`` visualization (FieldClashError names them otherwise).
    ``label_field``: a Classification or Detections field; its labels (renamed by ``class_map``,
    see core/labels.py) add the label statistics, the per-class analysis and the probe.
    Nothing is written if the analysis fails or a name clashes.
    """
    from ..core.pipeline import analyze_embeddings
    from ..embeddings.layout import file_layout_share
    from ..embeddings.registry import feature_blocks, head_dims

    dataset = samples._dataset
    check_run_writable(dataset, run_key, overwrite, overwrite_fields)
    field_name = embeddings_field or _only_embeddings_field(dataset)
    model = (field_meta(dataset, field_name) or {}).get("model", "unknown")

    report(progress, 0.0, "reading embeddings")
    table = read_embeddings(samples, field_name)
    _check_table(dataset, samples, field_name, table)
    is_real = table.domains == defaults.REAL
    labels = (None, None)
    if label_field:
        report(progress, 0.04, "reading labels")
        labels = read_side_labels(samples, label_field, table, class_map)
    result = analyze_embeddings(
        table.vectors[is_real],
        table.vectors[~is_real],
        config=config,
        progress=span(progress, 0.05, 0.9),
        labels_real=labels[0],
        labels_synthetic=labels[1],
        head_dims=head_dims(model),
        blocks=feature_blocks(model),
    )

    report(progress, 0.9, "writing results")
    outcome = outcome_of(dataset, run_key, field_name, model, table, result)
    outcome.per_sample["image_issue"] = synthetic_image_issues(table, span(progress, 0.9, 0.92))
    report(progress, 0.92, "measuring the real images' layout")
    outcome.layout_share = file_layout_share([table.filepaths[i] for i in np.flatnonzero(is_real)])
    outcome.label_field, outcome.class_map = label_field, class_map
    store_run(
        dataset, outcome, write_samples, config, overwrite, overwrite_fields,
        span(progress, 0.9, 0.9),
    )  # fmt: skip
    report(progress, 1.0, "analysis stored")
    return outcome


def synthetic_image_issues(table: EmbeddingTable, progress: Progress | None = None) -> list:
    """Per table row, the synthetic images that hold no content ("blank", "noise"; see
    embeddings/image_checks.py), None for real samples and images with content."""
    from ..embeddings.image_checks import file_issues

    synthetic = np.flatnonzero(table.domains != defaults.REAL)
    issues: list = [None] * len(table.ids)
    found = file_issues([table.filepaths[i] for i in synthetic], progress)
    for row, issue in zip(synthetic, found, strict=True):
        issues[row] = issue
    return issues


def _check_table(dataset: fo.Dataset, samples, field_name: str, table: EmbeddingTable) -> None:
    """Raise ValueError saying what to do when the embeddings read cannot be analyzed: vectors of
    another length than the field's model gives, or a side without usable embeddings."""
    meta = field_meta(dataset, field_name) or {}
    if meta.get("dim") and len(table.ids) and table.vectors.shape[1] != meta["dim"]:
        raise ValueError(
            f"Field '{field_name}' should hold {meta['dim']}-d embeddings of model "
            f"'{meta.get('model')}' but holds {table.vectors.shape[1]}-d vectors: recompute them "
            "(recompute option) or analyze another embeddings field"
        )
    for side in defaults.DOMAINS:
        if not (table.domains == side).sum():
            view = domain_view(samples).match(F(defaults.DOMAIN_FIELD) == side)
            has_errors = dataset.has_sample_field(defaults.ERROR_FIELD)
            failed = len(view.exists(defaults.ERROR_FIELD)) if has_errors else 0
            raise ValueError(
                f"No {side} sample of dataset '{dataset.name}' has usable embeddings in "
                f"'{field_name}' ({len(view)} {side} samples, {failed} unreadable, "
                f"{table.n_non_finite} with NaN/inf embeddings in all): add {side} images or mark "
                f"samples {side}, then embed them (recompute replaces bad embeddings)"
            )


def _only_embeddings_field(dataset: fo.Dataset) -> str:
    fields = [n for n in dataset.get_field_schema() if (field_meta(dataset, n) or {}).get("dim")]
    if not fields:
        raise ValueError(
            f"Dataset '{dataset.name}' has no synthgap embeddings yet: compute embeddings first "
            "(synthgap analyze and the Analyze operator do it for you)"
        )
    if len(fields) != 1:
        raise ValueError(
            f"Dataset '{dataset.name}' has {len(fields)} synthgap embeddings fields {fields}; "
            "name the one to analyze"
        )
    return fields[0]
