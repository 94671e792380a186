"""Run the gap analysis on a FiftyOne collection and store everything it finds.

One analysis run (key ``run_key``) owns: result fields on the samples (plain names for the default
run, ``<run_key>_<name>`` for others), a tag for uncovered real samples, a visualization the App's
Embeddings panel lists, a FiftyOne run holding the parameters and metrics, and saved views.

Ownership is recorded where it is written, so a run killed half-way still knows what is its own:
fields carry ``field.info["synthgap"]`` (fields.py), the visualization's brain run config carries
``synthgap={"run": run_key}``, saved views end their description with ``(synthgap run 'KEY')``, and
the uncovered tag is on exactly the samples whose ``uncovered`` field is True. Anything else of the
same name is the user's: it is never replaced or deleted unless the caller passes an explicit
overwrite option, and a clash is refused before anything is written (FieldClashError).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import fiftyone as fo
import numpy as np
from fiftyone import ViewField as F

from .. import defaults
from ..progress import Progress, report, span
from ..serialization import to_jsonable
from .bulk import write_columns
from .fields import OWNER_KEY, FieldClashError, check_writable, claim_field, field_meta
from .locks import dataset_lock
from .samples import EmbeddingTable, domain_view, read_embeddings

logger = logging.getLogger(__name__)

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
        """True for the names of the saved views this run writes; a user's view of another name
        is never one of them, even when its name starts with the run's. (A view of one of these
        names is the run's only if its description carries the run's mark: see ``is_marked``.)"""
        short = view_name.removeprefix(f"{self.run_key}-")
        return short != view_name and (
            short in RUN_VIEWS + CURATION_VIEWS or re.fullmatch(r"gap-\d+", short) is not None
        )

    def may_replace_view(self, view_name: str) -> bool:
        """True if saving this run's views could replace saved view ``view_name``: one of its
        names, or a name FiftyOne treats as the same (same URL slug, e.g. "Synthgap Uncovered")."""
        from fiftyone.core.utils import to_slug

        slug = to_slug(view_name)
        fixed = {to_slug(self.view(short)) for short in RUN_VIEWS + CURATION_VIEWS}
        gap = to_slug(self.view("gap-0"))[:-1]
        return (
            self.owns_view(view_name)
            or slug in fixed
            or re.fullmatch(re.escape(gap) + r"\d+", slug) is not None
        )

    @property
    def view_mark(self) -> str:
        """What ends the description of every saved view this run writes."""
        return f"(synthgap run '{self.run_key}')"

    def view_description(self, text: str) -> str:
        """The description of a saved view of this run: ``text`` and the run's mark."""
        return f"{text} {self.view_mark}"

    def is_marked(self, description: str | None) -> bool:
        """Whether a saved view's ``description`` carries this run's mark."""
        return bool(description) and description.endswith(self.view_mark)

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

    ``overwrite`` replaces an earlier run of the same key; ``overwrite_fields`` allows replacing
    what the user created under the names the run writes: result fields, the ``uncovered`` tag,
    saved views and the ``<run_key>_umap`` visualization (FieldClashError names them otherwise).
    Nothing is written if the analysis fails or a name clashes.
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
        check_run_writable(dataset, run_key, overwrite, overwrite_fields)  # again, under the lock
        _mark_unmarked(dataset, names)
        if dataset.has_run(run_key):  # registered again last: a run record means complete results
            dataset.delete_run(run_key)
        _write_fields(dataset, outcome)
        _register_visualization(dataset, outcome, overwrite_fields)
        outcome.saved_views = _save_views(
            dataset, names, outcome.regions, result.clusters, overwrite_fields
        )
        _save_run(dataset, outcome, config)
    report(progress, 1.0, "analysis stored")
    return outcome


def check_run_writable(
    dataset: fo.Dataset, run_key: str, overwrite: bool = False, overwrite_fields: bool = False
) -> RunNames:
    """Raise ValueError (FieldClashError for the user's things) if analysis ``run_key`` may not be
    stored on ``dataset``: a bad name, a run of that name that is not synthgap's (never
    replaced), an earlier synthgap run without ``overwrite``, or result fields, saved views, a
    visualization or an ``uncovered`` tag of the run's names that the user created, without
    ``overwrite_fields`` (see ``check_names_free``). Writes nothing; returns the run's names."""
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
    check_names_free(dataset, names, overwrite_fields)
    return names


