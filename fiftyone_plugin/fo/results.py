"""Write one analysis run's results to its dataset: result fields, the calls' tags, the
visualization, the run record and the saved views (run_views.py), each marked as the run's (see
runs.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import fiftyone as fo
import numpy as np
from fiftyone import ViewField as F

from .. import defaults
from ..progress import Progress
from ..serialization import to_jsonable
from .app_config import run_colors
from .bulk import write_columns
from .class_results import (
    class_regions_with_samples,
    drop_stale_labeled_fields,
    labeled_values,
)
from .fields import OWNER_KEY, FieldClashError, claim_field
from .locks import dataset_lock
from .run_views import save_views
from .runs import (
    CALLS,
    METHOD,
    RESULT_FIELDS,
    RUN_FIELDS,
    RunNames,
    check_run_writable,
    mark_unmarked,
    owns_brain_run,
    tagged_by_run,
)
from .samples import EmbeddingTable

if TYPE_CHECKING:
    from ..core.result import AnalysisResult


@dataclass
class AnalysisOutcome:
    """An analysis run's results together with the samples they belong to (row-aligned)."""

    dataset_name: str
    run_key: str
    embeddings_field: str
    model: str
    table: EmbeddingTable
    result: AnalysisResult
    saved_views: list[str] = field(default_factory=list)
    per_sample: dict[str, list] = field(default_factory=dict)
    #: The result's gap regions with the file paths and sample ids of their examples added.
    regions: list[dict] = field(default_factory=list)
    #: The label field analyzed and the class map applied (None without labels), and the gap
    #: regions within classes with the file paths and sample ids of their examples.
    label_field: str | None = None
    class_map: dict | None = None
    class_regions: list[dict] = field(default_factory=list)
    #: Where to generate next (the core's generate_next), each row named and with the ids and
    #: file paths of its example real samples.
    generate_next: list[dict] = field(default_factory=list)
    #: For a run on objects (object_results.py): its Detections field, label field, crop
    #: settings and counts of objects analyzed and skipped; None for a run on whole images.
    objects: dict | None = None
    #: Share of the real images' pixel variance that is a fixed layout (embeddings/layout.py);
    #: None when not measured (runs on objects).
    layout_share: float | None = None

    @property
    def names(self) -> RunNames:
        return RunNames(self.run_key)


def outcome_of(
    dataset: fo.Dataset, run_key: str, embeddings_field: str, model: str, table, result
) -> AnalysisOutcome:
    """The AnalysisOutcome of core result ``result`` on the samples of ``table``."""
    outcome = AnalysisOutcome(dataset.name, run_key, embeddings_field, model, table, result)
    outcome.per_sample = _per_sample_values(table, result)
    outcome.regions = _regions_with_samples(table, result)
    result.clusters = named_clusters(table, result.clusters)
    outcome.generate_next = _targets_with_samples(table, result)
    if result.labeled is not None:
        outcome.class_regions = class_regions_with_samples(table, result.labeled)
    return outcome


def store_run(
    dataset: fo.Dataset,
    outcome: AnalysisOutcome,
    write_units,
    config=None,
    overwrite: bool = False,
    overwrite_fields: bool = False,
    progress: Progress | None = None,
    patches_field: str | None = None,
) -> None:
    """Write run ``outcome`` to ``dataset``, replacing its earlier results: ``write_units(dataset,
    outcome)`` writes the results of its units (write_samples; for objects on their Detections
    field ``patches_field``, object_results.write_objects), then come the visualization, the
    saved views and, last, the run record, so a run record means complete results. ``overwrite`` and ``overwrite_fields`` as in
    fo.analysis.analyze (checked again here, under the lock); ``progress`` hears about waiting
    for another process's lock."""
    names = outcome.names
    # One writer at a time per dataset, from a fresh read: FiftyOne saves the field list and the
    # saved views whole, so a concurrent analysis would otherwise drop what this one adds.
    with dataset_lock(dataset.name, "schema", progress):
        dataset.reload()
        check_run_writable(dataset, outcome.run_key, overwrite, overwrite_fields)
        mark_unmarked(dataset, names)
        if dataset.has_run(outcome.run_key):
            dataset.delete_run(outcome.run_key)
        write_units(dataset, outcome)
        register_visualization(dataset, outcome, overwrite_fields)
        outcome.saved_views = save_views(
            dataset, names, outcome.regions, outcome.result.clusters, overwrite_fields,
            patches_field,
        )  # fmt: skip
        save_run(dataset, outcome, config)


