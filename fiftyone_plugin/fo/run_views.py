"""A run's saved views: its calls, each gap region, the real-only clusters and the least realistic
synthetic samples (objects for a run on objects), each marked as the run's (see runs.py)."""

from __future__ import annotations

import fiftyone as fo
from fiftyone import ViewField as F

from .. import defaults
from .fields import FieldClashError
from .runs import CALLS, CURATION_VIEWS, RunNames, foreign_views, replaces_view, run_views
from .units import RunUnits


def save_views(
    dataset: fo.Dataset,
    names: RunNames,
    regions: list[dict],
    clusters: list[dict],
    overwrite: bool = False,
    patches_field: str | None = None,
) -> list[str]:
    """(Re)create the run's saved views: uncovered, underrepresented, one per gap region,
    real-only clusters,
    least realistic synthetic samples (the lowest tenth). Each carries the run's mark in its
    description; a user's view of the same name (or slug) is replaced only with ``overwrite``.
    A run on objects (its Detections field ``patches_field``) saves patches views of its objects
    and, besides, the images holding its least realistic objects."""
    units = RunUnits(dataset, names, patches_field)
    real, synthetic = units.side(defaults.REAL), units.side(defaults.SYNTHETIC)
    what = units.noun
    views = {}
    for call, text in zip(
        CALLS,
        (f"real {what} no synthetic one covers (confident)",
         f"real {what} the synthetic data likely represents too little"),
        strict=True,
    ):  # fmt: skip
        views[names.view(call)] = (
            real.match(F(units.path(call)) == True)  # noqa: E712 (a database expression)
            if units.is_objects
            else real.match_tags(names.call_tag(call)),
            text,
        )
    for region in regions:
        views[names.view(region["name"])] = (
            real.match(F(units.path("gap_region")) == region["name"]),
            f"real {what} of gap region {region['name']}",
        )
    real_only = [c["cluster"] for c in clusters if c["status"] == "real-only"]
    views[names.view("real-only-clusters")] = (
        real.match(F(units.path("cluster")).is_in(real_only)),
        f"real {what} of clusters without synthetic {what}",
    )
    scored = synthetic.exists(units.path("realism"))
    least = scored.sort_by(units.path("realism")).limit(max(1, len(scored) // 10))
    views[names.view("least-realistic")] = (
        least,
        f"the least realistic tenth of the synthetic {what}",
    )
    if units.is_objects:
        views[names.view("least-realistic-images")] = (
            dataset.select(least.distinct("sample_id")),
            "the synthetic images holding the least realistic tenth of the synthetic objects",
        )
    clashes = [v for v in foreign_views(dataset, names) if replaces_view(v, views)]
    if clashes and not overwrite:
        raise FieldClashError(
            f"Saved view(s) {', '.join(map(repr, clashes))} on dataset '{dataset.name}' were not "
            f"created by synthgap run '{names.run_key}'; choose another run name or pass "
            "overwrite to replace them"
        )
    curation = tuple(names.view(short) for short in CURATION_VIEWS)
    delete_run_views(dataset, names, keep=tuple(views) + curation)
    for name, (view, text) in views.items():
        dataset.save_view(name, view, description=names.view_description(text), overwrite=True)
    return list(views)


def delete_run_views(dataset: fo.Dataset, names: RunNames, keep: tuple[str, ...] = ()) -> None:
    """Delete the saved views run ``names`` wrote (never a user's), but those in ``keep``."""
    for view_name in run_views(dataset, names):
        if view_name not in keep:
            dataset.delete_saved_view(view_name)
