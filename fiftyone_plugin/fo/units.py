"""Where a run's per-unit results live: on the samples (a run on whole images) or on the objects
of the run's own Detections field (a run on objects: object_results.py).

Readers of a stored run (its regions, realism scores, views) ask :func:`run_units` for the
collection of its units and the path of each result, so that one code path serves both: for an
objects run the collection is the patches view of the run's field (each patch one object, shown
in its image) and ``gap_score`` lives at ``<field>.gap_score``.
"""

from __future__ import annotations

from dataclasses import dataclass

import fiftyone as fo
from fiftyone import ViewField as F

from .. import defaults
from .runs import RunNames, load_summary

#: Short name (RunNames.field) of the Detections field an objects run writes.
OBJECTS_FIELD = "patches"


@dataclass(frozen=True)
class RunUnits:
    """The units of run ``names`` on ``dataset``: samples, or the objects of ``patches_field``."""

    dataset: fo.Dataset
    names: RunNames
    patches_field: str | None = None

    @property
    def is_objects(self) -> bool:
        return self.patches_field is not None

    @property
    def noun(self) -> str:
        """What one unit is called in messages: "samples" or "objects"."""
        return "objects" if self.is_objects else "samples"

    def path(self, short: str) -> str:
        """The path of result ``short`` (gap_score, realism, ..., or "domain") in
        :attr:`collection`."""
        if self.is_objects:
            return f"{self.patches_field}.{short}"
        return short if short == defaults.DOMAIN_FIELD else self.names.field(short)

    def has(self, short: str) -> bool:
        """Whether the run's units carry result ``short``."""
        if self.is_objects:
            return self.dataset.has_sample_field(f"{self.patches_field}.detections.{short}")
        return self.dataset.has_sample_field(self.path(short))

    @property
    def collection(self) -> fo.core.collections.SampleCollection:
        """The dataset, or the patches view of the run's objects."""
        if self.is_objects:
            return self.dataset.to_patches(self.patches_field)
        return self.dataset

    def side(self, domain: str, within=None) -> fo.DatasetView:
        """The units of ``domain`` (real / synthetic) in ``within`` (default :attr:`collection`)."""
        within = self.collection if within is None else within
        return within.match(F(self.path(defaults.DOMAIN_FIELD)) == domain)


def run_units(dataset: fo.Dataset, run_key: str, summary: dict | None = None) -> RunUnits:
    """The units of stored run ``run_key`` (its ``summary``, read when not given)."""
    summary = load_summary(dataset, run_key) if summary is None else summary
    objects = summary.get("objects") or {}
    return RunUnits(dataset, RunNames(run_key), objects.get("field"))
