"""An analysis run's names, which of the things of those names are the run's own, and its record.

One analysis run (key ``run_key``) owns: result fields on the samples (plain names for the default
run, ``<run_key>_<name>`` for others), a tag per tier of calls on real samples (uncovered,
underrepresented), a visualization the App's
Embeddings panel lists, a FiftyOne run holding the parameters and metrics, and saved views (and,
once curated, the curation's tags and views: see curation.py).

Ownership is recorded where it is written, so a run killed half-way still knows what is its own:
fields carry ``field.info["synthgap"]`` (fields.py), the visualization's brain run config carries
``synthgap={"run": run_key}``, saved views end their description with ``(synthgap run 'KEY')``, and
each call's tag (uncovered, underrepresented) is on exactly the samples whose field of that name is
True. Anything else of the
same name is the user's: it is never replaced or deleted unless the caller passes an explicit
overwrite option, and a clash is refused before anything is written (FieldClashError).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import fiftyone as fo
from fiftyone import ViewField as F
from fiftyone.core.utils import to_slug

from .. import defaults
from .fields import OWNER_KEY, FieldClashError, check_writable, field_meta

#: The run method name that marks FiftyOne runs as synthgap analyses.
METHOD = "synthgap"

#: Result fields written on the samples, by short name (see RunNames.field for the full name).
RESULT_FIELDS = {
    "cluster": fo.IntField,
    "gap_score": fo.FloatField,
    "uncovered": fo.BooleanField,
    "underrepresented": fo.BooleanField,
    "gap_region": fo.StringField,
    "realism": fo.FloatField,
    "real_support": fo.FloatField,
    "image_issue": fo.StringField,
}

#: Fields a run with labels adds (see class_results.py): the class each sample was analyzed as,
#: the gap results within that class and the synthetic-trained probe's class (real samples),
#: and how well real data supports each synthetic sample's label.
LABELED_FIELDS = {
    "label_class": fo.StringField,
    "class_gap_score": fo.FloatField,
    "class_uncovered": fo.BooleanField,
    "class_gap_region": fo.StringField,
    "probe_class": fo.StringField,
    "label_support": fo.FloatField,
}
#: Fields a run on objects writes instead of RESULT_FIELDS (see object_results.py): its own
#: Detections field (a copy of every analyzed box with the object's results) and, on the images,
#: the number of analyzed objects, of uncovered real ones and the least realism of synthetic ones.
OBJECT_FIELDS = {
    "patches": fo.EmbeddedDocumentField,
    "n_objects": fo.IntField,
    "n_uncovered_objects": fo.IntField,
    "min_object_realism": fo.FloatField,
}
#: The calls on real samples (defaults.CALLS; the tiers of coverage.GapDetector).
CALLS = defaults.CALLS
#: Every field a run may write.
RUN_FIELDS = {**RESULT_FIELDS, **LABELED_FIELDS, **OBJECT_FIELDS}

#: Saved views every analysis run writes, by short name (besides one per gap region, gap-<n>);
#: a run on objects also writes the images holding its least realistic objects.
RUN_VIEWS = (*CALLS, "real-only-clusters", "least-realistic", "least-realistic-images")
#: Saved views a curation of a run writes (see curation.py), by short name.
CURATION_VIEWS = ("curated", "generation-targets")


@dataclass(frozen=True)
class RunNames:
    """Names of everything one analysis run writes to a dataset."""

    run_key: str

    def field(self, name: str) -> str:
        """Sample field for result ``name`` (cluster, gap_score, ...) of this run."""
        return name if self.run_key == defaults.RUN_KEY else f"{self.run_key}_{name}"

    @property
    def uncovered_tag(self) -> str:
        return self.call_tag(defaults.UNCOVERED_TAG)

    def call_tag(self, call: str) -> str:
        """Tag of the real samples of call ``call`` (one of CALLS) of this run."""
        return self.field(call)

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
        """Sample field name -> field type, for every result field of this run (written by
        every run; a run with labels writes ``labeled_fields`` too)."""
        return {self.field(short): ftype for short, ftype in RESULT_FIELDS.items()}

    @property
    def labeled_fields(self) -> dict[str, type]:
        """The same for the fields only a run with labels writes (LABELED_FIELDS)."""
        return {self.field(short): ftype for short, ftype in LABELED_FIELDS.items()}

    @property
    def object_fields(self) -> dict[str, type]:
        """The same for the fields only a run on objects writes (OBJECT_FIELDS)."""
        return {self.field(short): ftype for short, ftype in OBJECT_FIELDS.items()}


# ---------------------------------------------------------------------------------------------
# The run record


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


# ---------------------------------------------------------------------------------------------
# May a run of these names be written?


def check_run_writable(
    dataset: fo.Dataset, run_key: str, overwrite: bool = False, overwrite_fields: bool = False
) -> RunNames:
    """Raise ValueError (FieldClashError for the user's things) if analysis ``run_key`` may not be
    stored on ``dataset``: a bad name, a run of that name that is not synthgap's (never
    replaced), an earlier synthgap run without ``overwrite``, or result fields, saved views, a
    visualization or a call's tag (uncovered, underrepresented) of the run's names that the user
    created, without
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
    slug), the ``<run>_umap`` brain run, or a call's tag on samples the run did not tag.
    ``overwrite`` allows replacing them all. Writes nothing."""
    check_writable(
        dataset, [*names.result_fields, *names.labeled_fields, *names.object_fields], overwrite
    )
    if overwrite:
        return
    clashes = [f"saved view '{v}'" for v in foreign_views(dataset, names)]
    if dataset.has_brain_run(names.brain_key) and not owns_brain_run(dataset, names):
        clashes.append(f"brain run (visualization) '{names.brain_key}'")
    for call in CALLS:
        n_tagged = foreign_tagged(dataset, names, call)
        if n_tagged:
            clashes.append(f"tag '{names.call_tag(call)}' on {n_tagged} sample(s)")
    if clashes:
        raise FieldClashError(
            f"Dataset '{dataset.name}' already has {', '.join(clashes)}, not created by synthgap "
            f"run '{names.run_key}'; choose another run name or pass overwrite to replace them"
        )


# ---------------------------------------------------------------------------------------------
# Which things of the run's names are its own


def foreign_views(dataset: fo.Dataset, names: RunNames) -> list[str]:
    """Saved views that saving run ``names``' views could replace but that the run did not write
    (the user's, or older ones without the run's mark)."""
    return [
        v["name"]
        for v in dataset.list_saved_views(info=True)
        if names.may_replace_view(v["name"]) and not is_run_view(dataset, names, v)
    ]


def run_views(dataset: fo.Dataset, names: RunNames) -> list[str]:
    """The saved views run ``names`` wrote (its names and its mark)."""
    return [
        v["name"] for v in dataset.list_saved_views(info=True) if is_run_view(dataset, names, v)
    ]


def is_run_view(dataset: fo.Dataset, names: RunNames, info: dict) -> bool:
    """Whether the saved view of ``info`` (an item of ``list_saved_views(info=True)``) is run
    ``names``': one of the run's view names, and the run's mark, or (views saved before the mark
    existed) no description and last changed before the run's own record, which an analysis
    stores after its views: such a view is one that run wrote, or replaced when it ran."""
    if not names.owns_view(info["name"]):
        return False
    if names.is_marked(info.get("description")):
        return True
    if info.get("description") or names.run_key not in dataset.list_runs(method=METHOD):
        return False
    saved = dataset._get_saved_view_doc(info["name"]).last_modified_at
    return saved <= dataset.get_run_info(names.run_key).timestamp


def replaces_view(view_name: str, names) -> bool:
    """Whether saving views named ``names`` replaces saved view ``view_name`` (same name or slug)."""
    return to_slug(view_name) in {to_slug(n) for n in names}


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


def tagged_by_run(dataset: fo.Dataset, names: RunNames, call: str = defaults.UNCOVERED_TAG):
    """The samples run ``names`` tagged with call ``call`` (one of CALLS): those whose field of
    that name (the run's) is True; None if the run has no such field."""
    flag = names.field(call)
    if not owns_field(dataset, names, flag):
        return None
    return dataset.match(F(flag) == True)  # noqa: E712 (a database expression)


def foreign_tagged(dataset: fo.Dataset, names: RunNames, call: str = defaults.UNCOVERED_TAG) -> int:
    """How many samples carry run ``names``' tag of call ``call`` without the run having put it
    there."""
    tagged = dataset.match_tags(names.call_tag(call))
    flag = names.field(call)
    if not dataset.has_sample_field(flag) or not owns_field(dataset, names, flag):
        return len(tagged)
    return len(tagged.match(F(flag) != True))  # noqa: E712


def untag_run(dataset: fo.Dataset, scope, tag: str) -> str | None:
    """Take ``tag`` off the samples of ``scope`` (those a run may have tagged it on; None: none);
    a line naming what still carries it (samples synthgap did not tag), or None."""
    if scope is not None:
        scope.untag_samples(tag)
    n_left = dataset.match_tags(tag).count()
    return f"tag '{tag}' on {n_left} sample(s) synthgap did not tag" if n_left else None


# ---------------------------------------------------------------------------------------------
# Marks


def mark_brain_run(dataset: fo.Dataset, names: RunNames) -> None:
    """Record in brain run ``<run>_umap``'s config that run ``names`` owns it."""
    from fiftyone.core.brain import BrainMethod

    config = dataset.get_brain_info(names.brain_key).config
    setattr(config, OWNER_KEY, {"run": names.run_key})
    BrainMethod.update_run_config(dataset, names.brain_key, config)


def mark_unmarked(dataset: fo.Dataset, names: RunNames) -> None:
    """Mark the saved views and visualization an earlier synthgap version wrote for run ``names``
    without marks (recognised through the run's record), before that record is replaced."""
    for name in run_views(dataset, names):
        if not names.is_marked(dataset.get_saved_view_info(name).get("description")):
            text = names.view_description("saved by an earlier synthgap version")
            dataset.update_saved_view_info(name, {"description": text})
    if owns_brain_run(dataset, names):
        config = dataset.get_brain_info(names.brain_key).config
        if not isinstance(getattr(config, OWNER_KEY, None), dict):
            mark_brain_run(dataset, names)
