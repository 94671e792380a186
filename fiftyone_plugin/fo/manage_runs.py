"""Rename or delete a stored analysis run: only what the run owns (see runs.py) changes; what the
user created under the same names stays, and is reported."""

from __future__ import annotations

import logging

import fiftyone as fo

from .. import defaults
from .curation import move_curation, untag_curation
from .fields import claim_field
from .object_results import rename_objects
from .run_views import delete_run_views, save_views
from .runs import (
    CALLS,
    RUN_FIELDS,
    RunNames,
    check_names_free,
    foreign_views,
    load_summary,
    mark_brain_run,
    owns_brain_run,
    owns_field,
    run_views,
    tagged_by_run,
    untag_run,
)

logger = logging.getLogger(__name__)


def rename_analysis(
    dataset: fo.Dataset, run_key: str, new_key: str, overwrite: bool = False
) -> list[str]:
    """Rename analysis ``run_key``: its run, fields, tags, visualization, curation and saved views.

    What the user created under the new names (fields, saved views, a ``<new_key>_umap`` brain
    run, the new calls' tags) is refused with FieldClashError before anything changes, unless
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
        for short in RUN_FIELDS
        if dataset.has_sample_field(old.field(short))
    }
    kept = [f"field '{old.field(s)}'" for s, ours in fields.items() if not ours]
    for call in CALLS:
        tagged = tagged_by_run(dataset, old, call)
        if tagged is not None:
            tagged.tag_samples(new.call_tag(call))
            tagged.untag_samples(old.call_tag(call))
    for short, ours in fields.items():
        if ours:
            if dataset.has_sample_field(new.field(short)):  # the user's: allowed by overwrite
                dataset.delete_sample_field(new.field(short))
            dataset.rename_sample_field(old.field(short), new.field(short))
            claim_field(dataset, new.field(short), RUN_FIELDS[short], run=new_key)
    if owns_brain_run(dataset, old):
        if dataset.has_brain_run(new.brain_key):  # the user's: allowed by overwrite
            dataset.delete_brain_run(new.brain_key)
        dataset.rename_brain_run(old.brain_key, new.brain_key)
        mark_brain_run(dataset, new)
    elif dataset.has_brain_run(old.brain_key):
        kept.append(f"brain run '{old.brain_key}'")
    dataset.rename_run(run_key, new_key)
    config = dataset.get_run_info(new_key).config
    config.brain_key = new.brain_key
    dataset.update_run_config(new_key, config)
    patches_field = rename_objects(dataset, new, summary)
    move_curation(dataset, old, new)
    delete_run_views(dataset, old)
    save_views(dataset, new, summary["regions"], summary["clusters"], overwrite, patches_field)
    kept += [f"saved view '{v}'" for v in foreign_views(dataset, old)]
    kept += [
        f"tag '{old.call_tag(c)}'" for c in CALLS if dataset.match_tags(old.call_tag(c)).count()
    ]
    _warn_kept(dataset, f"Renamed run '{run_key}' to '{new_key}'", kept)
    return kept


def delete_analysis(dataset: fo.Dataset, run_key: str) -> list[str]:
    """Delete analysis ``run_key`` and everything it wrote (never the embeddings or domains).

    Only what the run owns goes: its fields (marked by synthgap for this run), its calls' tags
    (on the samples it marked uncovered or underrepresented), its curation's tags, its saved views (carrying its mark)
    and its brain run. Anything of those names that is not the run's stays; the list of those is
    returned (and logged as a warning). The run record goes last, so an interrupted delete can be
    run again.
    """
    names = RunNames(run_key)
    load_summary(dataset, run_key)
    left = (
        untag_run(dataset, tagged_by_run(dataset, names, call), names.call_tag(call))
        for call in CALLS
    )
    kept = [line for line in left if line]
    kept += untag_curation(dataset, names)
    for view_name in run_views(dataset, names):
        dataset.delete_saved_view(view_name)
    kept += [f"saved view '{v}'" for v in foreign_views(dataset, names)]
    if owns_brain_run(dataset, names):
        dataset.delete_brain_run(names.brain_key)
    elif dataset.has_brain_run(names.brain_key):
        kept.append(f"brain run '{names.brain_key}'")
    for name in [*names.result_fields, *names.labeled_fields, *names.object_fields]:
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
