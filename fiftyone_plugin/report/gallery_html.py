"""The HTML report's image sections: gap regions (real examples beside their nearest synthetic
images), where to generate next, and the least realistic synthetic images."""

from __future__ import annotations

import os

import numpy as np

from .data import ReportData
from .figures import realism_figure
from .grades import format_value
from .markup import escape as _e
from .page import section
from .presentation import RunPresentation
from .thumbnails import ThumbnailCache

#: Least realistic synthetic images shown.
LEAST_REALISTIC = 12


def thumb(path, thumbs: ThumbnailCache, caption: str | None = None, box=None) -> str:
    """A thumbnail of image ``path``, or of the object of ``box`` in it."""
    path = "" if path is None else str(path)
    caption = os.path.basename(path) if caption is None else caption
    return (
        f'<figure class="thumb" title="{_e(path)}"><img alt="{_e(os.path.basename(path))}" '
        f'src="{thumbs(path, box)}"><figcaption>{_e(caption)}</figcaption></figure>'
    )


def _gallery_row(label: str, side: str, examples: list[dict], thumbs: ThumbnailCache) -> str:
    if not examples:
        return ""
    return (
        f'<div class="gallery-row"><div class="row-label {side}">{label}</div>'
        + "".join(thumb(e["path"], thumbs, box=e.get("box")) for e in examples)
        + "</div>"
    )


def _region_card(gallery: dict, thumbs: ThumbnailCache) -> str:
    return (
        f'<div class="region"><h3>{_e(gallery["name"])}</h3>'
        f'<p class="facts">{_e(gallery["facts"])}</p>'
        + _gallery_row("real, uncovered", "real", gallery["real"], thumbs)
        + _gallery_row("nearest synthetic", "syn", gallery["synthetic"], thumbs)
        + "</div>"
    )


def regions_section(shown: RunPresentation, thumbs: ThumbnailCache) -> str:
    """The gap regions' galleries, largest first, then the smaller regions by name."""
    if not shown.galleries:
        n = next((c for c in shown.counts if c["key"] == "n_uncovered"), None)
        body = "<p>No gap region was found" + (
            f" ({_e(n['value'])} real images are uncovered, too scattered to form a region).</p>"
            if n and n["warn"]
            else ": every real image has a synthetic look-alike.</p>"
        )
        return section("gap-regions", "", body)
    cards = "".join(_region_card(g, thumbs) for g in shown.galleries)
    if shown.more_regions:
        names = ", ".join(
            f"{_e(r['name'])} ({_e(format_value(r['size']))})" for r in shown.more_regions
        )
        cards += f'<p class="more">Smaller regions: {names}.</p>'
    intro = (
        "Groups of real images that no synthetic image resembles, largest first: real examples on "
        "top, the closest synthetic images below. The distance is in the embedding space; the "
        "larger it is, the further the synthetic set is from this content."
    )
    return section("gap-regions", intro, cards)


def generate_next_section(shown: RunPresentation, thumbs: ThumbnailCache) -> str:
    """Where to generate next, most needed first, with real examples ("" when not stored)."""
    if not shown.generate_next:
        return ""
    rows = "".join(
        f"<tr><td>{_e(t['name'])}</td><td>{_e(t['kind'])}</td>"
        f"<td>{_e(format_value(t['n_real']))}</td><td>{_e(format_value(t['needed']))}</td>"
        f'<td><div class="gallery-row">{"".join(thumb(p, thumbs) for p in t["example_filepaths"][:4])}</div></td></tr>'
        for t in shown.generate_next
    )
    intro = (
        "Where more synthetic images would close a gap, most needed first: how many real images "
        "the place holds and how many synthetic images it lacks for its expected share."
    )
    table = (
        "<table><tr><th>where</th><th>kind</th><th>real images</th><th>synthetic needed</th>"
        f"<th>real examples</th></tr>{rows}</table>"
    )
    return section("generate-next", intro, table)


def realism_section(data: ReportData, shown: RunPresentation, thumbs: ThumbnailCache) -> str:
    """The realism histogram and the least realistic synthetic images with their scores."""
    if not shown.realism["counts"]:
        return ""
    realism = np.asarray(data.realism, dtype=float)
    rows = np.flatnonzero(~data.is_real & np.isfinite(realism))
    lowest = rows[np.argsort(realism[rows], kind="stable")[:LEAST_REALISTIC]]
    image = realism_figure(shown.realism)
    gallery = "".join(
        thumb(data.filepaths[i], thumbs, caption=f"{format_value(float(realism[i]))} · "
               f"{os.path.basename(str(data.filepaths[i]))}",
               box=None if data.boxes is None else data.boxes[i])
        for i in lowest
    )  # fmt: skip
    intro = (
        "How real each synthetic image looks to the analysis (higher = more realistic). A long "
        "tail on the left is broken, blank or off-style renders; red bars hold the least "
        f"realistic tenth. The {len(lowest)} least realistic are shown with their score."
    )
    return section(
        "realism",
        intro,
        f'<img class="figure" alt="histogram of synthetic realism" src="{image}">'
        f'<div class="gallery-row wrap">{gallery}</div>',
    )