def write_samples(dataset: fo.Dataset, outcome: AnalysisOutcome) -> None:
    """store_run's ``write_units`` for a run on samples: its sample fields, and the App's colors
    of its regions and clusters."""
    _write_fields(dataset, outcome)
    run_colors(
        dataset, outcome.names, [r["name"] for r in outcome.regions],
        [c["cluster"] for c in outcome.result.clusters],
    )  # fmt: skip


def _per_sample_values(table: EmbeddingTable, result) -> dict[str, list]:
    """Result values for every analyzed sample, in table order (None where not applicable)."""
    n = len(table.ids)
    real_rows = np.flatnonzero(table.domains == defaults.REAL)
    synth_rows = np.flatnonzero(table.domains != defaults.REAL)
    values = {short: [None] * n for short in RESULT_FIELDS}
    region_names = {r["region"]: r["name"] for r in result.regions}
    for j, row in enumerate(real_rows):
        values["cluster"][row] = int(result.cluster_real[j])
        values["gap_score"][row] = float(result.gap_score[j])
        values["uncovered"][row] = bool(result.uncovered[j])
        values["underrepresented"][row] = bool(result.underrepresented[j])
        values["gap_region"][row] = region_names.get(int(result.gap_region[j]))
    for j, row in enumerate(synth_rows):
        values["cluster"][row] = int(result.cluster_synthetic[j])
        values["uncovered"][row] = False
        values["underrepresented"][row] = False
        values["realism"][row] = float(result.realism[j])
        if len(result.support):
            values["real_support"][row] = float(result.support[j])
    if result.labeled is not None:
        values.update(labeled_values(table, result.labeled))
    return values


def _regions_with_samples(table: EmbeddingTable, result) -> list[dict]:
    """Gap regions with ``representative_*`` / ``nearest_synthetic_*`` file paths and sample ids."""
    real_rows = np.flatnonzero(table.domains == defaults.REAL)
    synth_rows = np.flatnonzero(table.domains != defaults.REAL)
    regions = []
    for region in to_jsonable(result.regions):
        rows = {
            "representative": real_rows[np.asarray(region.get("representatives", []), dtype=int)],
            "nearest_synthetic": synth_rows[
                np.asarray(region.get("nearest_synthetic", []), dtype=int)
            ],
        }
        for key, idx in rows.items():
            region[f"{key}_filepaths"] = [table.filepaths[i] for i in idx]
            region[f"{key}_ids"] = [table.ids[i] for i in idx]
        regions.append(region)
    return regions


def named_clusters(table: EmbeddingTable, clusters: list[dict]) -> list[dict]:
    """The cluster rows with ``name`` (their most common class, else their most typical
    sample's file name without extension; repeated names numbered) and that sample's
    ``typical_id`` / ``typical_filepath``."""
    rows = {defaults.REAL: np.flatnonzero(table.domains == defaults.REAL),
            "synthetic": np.flatnonzero(table.domains != defaults.REAL)}  # fmt: skip
    named, seen = [], {}
    for cluster in clusters:
        cluster = dict(cluster)
        typical = cluster.get("typical")
        name = cluster.get("label")
        if typical:
            row = rows[typical["side"]][typical["index"]]
            cluster["typical_id"] = table.ids[row]
            cluster["typical_filepath"] = table.filepaths[row]
            name = name or os.path.splitext(os.path.basename(table.filepaths[row]))[0]
        name = name or f"cluster {cluster['cluster']}"
        seen[name] = seen.get(name, 0) + 1
        cluster["name"] = name if seen[name] == 1 else f"{name} {seen[name]}"
        named.append(cluster)
    return named


def _targets_with_samples(table: EmbeddingTable, result) -> list[dict]:
    """The result's generate_next rows named after their cluster (a region: "gap-1 · <cluster>")
    with the ids and file paths of their example real samples."""
    real_rows = np.flatnonzero(table.domains == defaults.REAL)
    names = {c["cluster"]: c.get("name") for c in result.clusters}
    targets = []
    for row in to_jsonable(result.generate_next):
        holds = names.get(row.get("cluster"))
        if row["kind"] == "region":
            row["name"] = f"{row['name']} · {holds}" if holds else row["name"]
        else:
            row["name"] = holds or f"cluster {row['cluster']}"
        examples = real_rows[np.asarray(row.pop("examples", []), dtype=int)]
        row["example_ids"] = [table.ids[i] for i in examples]
        row["example_filepaths"] = [table.filepaths[i] for i in examples]
        targets.append(row)
    return targets


