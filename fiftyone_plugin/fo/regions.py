"""The clusters and gap regions of a stored analysis run, ranked by how much real content they
leave without synthetic counterparts (report/presentation.py ranks them), and the view of each."""

from __future__ import annotations

import fiftyone as fo
from fiftyone import ViewField as F

from .. import defaults
from ..report.document import document_of
from ..report.regions import CLUSTER, REGION, Region, rank_regions
from .runs import RunNames, load_summary
from .units import run_units


def list_regions(dataset: fo.Dataset, run_key: str = defaults.RUN_KEY) -> list[Region]:
    """The gap regions and clusters of run ``run_key``, largest gap first (gap regions sized by
    the samples, or objects, that carry their name now)."""
    summary = load_summary(dataset, run_key)
    units = run_units(dataset, run_key, summary)
    region_sizes = (
        units.side(defaults.REAL).count_values(units.path("gap_region"))
        if units.has("gap_region")
        else {}
    )
    return rank_regions(document_of(summary), region_sizes)


def region_view(dataset: fo.Dataset, run_key: str, key: str) -> fo.DatasetView:
    """The samples of region ``key`` (from :func:`list_regions`): a gap region's real samples, or
    a cluster's real and synthetic samples (for a run on objects: patches views of its
    objects)."""
    names = RunNames(run_key)
    units = run_units(dataset, run_key)
    kind, _, value = key.partition(":")
    if kind == REGION:
        saved = names.view(value)
        if dataset.has_saved_view(saved):
            return dataset.load_saved_view(saved)
        return units.side(defaults.REAL).match(F(units.path("gap_region")) == value)
    if kind == CLUSTER:
        return units.collection.match(F(units.path("cluster")) == int(value))
    raise ValueError(f"Unknown region {key!r}: use 'region:<name>' or 'cluster:<id>'")


def saved_view_name(dataset: fo.Dataset, run_key: str, key: str) -> str | None:
    """The saved view holding region ``key``, if the analysis saved one."""
    kind, _, value = key.partition(":")
    name = RunNames(run_key).view(value)
    return name if kind == REGION and dataset.has_saved_view(name) else None
