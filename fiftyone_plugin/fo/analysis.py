"""Run the gap analysis on a FiftyOne collection and store everything it finds.

One analysis run (key ``run_key``) owns: result fields on the samples (plain names for the default
run, ``<run_key>_<name>`` for others), a tag for uncovered real samples, a visualization the App's
Embeddings panel lists, a FiftyOne run holding the parameters and metrics, and saved views.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import fiftyone as fo
import numpy as np
from fiftyone import ViewField as F

from .. import defaults
from ..progress import Progress, report, span
from ..serialization import to_jsonable
from .bulk import write_columns
from .fields import check_writable, claim_field
from .locks import dataset_lock
from .samples import EmbeddingTable, domain_view, read_embeddings

#: The run method name that marks FiftyOne runs as synthgap analyses.
METHOD = "synthgap"

#: Result fields written on the samples, by short name (see RunNames.field for the full name).
RESULT_FIELDS = {
    "cluster": fo.IntField,
    "gap_score": fo.FloatField,
    "uncovered": fo.BooleanField,
    "gap_region": fo.StringField,
    "realism": fo.FloatField,
}


@dataclass(frozen=True)
class RunNames:
    """Names of everything one analysis run writes to a dataset."""

    run_key: str

    def field(self, name: str) -> str:
        """Sample field for result ``name`` (cluster, gap_score, ...) of this run."""
        return name if self.run_key == defaults.RUN_KEY else f"{self.run_key}_{name}"

    @property
    def uncovered_tag(self) -> str:
        return self.field(defaults.UNCOVERED_TAG)

    @property
    def brain_key(self) -> str:
        return f"{self.run_key}_umap"

    @property
    def curated_tag(self) -> str:
        """Tag of the synthetic samples a curation of this run kept."""
        return self.field("curated")

    def dropped_tag(self, reason: str) -> str:
        """Tag of the synthetic samples a curation of this run dropped for ``reason``."""
        return self.field(f"curation:dropped:{reason}")

    def curation_tags(self, dataset: fo.Dataset) -> list[str]:
        """The curation tags of this run present on ``dataset``."""
        prefix = self.dropped_tag("")
        return [
            t for t in dataset.distinct("tags") if t == self.curated_tag or t.startswith(prefix)
        ]

    def view(self, name: str) -> str:
        """Saved-view name for ``name`` (e.g. ``synthgap-uncovered``)."""
        return f"{self.run_key}-{name}"

    def owns_view(self, view_name: str) -> bool:
        """True for the saved views this run writes; a user's view is never one of them, even
        when its name starts with the run's."""
        short = view_name.removeprefix(f"{self.run_key}-")
        return short != view_name and (
            short in RUN_VIEWS + CURATION_VIEWS or re.fullmatch(r"gap-\d+", short) is not None
        )

    @property
    def result_fields(self) -> dict[str, type]:
        """Sample field name -> field type, for every result field of this run."""
        return {self.field(short): ftype for short, ftype in RESULT_FIELDS.items()}


@dataclass
class AnalysisOutcome:
    """An analysis run's results together with the samples they belong to (row-aligned)."""

    dataset_name: str
    run_key: str
    embeddings_field: str
    model: str
    table: EmbeddingTable
    result: object  # fiftyone_plugin.core.pipeline.AnalysisResult
    saved_views: list[str] = field(default_factory=list)
    per_sample: dict[str, list] = field(default_factory=dict)
    #: The result's gap regions with the file paths and sample ids of their examples added.
    regions: list[dict] = field(default_factory=list)

    @property
    def names(self) -> RunNames:
        return RunNames(self.run_key)


def analyze(
    samples: fo.core.collections.SampleCollection,
    embeddings_field: str | None = None,
    run_key: str = defaults.RUN_KEY,
    config=None,
    overwrite: bool = False,
    overwrite_fields: bool = False,
    progress: Progress | None = None,
) -> AnalysisOutcome:
    """Analyze the real vs synthetic samples of ``samples`` and store the results.

    ``overwrite`` replaces an earlier run of the same key; ``overwrite_fields`` allows writing to
    user fields that clash with the result field names. Nothing is written if the analysis fails.
    """
    from ..core.pipeline import analyze_embeddings

    dataset = samples._dataset
    names = check_run_writable(dataset, run_key, overwrite, overwrite_fields)
    field_name = embeddings_field or _only_embeddings_field(dataset)
    model = _field_model(dataset, field_name)

    report(progress, 0.0, "reading embeddings")
    table = read_embeddings(samples, field_name)
    _check_table(dataset, samples, field_name, table)
    is_real = table.domains == defaults.REAL
    result = analyze_embeddings(
        table.vectors[is_real],
        table.vectors[~is_real],
        config=config,
        progress=span(progress, 0.05, 0.9),
    )

    report(progress, 0.9, "writing results")
    outcome = AnalysisOutcome(dataset.name, run_key, field_name, model, table, result)
    outcome.per_sample = _per_sample_values(table, result)
    outcome.regions = _regions_with_samples(table, result)
    # One writer at a time per dataset, from a fresh read: FiftyOne saves the field list and the
    # saved views whole, so a concurrent analysis would otherwise drop what this one adds.
    with dataset_lock(dataset.name, "schema", span(progress, 0.9, 0.9)):
        dataset.reload()
        if dataset.has_run(run_key):  # registered again last: a run record means complete results
            dataset.delete_run(run_key)
        _write_fields(dataset, outcome)
        _register_visualization(dataset, outcome)
        outcome.saved_views = _save_views(dataset, names, outcome.regions, result.clusters)
        _save_run(dataset, outcome, config)
    report(progress, 1.0, "analysis stored")
    return outcome