def check_names_free(dataset: fo.Dataset, names: RunNames, overwrite: bool = False) -> None:
    """Raise FieldClashError, naming them, if anything the run ``names`` writes exists on
    ``dataset`` and was not written by that run: result fields, saved views (by name or by URL
    slug), the ``<run>_umap`` brain run, or the ``uncovered`` tag on samples the run did not tag.
    ``overwrite`` allows replacing them all. Writes nothing."""
    check_writable(dataset, list(names.result_fields), overwrite)
    if overwrite:
        return
    clashes = [f"saved view '{v}'" for v in foreign_views(dataset, names)]
    if dataset.has_brain_run(names.brain_key) and not owns_brain_run(dataset, names):
        clashes.append(f"brain run (visualization) '{names.brain_key}'")
    n_tagged = foreign_tagged(dataset, names)
    if n_tagged:
        clashes.append(f"tag '{names.uncovered_tag}' on {n_tagged} sample(s)")
    if clashes:
        raise FieldClashError(
            f"Dataset '{dataset.name}' already has {', '.join(clashes)}, not created by synthgap "
            f"run '{names.run_key}'; choose another run name or pass overwrite to replace them"
        )


def foreign_views(dataset: fo.Dataset, names: RunNames) -> list[str]:
    """Saved views that saving run ``names``' views could replace but that the run did not write
    (the user's, or older ones without the run's mark)."""
    return [
        v["name"]
        for v in dataset.list_saved_views(info=True)
        if names.may_replace_view(v["name"]) and not _is_run_view(dataset, names, v)
    ]


def run_views(dataset: fo.Dataset, names: RunNames) -> list[str]:
    """The saved views run ``names`` wrote (its names and its mark)."""
    return [
        v["name"] for v in dataset.list_saved_views(info=True) if _is_run_view(dataset, names, v)
    ]


def _is_run_view(dataset: fo.Dataset, names: RunNames, info: dict) -> bool:
    """One of the run's view names, and the run's mark, or (views saved before the mark existed)
    no description and last changed before the run's own record, which an analysis stores after
    its views: such a view is one that run wrote, or replaced when it ran."""
    if not names.owns_view(info["name"]):
        return False
    if names.is_marked(info.get("description")):
        return True
    if info.get("description") or names.run_key not in dataset.list_runs(method=METHOD):
        return False
    saved = dataset._get_saved_view_doc(info["name"]).last_modified_at
    return saved <= dataset.get_run_info(names.run_key).timestamp


def owns_brain_run(dataset: fo.Dataset, names: RunNames) -> bool:
    """Whether brain run ``<run>_umap`` exists and synthgap created it: its config carries
    synthgap's mark, or (runs stored before the mark) the run's own record names it and is not
    older than it (an analysis registers its visualization first)."""
    key = names.brain_key
    if not dataset.has_brain_run(key):
        return False
    info = dataset.get_brain_info(key)
    if isinstance(getattr(info.config, OWNER_KEY, None), dict):
        return True
    if names.run_key not in dataset.list_runs(method=METHOD):
        return False
    run = dataset.get_run_info(names.run_key)
    return getattr(run.config, "brain_key", None) == key and info.timestamp <= run.timestamp


def owns_field(dataset: fo.Dataset, names: RunNames, name: str) -> bool:
    """Whether sample field ``name`` exists and synthgap created it for run ``names``."""
    meta = field_meta(dataset, name)
    return meta is not None and meta.get("run", names.run_key) == names.run_key


def tagged_by_run(dataset: fo.Dataset, names: RunNames):
    """The samples run ``names`` tagged ``uncovered``: those whose ``uncovered`` field (the
    run's) is True; None if the run has no such field."""
    uncovered = names.field("uncovered")
    if not owns_field(dataset, names, uncovered):
        return None
    return dataset.match(F(uncovered) == True)  # noqa: E712 (a database expression)


