"""How synthgap's fields look in the App: domain on the grid's tiles, colors that read on the App's
dark and light themes, and the user's own colors kept."""

from __future__ import annotations

import fiftyone as fo
import pytest

from fiftyone_plugin import defaults
from fiftyone_plugin.fo.app_config import PALETTE, SCALE, color_values, run_colors
from fiftyone_plugin.fo.runs import RunNames
from fiftyone_plugin.fo.samples import import_images, list_images

#: The App's plot and grid backgrounds on its dark and light themes.
BACKGROUNDS = ("#1a1a1a", "#ffffff")


def _luminance(color: str) -> float:
    rgb = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("color", [*PALETTE, *SCALE, *defaults.DOMAIN_COLORS.values()])
def test_every_color_reads_on_both_themes(color):
    for background in BACKGROUNDS:  # WCAG's 3:1 for graphics; dark navy on #1a1a1a is ~1.3
        assert _contrast(color, background) >= 3.0, (color, background)


def test_imported_samples_show_their_domain_on_tiles_in_its_colors(dataset_name, tiny_demo):
    dataset = fo.Dataset(dataset_name)
    import_images(dataset, list_images(tiny_demo["real"])[:2], defaults.REAL)
    config = dataset.app_config
    assert defaults.DOMAIN_FIELD in config.active_fields.paths
    (entry,) = [f for f in config.color_scheme.fields if f["path"] == defaults.DOMAIN_FIELD]
    assert {v["value"]: v["color"] for v in entry["valueColors"]} == defaults.DOMAIN_COLORS


def test_a_run_colors_its_regions_clusters_and_scores_keeping_the_users_colors(dataset_name):
    dataset = fo.Dataset(dataset_name)
    names = RunNames("synthgap")
    for short, ftype in (("gap_region", fo.StringField), ("cluster", fo.IntField)):
        dataset.add_sample_field(names.field(short), ftype)
    color_values(dataset, names.field("gap_region"), {"gap-2": "#123456"})  # the user's choice
    run_colors(dataset, names, ["gap-1", "gap-2", "gap-3"], [0, 1])
    fields = {f["path"]: f for f in dataset.app_config.color_scheme.fields}
    regions = {v["value"]: v["color"] for v in fields[names.field("gap_region")]["valueColors"]}
    assert regions == {"gap-2": "#123456", "gap-1": PALETTE[0], "gap-3": PALETTE[2]}
    clusters = {v["value"] for v in fields[names.field("cluster")]["valueColors"]}
    assert clusters == {"0", "1"}
    scales = {s["path"]: s for s in dataset.app_config.color_scheme.colorscales}
    assert [s["color"] for s in scales[names.field("realism")]["list"]] == list(SCALE)
    # a field the user colors otherwise (one color for the field) is left alone
    scheme = dataset.app_config.color_scheme
    scheme.fields = [{"path": "tint", "fieldColor": "#000000"}]
    dataset.app_config.color_scheme = scheme
    dataset.save()
    color_values(dataset, "tint", {"a": PALETTE[0]})
    assert dataset.app_config.color_scheme.fields == [{"path": "tint", "fieldColor": "#000000"}]