def umap_points(outcome: AnalysisOutcome) -> np.ndarray:
    """The UMAP point of every analyzed sample, in table order, shape (n, n_components)."""
    result, domains = outcome.result, outcome.table.domains
    points = np.zeros((len(domains), result.umap_real.shape[1]), dtype=float)
    points[domains == defaults.REAL] = result.umap_real
    points[domains != defaults.REAL] = result.umap_synthetic
    return points


def _write_fields(dataset: fo.Dataset, outcome: AnalysisOutcome) -> None:
    names = outcome.names
    analyzed = dataset.select(outcome.table.ids)
    # The run's own tags come off first, while the old values still say which samples it tagged:
    # at any point a call's tag stays on no more than the samples whose field of its name is True.
    for call in CALLS:
        tagged = tagged_by_run(dataset, names, call)
        if tagged is not None:
            tagged.untag_samples(names.call_tag(call))
    for short in outcome.per_sample:
        claim_field(dataset, names.field(short), RUN_FIELDS[short], run=outcome.run_key)
    drop_stale_labeled_fields(dataset, names, outcome.per_sample)
    # Samples analyzed by an earlier run of this key but not by this one lose their old values.
    done = set(outcome.table.ids)
    stale = [i for i in dataset.exists(names.field("cluster")).values("id") if i not in done]
    ids = outcome.table.ids + stale
    columns = {
        names.field(short): values + [None] * len(stale)
        for short, values in outcome.per_sample.items()
    }
    write_columns(dataset, ids, columns)
    for call in CALLS:
        if call in outcome.per_sample:
            analyzed.match(F(names.field(call)) == True).tag_samples(names.call_tag(call))  # noqa: E712


def register_visualization(
    dataset: fo.Dataset, outcome: AnalysisOutcome, overwrite: bool = False
) -> None:
    """Register the UMAP points as brain run ``<run>_umap``, replacing this run's earlier one (a
    user's brain run of that name only with ``overwrite``). For a run on objects the points are
    the patches of its Detections field (the table's rows, grouped by image in table order)."""
    import fiftyone.brain as fob

    names = outcome.names
    key = names.brain_key
    if dataset.has_brain_run(key):
        if not (overwrite or owns_brain_run(dataset, names)):
            raise FieldClashError(
                f"Brain run '{key}' on dataset '{dataset.name}' was not created by synthgap; "
                "choose another run name or pass overwrite to replace it"
            )
        dataset.delete_brain_run(key)
    points = umap_points(outcome)
    patches = {}
    ids = outcome.table.ids
    if outcome.objects is not None:
        patches = {"patches_field": outcome.objects["field"]}
        ids = list(dict.fromkeys(outcome.table.sample_ids))
    fob.compute_visualization(
        dataset.select(ids, ordered=True),
        points=points,
        **patches,
        brain_key=key,
        method="manual",
        num_dims=points.shape[1],
        progress=False,
        **{OWNER_KEY: {"run": outcome.run_key}},  # the mark: stored in the brain run's config
    )


def run_summary(outcome: AnalysisOutcome) -> dict:
    """What the run record stores (JSON-safe): the result's summary (core AnalysisResult.to_dict)
    with the model, the gap regions' example samples, the cluster table and the count of
    unusable embeddings. fo.runs.load_summary reads it back."""
    return to_jsonable(
        {
            **outcome.result.to_dict(),
            "model": outcome.model,
            "layout_share": outcome.layout_share,
            "regions": outcome.regions,
            "clusters": outcome.result.clusters,
            "generate_next": outcome.generate_next,
            "n_non_finite": outcome.table.n_non_finite,
            **(labeled_summary(outcome) if outcome.label_field else {}),
            **({"objects": outcome.objects} if outcome.objects is not None else {}),
        }
    )


def labeled_summary(outcome: AnalysisOutcome) -> dict:
    """What a run with labels stores besides the core result's labeled part: the label field,
    the class map and the class regions with their example samples."""
    return {
        "label_field": outcome.label_field,
        "class_map": outcome.class_map,
        "class_regions": outcome.class_regions,
    }


def save_run(dataset: fo.Dataset, outcome: AnalysisOutcome, config) -> None:
    """Register run ``outcome.run_key`` with its parameters and summary (run_summary)."""
    result = outcome.result
    run_config = dataset.init_run(
        method=METHOD,
        embeddings_field=outcome.embeddings_field,
        model=outcome.model,
        brain_key=outcome.names.brain_key,
        analysis=result.config,
    )
    if dataset.has_run(outcome.run_key):
        dataset.delete_run(outcome.run_key)
    dataset.register_run(outcome.run_key, run_config)
    results = dataset.init_run_results(outcome.run_key, summary=run_summary(outcome))
    dataset.save_run_results(outcome.run_key, results)