def check_run_writable(
    dataset: fo.Dataset, run_key: str, overwrite: bool = False, overwrite_fields: bool = False
) -> RunNames:
    """Raise ValueError (FieldClashError for fields) if analysis ``run_key`` may not be stored on
    ``dataset``: a bad name, a run of that name that is not synthgap's (never replaced), an
    earlier synthgap run without ``overwrite``, or result fields that are the user's without
    ``overwrite_fields``. Writes nothing; returns the run's names."""
    names = RunNames(defaults.validate_name(run_key, "run name"))
    if dataset.has_run(run_key):
        if run_key not in dataset.list_runs(method=METHOD):
            raise ValueError(
                f"Dataset '{dataset.name}' has a run '{run_key}' that synthgap did not create; "
                "pick another run name"
            )
        if not overwrite:
            raise ValueError(
                f"Dataset '{dataset.name}' already has an analysis run '{run_key}'; pick another "
                "run name or pass overwrite to replace it"
            )
    check_writable(dataset, list(names.result_fields), overwrite_fields)
    return names


def _check_table(dataset: fo.Dataset, samples, field_name: str, table: EmbeddingTable) -> None:
    """Raise ValueError saying what to do when the embeddings read cannot be analyzed: vectors of
    another length than the field's model gives, or a side without usable embeddings."""
    from .fields import field_meta

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
    from .fields import field_meta

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


def _field_model(dataset: fo.Dataset, field_name: str) -> str:
    from .fields import field_meta

    return (field_meta(dataset, field_name) or {}).get("model", "unknown")


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
        values["gap_region"][row] = region_names.get(int(result.gap_region[j]))
    for j, row in enumerate(synth_rows):
        values["cluster"][row] = int(result.cluster_synthetic[j])
        values["uncovered"][row] = False
        values["realism"][row] = float(result.realism[j])
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
    for name, ftype in names.result_fields.items():
        claim_field(dataset, name, ftype, run=outcome.run_key)
    # Samples analyzed by an earlier run of this key but not by this one lose their old values.
    done = set(outcome.table.ids)
    stale = [i for i in dataset.exists(names.field("cluster")).values("id") if i not in done]
    ids = outcome.table.ids + stale
    columns = {
        names.field(short): values + [None] * len(stale)
        for short, values in outcome.per_sample.items()
    }
    write_columns(dataset, ids, columns)
    dataset.untag_samples(names.uncovered_tag)
    analyzed.match(F(names.field("uncovered")) == True).tag_samples(names.uncovered_tag)  # noqa: E712


def _register_visualization(dataset: fo.Dataset, outcome: AnalysisOutcome) -> None:
    import fiftyone.brain as fob

    key = outcome.names.brain_key
    if dataset.has_brain_run(key):
        dataset.delete_brain_run(key)
    points = umap_points(outcome)
    fob.compute_visualization(
        dataset.select(outcome.table.ids, ordered=True),
        points=points,
        brain_key=key,
        method="manual",
        num_dims=points.shape[1],
        progress=False,
    )


def _save_run(dataset: fo.Dataset, outcome: AnalysisOutcome, config) -> None:
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
    summary = to_jsonable(
        {
            **result.to_dict(),
            "regions": outcome.regions,
            "clusters": result.clusters,
            "n_non_finite": outcome.table.n_non_finite,
        }
    )
    results = dataset.init_run_results(outcome.run_key, summary=summary)
    dataset.save_run_results(outcome.run_key, results)


