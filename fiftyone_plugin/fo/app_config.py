"""How synthgap's fields look in the App: the domain shown on the grid's tiles, and colors for every
field the App colors by (the grid, the Embeddings panel) that read on its dark and light themes.

Written into the dataset's App config, adding to what is there: a color the user gave a value
stays, and a stored list of fields to hide is left alone.
"""

from __future__ import annotations

import fiftyone as fo

from fiftyone_plugin import defaults

#: Colors with a contrast of at least 3.4:1 against both the App's dark (#1a1a1a) and light
#: (#ffffff) backgrounds, of distinct hues: gap regions and clusters take them in turn.
PALETTE = (
    "#e8590c", "#1c7ed6", "#2f9e44", "#ae3ec9", "#e03131",
    "#1098ad", "#d6336c", "#7950f2", "#099268", "#5c7cfa",
)  # fmt: skip
#: Numeric fields (realism, gap score) from low to high, through colors of the same contrast.
SCALE = ("#e03131", "#e8590c", "#2f9e44", "#1c7ed6")


def _scheme(dataset: fo.Dataset) -> fo.ColorScheme:
    return dataset.app_config.color_scheme or fo.ColorScheme()


def color_values(
    dataset: fo.Dataset, path: str, colors: dict[str, str], attribute: str | None = None
) -> None:
    """Color field ``path`` (or, for a label field, its ``attribute``) by value (value -> color).
    A field the App already colors keeps its colors: only values it has no color for are added,
    and none when it is colored otherwise than by value. Saves the dataset when it changes."""
    scheme = _scheme(dataset)
    fields = [dict(f) for f in scheme.fields or []]
    entry = next((f for f in fields if f.get("path") == path), None)
    if entry is None:
        entry = {"path": path, "valueColors": []}
        if attribute:
            entry["colorByAttribute"] = attribute
        fields.append(entry)
    elif "valueColors" not in entry or entry.get("colorByAttribute") != attribute:
        return
    known = {v.get("value") for v in entry["valueColors"]}
    added = [{"value": v, "color": c} for v, c in colors.items() if v not in known]
    if added:
        entry["valueColors"] = [*entry["valueColors"], *added]
        scheme.fields = fields
        dataset.app_config.color_scheme = scheme
        dataset.save()


def color_scale(dataset: fo.Dataset, paths: list[str]) -> None:
    """Color numeric fields ``paths`` along SCALE, unless the user gave them a scale already."""
    scheme = _scheme(dataset)
    scales = list(scheme.colorscales or [])
    taken = {s.get("path") for s in scales}
    stops = [{"value": i / (len(SCALE) - 1), "color": c} for i, c in enumerate(SCALE)]
    new = [{"path": p, "list": stops} for p in paths if p not in taken]
    if new:
        scheme.colorscales = [*scales, *new]
        dataset.app_config.color_scheme = scheme
        dataset.save()


def domain_colors(dataset: fo.Dataset, path: str = defaults.DOMAIN_FIELD, attribute=None) -> None:
    """Color the domain field (or the ``domain`` attribute of label field ``path``) in synthgap's
    two domain colors."""
    color_values(dataset, path, dict(defaults.DOMAIN_COLORS), attribute)


def _cycle(values: list) -> dict[str, str]:
    return {str(v): PALETTE[i % len(PALETTE)] for i, v in enumerate(values)}


def run_colors(dataset: fo.Dataset, names, regions: list[str], clusters: list) -> None:
    """Colors for the fields of run ``names`` (fo.runs.RunNames): its gap regions and clusters
    from PALETTE, realism and gap score along SCALE."""
    color_values(dataset, names.field("gap_region"), _cycle(regions))
    color_values(dataset, names.field("cluster"), _cycle(clusters))
    color_scale(dataset, [names.field("realism"), names.field("gap_score")])


def show_on_tiles(dataset: fo.Dataset, paths: list[str]) -> None:
    """Make ``paths`` shown on the grid's tiles by default (the App's active fields), keeping the
    label fields the App shows by default and any choice the user stored."""
    active = dataset.app_config.active_fields
    if active is None:
        active = fo.DatasetAppConfig.default_active_fields(dataset)
    shown = list(active.paths or [])
    if active.exclude:
        return  # the user listed what to hide: leave it to them
    missing = [p for p in paths if p not in shown and dataset.has_field(p)]
    if missing or dataset.app_config.active_fields is None:
        active.paths = shown + missing
        dataset.app_config.active_fields = active
        dataset.save()
