"""Curate the synthetic samples of an analysis run: tag what to keep and why the rest goes, save
views, list where to generate next, export the kept set. Samples are never deleted.

A curation of run ``run_key`` owns the tags ``curated`` and ``curation:dropped:<reason>`` (prefixed
with ``<run_key>_`` for runs other than the default) and the saved views ``<run_key>-curated`` (the
kept synthetic samples) and ``<run_key>-generation-targets`` (example real images of each target,
most needed first).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import fiftyone as fo
import numpy as np
from fiftyone import ViewField as F
from fiftyone.core.utils import to_slug

from .. import defaults
from ..core.curation import CurationConfig, curate
from ..progress import Progress, report, span
from ..report.regions import cluster_name
from .curation_plan import CurationPlan, floats, stored_degenerate
from .fields import FieldClashError
from .object_curation import (
    move_flagged_objects,
    plan_object_curation,
    tag_flagged_objects,
    untag_flagged_objects,
)
from .runs import (
    CURATION_VIEWS,
    RunNames,
    foreign_views,
    is_run_view,
    load_summary,
    owns_field,
    run_views,
    untag_run,
)
from .samples import read_embeddings
from .units import run_units

#: Export formats: name -> FiftyOne dataset type ("auto" picks one, see ``export_type``).
EXPORT_FORMATS = {
    "images": fo.types.ImageDirectory,
    "fiftyone": fo.types.FiftyOneDataset,
    "coco": fo.types.COCODetectionDataset,
}


@dataclass
class CurationOutcome:
    """What a curation did. ``targets``: where to generate next, each with kind (region /
    cluster), source ("analysis": the run's own list; "budget": what this curation's budget
    leaves short beyond it), name, n_real, n_kept, needed and example real images (ids, paths).
    ``notes``: what the curation could not use (an older run), in words. ``objects``: for a run
    on objects (images judged by their objects; targets counted in objects), CurationPlan's and
    ``label_tags``: the tags put on the objects judged bad (object_curation.py)."""

    dataset_name: str
    run_key: str
    n_synthetic: int
    n_kept: int
    budget: int | None
    dropped: dict[str, int]
    targets: list[dict] = field(default_factory=list)
    saved_views: list[str] = field(default_factory=list)
    export_dir: str | None = None
    export_format: str | None = None
    notes: list[str] = field(default_factory=list)
    objects: dict | None = None


def has_curation(dataset: fo.Dataset, run_key: str) -> bool:
    """Whether run ``run_key`` has a curation (its tags or saved views) on ``dataset``."""
    names = RunNames(run_key)
    views = {names.view(short) for short in CURATION_VIEWS}
    return bool(names.curation_tags(dataset)) or bool(views & set(run_views(dataset, names)))


def _foreign_curation_views(dataset: fo.Dataset, names: RunNames) -> list[str]:
    """The user's saved views that saving run ``names``' curation views would replace."""
    ours = {to_slug(names.view(short)) for short in CURATION_VIEWS}
    return [v for v in foreign_views(dataset, names) if to_slug(v) in ours]


def label_fields(samples: fo.core.collections.SampleCollection) -> list[str]:
    """Sample fields holding labels (classifications, detections, ...)."""
    return sorted(samples.get_field_schema(embedded_doc_type=fo.Label))


def export_type(samples, export_format: str = "auto"):
    """The FiftyOne dataset type for ``export_format``: with "auto", a folder of images when the
    samples have no labels, else a FiftyOne dataset (media, labels and fields)."""
    if export_format == "auto":
        export_format = "fiftyone" if label_fields(samples) else "images"
    if export_format not in EXPORT_FORMATS:
        raise ValueError(
            f"Unsupported export format {export_format!r}. The available formats are "
            f"{['auto', *EXPORT_FORMATS]}"
        )
    return export_format, EXPORT_FORMATS[export_format]


def plan_curation(
    samples: fo.core.collections.SampleCollection,
    run_key: str = defaults.RUN_KEY,
    budget: int | None = None,
    config: CurationConfig | None = None,
    progress: Progress | None = None,
) -> CurationPlan:
    """Which synthetic samples of ``samples`` (analyzed by run ``run_key``) a curation keeps and
    why the others go; writes nothing. Real support is judged in the aligned space of the
    analysis (its ``real_support`` field), degenerate images by its ``image_issue`` field. A run
    on objects judges the images by their objects (object_curation.py)."""
    dataset = samples._dataset
    names = RunNames(run_key)
    if run_units(dataset, run_key).is_objects:  # a clear error when the run does not exist
        return plan_object_curation(samples, run_key, budget, config, progress)
    report(progress, 0.0, "reading embeddings")
    embeddings_field = dataset.get_run_info(run_key).config.embeddings_field
    table = read_embeddings(samples, embeddings_field)
    shorts = ["cluster", "realism", "real_support", "image_issue"]
    stored = [s for s in shorts if dataset.has_sample_field(names.field(s))]
    if not {"cluster", "realism"} <= set(stored):
        raise ValueError(
            f"Run '{run_key}' stored no cluster or realism scores on the samples of dataset "
            f"'{dataset.name}': re-run the analysis to curate by it"
        )
    values = dict(zip(stored, dataset.select(table.ids, ordered=True).values(
        [names.field(s) for s in stored]), strict=True))  # fmt: skip
    clusters = values["cluster"]
    analyzed = np.asarray([c is not None for c in clusters], dtype=bool)
    clusters = np.asarray([-1 if c is None else c for c in clusters])
    realism = floats(values["realism"])
    is_real = (table.domains == defaults.REAL) & analyzed
    is_synth = (table.domains == defaults.SYNTHETIC) & analyzed
    if not is_synth.any():
        raise ValueError(f"Run '{run_key}' analyzed none of the synthetic samples given")
    labels, counts = np.unique(clusters[is_real], return_counts=True)
    real_counts = dict(zip(labels.tolist(), counts.tolist(), strict=True))
    notes = []
    support = None
    if "real_support" in values:
        support = floats(values["real_support"])[is_synth]
    else:
        notes.append(f"run '{run_key}' stored no real support in the aligned space (an older "
                     "run): support judged on the raw embeddings; re-run the analysis")  # fmt: skip
    degenerate = stored_degenerate(values, is_synth)
    if degenerate is None:
        notes.append(f"run '{run_key}' stored no image checks: blank or noise images are not "
                     "recognised; re-run the analysis")  # fmt: skip

    report(progress, 0.1, "choosing synthetic samples")
    result = curate(
        table.vectors[is_synth],
        realism[is_synth],
        clusters[is_synth],
        real_counts,
        budget,
        real=table.vectors[is_real],
        support=support,
        degenerate=degenerate,
        config=config,
    )
    ids = np.asarray(table.ids)[is_synth].tolist()
    return CurationPlan(run_key, budget, ids, clusters[is_synth], result, real_counts, notes)


def curate_synthetic(
    samples: fo.core.collections.SampleCollection,
    run_key: str = defaults.RUN_KEY,
    budget: int | None = None,
    *,
    config: CurationConfig | None = None,
    n_examples: int = 4,
    export_dir: str | None = None,
    export_format: str = "auto",
    overwrite: bool = False,
    progress: Progress | None = None,
) -> CurationOutcome:
    """Curate the synthetic samples of ``samples`` analyzed by run ``run_key``.

    Keeps at most ``budget`` synthetic samples (None: no limit) chosen by the strategies of
    ``config`` (see fiftyone_plugin.core.curation and :func:`plan_curation`), tags them, saves
    the views, lists generation targets and, with ``export_dir``, exports the kept samples there.
    ``overwrite`` replaces an earlier curation of the same run; without it one makes this raise
    ValueError.
    """
    dataset = samples._dataset
    names = RunNames(run_key)
    summary = load_summary(dataset, run_key)
    if has_curation(dataset, run_key) and not overwrite:
        raise ValueError(
            f"Run '{run_key}' of dataset '{dataset.name}' already has a curation (tag "
            f"'{names.curated_tag}', view '{names.view('curated')}'); pass overwrite to replace it"
        )
    clashes = _foreign_curation_views(dataset, names)
    if clashes and not overwrite:
        raise FieldClashError(
            f"Saved view(s) {', '.join(map(repr, clashes))} on dataset '{dataset.name}' were not "
            f"created by synthgap; rename them, or pass overwrite to replace them"
        )
    fmt, dataset_type = export_type(samples, export_format) if export_dir else (None, None)
    coco_field = (summary.get("objects") or {}).get("label_field") or detections_field(samples)
    if fmt == "coco" and not coco_field:
        raise ValueError("COCO export needs a detections field; use the 'fiftyone' format instead")
    config = config or CurationConfig()
    plan = plan_curation(samples, run_key, budget, config, span(progress, 0.0, 0.7))
    result, n_targets = plan.result, config.n_targets
    n_synthetic = len(plan.ids)

    report(progress, 0.7, "tagging samples")
    synth_ids = np.asarray(plan.ids)
    untag_curation(dataset, names)  # the earlier curation's tags (a user's same tags stay)
    dataset.select(synth_ids[result.keep].tolist()).tag_samples(names.curated_tag)
    for reason, n in result.counts().items():
        if n:
            ids = synth_ids[result.reasons == reason].tolist()
            dataset.select(ids).tag_samples(names.dropped_tag(reason))
    objects = plan.objects
    if plan.object_ids is not None:
        objects = {**objects, "label_tags": tag_flagged_objects(dataset, names, plan)}

    targets = _targets_with_examples(dataset, run_key, summary, plan, n_targets, n_examples)
    example_ids = list(dict.fromkeys(i for t in targets for i in t["example_ids"]))
    units = run_units(dataset, run_key, summary)
    if units.is_objects:  # the images of the example objects
        example_ids = list(dict.fromkeys(
            units.collection.select(example_ids, ordered=True).values("sample_id")))  # fmt: skip
    kept_view = dataset.match_tags(names.curated_tag)
    noun = "images, by their objects" if units.is_objects else "samples"
    description = f"kept {result.n_kept} of {n_synthetic} synthetic {noun}" + (
        f" (budget {budget})" if budget is not None else ""
    )
    dataset.save_view(
        names.view("curated"),
        kept_view,
        description=names.view_description(description),
        overwrite=True,
    )
    dataset.save_view(
        names.view("generation-targets"),
        dataset.select(example_ids, ordered=True),
        description=names.view_description(
            "example real images of where to generate more synthetic data"
        ),
        overwrite=True,
    )
    saved = [names.view("curated"), names.view("generation-targets")]

    if export_dir:
        report(progress, 0.8, f"exporting {result.n_kept} samples")
        kwargs = {"label_field": coco_field} if fmt == "coco" else {}
        kept_view.export(
            export_dir=os.path.abspath(export_dir),
            dataset_type=dataset_type,
            progress=False,
            **kwargs,
        )
    report(progress, 1.0, f"kept {result.n_kept} synthetic samples")
    return CurationOutcome(
        dataset_name=dataset.name,
        run_key=run_key,
        n_synthetic=n_synthetic,
        n_kept=result.n_kept,
        budget=budget,
        dropped=result.counts(),
        targets=targets,
        saved_views=saved,
        export_dir=os.path.abspath(export_dir) if export_dir else None,
        export_format=fmt,
        notes=plan.notes,
        objects=objects,
    )


def detections_field(samples) -> str | None:
    """The first detections field of ``samples`` (what a COCO export writes), or None."""
    schema = samples.get_field_schema(embedded_doc_type=fo.Detections)
    return next(iter(sorted(schema)), None)


def _targets_with_examples(dataset, run_key, summary, plan, n_targets, n_examples):
    """Where to generate next: the analysis's list (``generate_next`` of the run, source
    "analysis"), then what this curation's budget leaves short in clusters that list does not
    hold yet (source "budget"); each with its kept count and up to ``n_examples`` real units
    (images, or objects of a run on objects)."""
    units = run_units(dataset, run_key, summary)
    real = units.side(defaults.REAL)
    labels, counts = np.unique(plan.result.kept_clusters(plan.clusters), return_counts=True)
    kept = dict(zip(labels.tolist(), counts.tolist(), strict=True))
    cluster_names = {c.get("cluster"): cluster_name(c) for c in summary.get("clusters", [])}
    targets = []
    for row in summary.get("generate_next") or []:
        targets.append({
            "kind": row["kind"], "source": "analysis", "name": row["name"],
            "n_real": int(row["n_real"]), "n_kept": int(kept.get(row.get("cluster"), 0)),
            "needed": int(row["needed"]), "example_ids": row["example_ids"][:n_examples],
            "example_filepaths": row["example_filepaths"][:n_examples],
        })  # fmt: skip
    listed = {row.get("cluster") for row in summary.get("generate_next") or []}
    for row in plan.result.targets:
        if row["cluster"] in listed:
            continue
        members = real.match(F(units.path("cluster")) == row["cluster"])
        ranked = members.sort_by(units.path("gap_score"), reverse=True).limit(n_examples)
        ids, paths = ranked.values(["id", "filepath"])
        name = cluster_names.get(row["cluster"], f"cluster {row['cluster']}")
        targets.append({
            "kind": "cluster", "source": "budget", "name": name, "n_real": int(row["n_real"]),
            "n_kept": int(row["n_kept"]), "needed": int(row["needed"]), "example_ids": ids,
            "example_filepaths": paths,
        })  # fmt: skip
    return targets[: max(n_targets, 0)]


# ---------------------------------------------------------------------------------------------
# A curation's tags and views when its run is renamed or deleted (see manage_runs.py)


def curation_scope(dataset: fo.Dataset, names: RunNames, tag: str):
    """The samples whose ``tag`` (a curation tag of run ``names``) the curation may have put
    there: anywhere for the ``curation:dropped:*`` tags (no one else writes such names), only
    the samples the run analyzed (images, for a run on objects) for the plain ``curated`` tag."""
    if tag != names.curated_tag:
        return dataset
    for short in ("cluster", "n_objects"):
        if owns_field(dataset, names, names.field(short)):
            return dataset.exists(names.field(short))
    return None


def untag_curation(dataset: fo.Dataset, names: RunNames) -> list[str]:
    """Take the curation tags of run ``names`` off the samples (and objects) it tagged; what is
    left."""
    untag_flagged_objects(dataset, names)
    left = (
        untag_run(dataset, curation_scope(dataset, names, tag), tag)
        for tag in names.curation_tags(dataset)
    )
    return [line for line in left if line]


def move_curation(dataset: fo.Dataset, old: RunNames, new: RunNames) -> None:
    """Carry a curation of run ``old`` over to ``new``: its tags and its saved views."""
    move_flagged_objects(dataset, old, new)
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
        if short not in CURATION_VIEWS or not is_run_view(dataset, old, info):
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