def _save_views(
    dataset: fo.Dataset, names: RunNames, regions: list[dict], clusters: list[dict]
) -> list[str]:
    """(Re)create the run's saved views: uncovered, one per gap region, real-only clusters,
    least realistic synthetic samples (the lowest tenth)."""
    real = dataset.match(F(defaults.DOMAIN_FIELD) == defaults.REAL)
    synthetic = dataset.match(F(defaults.DOMAIN_FIELD) == defaults.SYNTHETIC)
    views = {names.view("uncovered"): real.match_tags(names.uncovered_tag)}
    for region in regions:
        views[names.view(region["name"])] = real.match(
            F(names.field("gap_region")) == region["name"]
        )
    real_only = [c["cluster"] for c in clusters if c["status"] == "real-only"]
    views[names.view("real-only-clusters")] = real.match(F(names.field("cluster")).is_in(real_only))
    scored = synthetic.exists(names.field("realism"))
    views[names.view("least-realistic")] = scored.sort_by(names.field("realism")).limit(
        max(1, len(scored) // 10)
    )
    curation = tuple(names.view(short) for short in CURATION_VIEWS)
    _delete_views(dataset, names, keep=tuple(views) + curation)
    for name, view in views.items():
        dataset.save_view(name, view, overwrite=True)
    return list(views)


def list_analyses(dataset: fo.Dataset) -> list[str]:
    """Keys of the synthgap analysis runs on ``dataset``, oldest first."""
    keys = dataset.list_runs(method=METHOD)
    return sorted(keys, key=lambda k: dataset.get_run_info(k).timestamp)


def load_summary(dataset: fo.Dataset, run_key: str) -> dict:
    """The stored summary (metrics, clusters, regions, diagnosis, config) of analysis ``run_key``."""
    if run_key not in dataset.list_runs(method=METHOD):
        raise ValueError(
            f"Dataset '{dataset.name}' has no synthgap analysis '{run_key}'; "
            f"available: {list_analyses(dataset)}"
        )
    return dataset.load_run_results(run_key).summary


def rename_analysis(dataset: fo.Dataset, run_key: str, new_key: str) -> None:
    """Rename analysis ``run_key``: its run, fields, tag, visualization and saved views."""
    old, new = RunNames(run_key), RunNames(defaults.validate_name(new_key, "run name"))
    if dataset.has_run(new_key):
        raise ValueError(f"Dataset '{dataset.name}' already has a run '{new_key}'")
    summary = load_summary(dataset, run_key)
    check_writable(dataset, list(new.result_fields), overwrite=False)
    for short in RESULT_FIELDS:
        if dataset.has_sample_field(old.field(short)):
            dataset.rename_sample_field(old.field(short), new.field(short))
    dataset.match_tags(old.uncovered_tag).tag_samples(new.uncovered_tag)
    dataset.untag_samples(old.uncovered_tag)
    if dataset.has_brain_run(old.brain_key):
        dataset.rename_brain_run(old.brain_key, new.brain_key)
    dataset.rename_run(run_key, new_key)
    _move_curation(dataset, old, new)
    _delete_views(dataset, old)
    _save_views(dataset, new, summary["regions"], summary["clusters"])


def delete_analysis(dataset: fo.Dataset, run_key: str) -> None:
    """Delete analysis ``run_key`` and everything it wrote (never the embeddings or domains)."""
    names = RunNames(run_key)
    load_summary(dataset, run_key)
    for name in names.result_fields:
        if dataset.has_sample_field(name):
            dataset.delete_sample_field(name)
    dataset.untag_samples([names.uncovered_tag, *names.curation_tags(dataset)])
    if dataset.has_brain_run(names.brain_key):
        dataset.delete_brain_run(names.brain_key)
    dataset.delete_run(run_key)
    _delete_views(dataset, names)


#: Saved views every analysis run writes, by short name (besides one per gap region, gap-<n>).
RUN_VIEWS = ("uncovered", "real-only-clusters", "least-realistic")
#: Saved views a curation of a run writes (see fo/curation.py), by short name.
CURATION_VIEWS = ("curated", "generation-targets")


def _move_curation(dataset: fo.Dataset, old: RunNames, new: RunNames) -> None:
    """Carry a curation of run ``old`` over to ``new``: its tags and its saved views."""
    for tag in old.curation_tags(dataset):
        tagged = dataset.match_tags(tag)
        tagged.tag_samples(new.field(tag[len(old.field("")) :]))
        tagged.untag_samples(tag)
    for short in CURATION_VIEWS:
        if dataset.has_saved_view(old.view(short)):
            info = dataset.get_saved_view_info(old.view(short))
            view = (
                dataset.match_tags(new.curated_tag)
                if short == "curated"
                else dataset.load_saved_view(old.view(short))
            )
            dataset.save_view(new.view(short), view, description=info.get("description"))


def _delete_views(dataset: fo.Dataset, names: RunNames, keep: tuple[str, ...] = ()) -> None:
    for view_name in dataset.list_saved_views():
        if names.owns_view(view_name) and view_name not in keep:
            dataset.delete_saved_view(view_name)


__all__ = [
    "AnalysisOutcome",
    "RunNames",
    "analyze",
    "check_run_writable",
    "delete_analysis",
    "domain_view",
    "list_analyses",
    "load_summary",
    "rename_analysis",
]