def foreign_tagged(dataset: fo.Dataset, names: RunNames) -> int:
    """How many samples carry run ``names``' uncovered tag without the run having put it there."""
    tagged = dataset.match_tags(names.uncovered_tag)
    if not dataset.has_sample_field(names.field("uncovered")):
        return len(tagged)
    if not owns_field(dataset, names, names.field("uncovered")):
        return len(tagged)
    return len(tagged.match(F(names.field("uncovered")) != True))  # noqa: E712


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
    # The run's own tags come off first, while the old values still say which samples it tagged:
    # at any point the tag stays on no more than the samples whose `uncovered` is True.
    tagged = tagged_by_run(dataset, names)
    if tagged is not None:
        tagged.untag_samples(names.uncovered_tag)
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
    analyzed.match(F(names.field("uncovered")) == True).tag_samples(names.uncovered_tag)  # noqa: E712


def _register_visualization(
    dataset: fo.Dataset, outcome: AnalysisOutcome, overwrite: bool = False
) -> None:
    """Register the UMAP points as brain run ``<run>_umap``, replacing this run's earlier one (a
    user's brain run of that name only with ``overwrite``)."""
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
    fob.compute_visualization(
        dataset.select(outcome.table.ids, ordered=True),
        points=points,
        brain_key=key,
        method="manual",
        num_dims=points.shape[1],
        progress=False,
        **{OWNER_KEY: {"run": outcome.run_key}},  # the mark: stored in the brain run's config
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
    dataset: fo.Dataset,
    names: RunNames,
    regions: list[dict],
    clusters: list[dict],
    overwrite: bool = False,
) -> list[str]:
    """(Re)create the run's saved views: uncovered, one per gap region, real-only clusters,
    least realistic synthetic samples (the lowest tenth). Each carries the run's mark in its
    description; a user's view of the same name (or slug) is replaced only with ``overwrite``."""
    real = dataset.match(F(defaults.DOMAIN_FIELD) == defaults.REAL)
    synthetic = dataset.match(F(defaults.DOMAIN_FIELD) == defaults.SYNTHETIC)
    views = {
        names.view("uncovered"): (
            real.match_tags(names.uncovered_tag),
            "real samples no synthetic sample covers",
        )
    }
    for region in regions:
        views[names.view(region["name"])] = (
            real.match(F(names.field("gap_region")) == region["name"]),
            f"real samples of gap region {region['name']}",
        )
    real_only = [c["cluster"] for c in clusters if c["status"] == "real-only"]
    views[names.view("real-only-clusters")] = (
        real.match(F(names.field("cluster")).is_in(real_only)),
        "real samples of clusters without synthetic samples",
    )
    scored = synthetic.exists(names.field("realism"))
    views[names.view("least-realistic")] = (
        scored.sort_by(names.field("realism")).limit(max(1, len(scored) // 10)),
        "the least realistic tenth of the synthetic samples",
    )
    clashes = [v for v in foreign_views(dataset, names) if _replaces(v, views)]
    if clashes and not overwrite:
        raise FieldClashError(
            f"Saved view(s) {', '.join(map(repr, clashes))} on dataset '{dataset.name}' were not "
            f"created by synthgap run '{names.run_key}'; choose another run name or pass "
            "overwrite to replace them"
        )
    curation = tuple(names.view(short) for short in CURATION_VIEWS)
    _delete_views(dataset, names, keep=tuple(views) + curation)
    for name, (view, text) in views.items():
        dataset.save_view(name, view, description=names.view_description(text), overwrite=True)
    return list(views)


def _replaces(view_name: str, names: dict | list) -> bool:
    """Whether saving views named ``names`` replaces saved view ``view_name`` (same name or slug)."""
    from fiftyone.core.utils import to_slug

    return to_slug(view_name) in {to_slug(n) for n in names}


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


def rename_analysis(
    dataset: fo.Dataset, run_key: str, new_key: str, overwrite: bool = False
) -> list[str]:
    """Rename analysis ``run_key``: its run, fields, tag, visualization, curation and saved views.

    What the user created under the new names (fields, saved views, a ``<new_key>_umap`` brain
    run, the new uncovered tag) is refused with FieldClashError before anything changes, unless
    ``overwrite``. Only what the run owns is renamed; returns what of the old names is not the
    run's and was left alone (also logged as a warning).
    """
    old, new = RunNames(run_key), RunNames(defaults.validate_name(new_key, "run name"))
    if dataset.has_run(new_key):
        raise ValueError(f"Dataset '{dataset.name}' already has a run '{new_key}'")
    summary = load_summary(dataset, run_key)
    check_names_free(dataset, new, overwrite)
    fields = {
        short: owns_field(dataset, old, old.field(short))
        for short in RESULT_FIELDS
        if dataset.has_sample_field(old.field(short))
    }
    kept = [f"field '{old.field(s)}'" for s, ours in fields.items() if not ours]
    tagged = tagged_by_run(dataset, old)
    if tagged is not None:
        tagged.tag_samples(new.uncovered_tag)
        tagged.untag_samples(old.uncovered_tag)
    for short, ours in fields.items():
        if ours:
            if dataset.has_sample_field(new.field(short)):  # the user's: allowed by overwrite
                dataset.delete_sample_field(new.field(short))
            dataset.rename_sample_field(old.field(short), new.field(short))
            claim_field(dataset, new.field(short), RESULT_FIELDS[short], run=new_key)
    if owns_brain_run(dataset, old):
        if dataset.has_brain_run(new.brain_key):  # the user's: allowed by overwrite
            dataset.delete_brain_run(new.brain_key)
        dataset.rename_brain_run(old.brain_key, new.brain_key)
        _mark_brain_run(dataset, new)
    elif dataset.has_brain_run(old.brain_key):
        kept.append(f"brain run '{old.brain_key}'")
    dataset.rename_run(run_key, new_key)
    config = dataset.get_run_info(new_key).config
    config.brain_key = new.brain_key
    dataset.update_run_config(new_key, config)
    _move_curation(dataset, old, new)
    _delete_views(dataset, old)
    _save_views(dataset, new, summary["regions"], summary["clusters"], overwrite)
    kept += [f"saved view '{v}'" for v in foreign_views(dataset, old)]
    if dataset.match_tags(old.uncovered_tag).count():
        kept.append(f"tag '{old.uncovered_tag}'")
    _warn_kept(dataset, f"Renamed run '{run_key}' to '{new_key}'", kept)
    return kept


def delete_analysis(dataset: fo.Dataset, run_key: str) -> list[str]:
    """Delete analysis ``run_key`` and everything it wrote (never the embeddings or domains).

    Only what the run owns goes: its fields (marked by synthgap for this run), its uncovered tag
    (on the samples it marked uncovered), its curation's tags, its saved views (carrying its mark)
    and its brain run. Anything of those names that is not the run's stays; the list of those is
    returned (and logged as a warning). The run record goes last, so an interrupted delete can be
    run again.
    """
    names = RunNames(run_key)
    load_summary(dataset, run_key)
    kept = []
    tagged = tagged_by_run(dataset, names)
    if tagged is not None:
        tagged.untag_samples(names.uncovered_tag)
    n_left = dataset.match_tags(names.uncovered_tag).count()
    if n_left:
        kept.append(f"tag '{names.uncovered_tag}' on {n_left} sample(s) synthgap did not tag")
    kept += _untag_curation(dataset, names)
    for view_name in run_views(dataset, names):
        dataset.delete_saved_view(view_name)
    kept += [f"saved view '{v}'" for v in foreign_views(dataset, names)]
    if owns_brain_run(dataset, names):
        dataset.delete_brain_run(names.brain_key)
    elif dataset.has_brain_run(names.brain_key):
        kept.append(f"brain run '{names.brain_key}'")
    for name in names.result_fields:
        if owns_field(dataset, names, name):
            dataset.delete_sample_field(name)
        elif dataset.has_sample_field(name):
            kept.append(f"field '{name}'")
    dataset.delete_run(run_key)
    _warn_kept(dataset, f"Deleted run '{run_key}'", kept)
    return kept


def _warn_kept(dataset: fo.Dataset, done: str, kept: list[str]) -> None:
    if kept:
        logger.warning(
            "%s of dataset '%s'; left alone, as synthgap did not create them: %s",
            done,
            dataset.name,
            ", ".join(kept),
        )


def curation_scope(dataset: fo.Dataset, names: RunNames, tag: str):
    """The samples whose ``tag`` (a curation tag of run ``names``) the curation may have put
    there: anywhere for the ``curation:dropped:*`` tags (no one else writes such names), only
    the samples the run analyzed for the plain ``curated`` tag."""
    if tag != names.curated_tag:
        return dataset
    cluster = names.field("cluster")
    return dataset.exists(cluster) if owns_field(dataset, names, cluster) else None


def _untag_curation(dataset: fo.Dataset, names: RunNames) -> list[str]:
    """Take the curation tags of run ``names`` off the samples it tagged; what is left."""
    kept = []
    for tag in names.curation_tags(dataset):
        scope = curation_scope(dataset, names, tag)
        if scope is not None:
            scope.untag_samples(tag)
        n_left = dataset.match_tags(tag).count()
        if n_left:
            kept.append(f"tag '{tag}' on {n_left} sample(s) synthgap did not tag")
    return kept


def _mark_unmarked(dataset: fo.Dataset, names: RunNames) -> None:
    """Mark the saved views and visualization an earlier synthgap version wrote for run ``names``
    without marks (recognised through the run's record), before that record is replaced."""
    for name in run_views(dataset, names):
        if not names.is_marked(dataset.get_saved_view_info(name).get("description")):
            text = names.view_description("saved by an earlier synthgap version")
            dataset.update_saved_view_info(name, {"description": text})
    if owns_brain_run(dataset, names):
        config = dataset.get_brain_info(names.brain_key).config
        if not isinstance(getattr(config, OWNER_KEY, None), dict):
            _mark_brain_run(dataset, names)


def _mark_brain_run(dataset: fo.Dataset, names: RunNames) -> None:
    """Record in brain run ``<run>_umap``'s config that run ``names`` owns it."""
    from fiftyone.core.brain import BrainMethod

    config = dataset.get_brain_info(names.brain_key).config
    setattr(config, OWNER_KEY, {"run": names.run_key})
    BrainMethod.update_run_config(dataset, names.brain_key, config)


#: Saved views every analysis run writes, by short name (besides one per gap region, gap-<n>).
RUN_VIEWS = ("uncovered", "real-only-clusters", "least-realistic")
#: Saved views a curation of a run writes (see fo/curation.py), by short name.
CURATION_VIEWS = ("curated", "generation-targets")


def _move_curation(dataset: fo.Dataset, old: RunNames, new: RunNames) -> None:
    """Carry a curation of run ``old`` over to ``new``: its tags and its saved views."""
    for tag in old.curation_tags(dataset):
        new_tag = new.field(tag[len(old.field("")) :])
        scope = curation_scope(dataset, new, new_tag)  # the run's fields have their new names
        if scope is None:
            continue
        tagged = scope.match_tags(tag)
        tagged.tag_samples(new_tag)
        tagged.untag_samples(tag)
    for info in dataset.list_saved_views(info=True):
        short = info["name"].removeprefix(f"{old.run_key}-")
        if short not in CURATION_VIEWS or not _is_run_view(dataset, old, info):
            continue
        view = (
            dataset.match_tags(new.curated_tag)
            if short == "curated"
            else dataset.load_saved_view(info["name"])
        )
        text = info["description"].removesuffix(old.view_mark).rstrip()
        # a user's view of the new name was refused before (check_names_free) unless overwrite
        dataset.save_view(
            new.view(short), view, description=new.view_description(text), overwrite=True
        )


def _delete_views(dataset: fo.Dataset, names: RunNames, keep: tuple[str, ...] = ()) -> None:
    """Delete the saved views run ``names`` wrote (never a user's), but those in ``keep``."""
    for view_name in run_views(dataset, names):
        if view_name not in keep:
            dataset.delete_saved_view(view_name)


__all__ = [
    "AnalysisOutcome",
    "RunNames",
    "analyze",
    "check_names_free",
    "check_run_writable",
    "delete_analysis",
    "domain_view",
    "list_analyses",
    "load_summary",
    "rename_analysis",
]
