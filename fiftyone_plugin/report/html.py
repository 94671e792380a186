"""The HTML report: one self-contained page (images embedded, no network) telling, in order,
whether the synthetic images stand in for the real ones, where they sit on the UMAP, which clusters
and gap regions lack synthetic images, which synthetic images look least real, what could not be
read, and how the run was made."""

from __future__ import annotations

import json
import os

import numpy as np

from .class_html import class_sections
from .counts import COUNTS
from .data import ReportData
from .document import document_of
from .figures import REAL_COLOR, SYNTHETIC_COLOR, UNCOVERED_COLOR, realism_figure, umap_figure
from .grades import FAIR, NEUTRAL, POOR, format_value, is_number, label_of
from .markup import escape as _e
from .metric_cards import metric_groups
from .page import CSS, PAGE
from .presentation import RunPresentation, present
from .thumbnails import ThumbnailCache

#: Real examples (and as many nearest synthetic ones) shown per gap region.
REGION_EXAMPLES = 8
#: Gap regions shown with a gallery (the largest); the rest are listed by name.
MAX_REGION_GALLERIES = 20
#: Least realistic synthetic images shown.
LEAST_REALISTIC = 12
#: Clusters shown in the composition chart (the most under-represented first).
MAX_CLUSTERS = 60
#: Unreadable images listed.
MAX_FAILURES = 500

__all__ = ["COUNTS", "render_report", "write_report"]

SECTIONS = {
    "headline": "Verdict",
    "umap": "Map",
    "clusters": "Clusters",
    "gap-regions": "Gap regions",
    "classes": "Classes",
    "labels": "Labels",
    "generate-next": "Generate next",
    "realism": "Realism",
    "failures": "Unreadable images",
    "parameters": "Run parameters",
}


def write_report(path: str, data: ReportData) -> None:
    """Write the report of ``data`` to ``path`` as one self-contained HTML file."""
    page = render_report(data)
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)


def presentation_of(data: ReportData) -> RunPresentation:
    """The run's presentation (report/presentation.py) as the report shows it."""
    document = document_of({"clusters": data.clusters or [], **(data.document or {})})
    realism = np.asarray(data.realism, dtype=float)
    scores = realism[~data.is_real] if realism.size == len(data.filepaths) else []
    return present(
        document,
        title=data.title,
        realism=scores,
        max_galleries=MAX_REGION_GALLERIES,
        gallery_examples=REGION_EXAMPLES,
    )


def render_report(data: ReportData) -> str:
    """The report of ``data`` as an HTML string."""
    shown = presentation_of(data)
    thumbs = ThumbnailCache()
    classes, labels = class_sections(
        shown.classes, _section, lambda p, box=None: _thumb(p, thumbs, box=box)
    )
    sections = [
        _headline(shown),
        _umap_section(data),
        _clusters_section(shown.clusters),
        _regions_section(shown, thumbs),
        classes,
        labels,
        _generate_next_section(shown, thumbs),
        _realism_section(data, shown, thumbs),
        _failures_section(data.failures or []),
        _parameters_section(shown.parameters),
    ]
    body = "\n".join(s for s in sections if s)
    nav = " ".join(
        f'<a href="#{key}">{label}</a>'
        for key, label in SECTIONS.items()
        if f'<section id="{key}">' in body  # data text is escaped: only real sections match
    )
    return PAGE.format(
        title=_e(data.title),
        css=CSS,
        nav=nav,
        body=body,
    )


def _section(key: str, intro: str, body: str) -> str:
    return (
        f'<section id="{key}"><h2>{SECTIONS[key]}</h2>'
        + (f'<p class="intro">{intro}</p>' if intro else "")
        + body
        + "</section>"
    )


# ---------------------------------------------------------------------------------------------
# 1. Headline


def _metric_card(card: dict) -> str:
    key, level = card["key"], card["grade"]
    shown = f'<span data-metric="{_e(key)}">{_e(card["number"])}</span>'
    if card["spread"] is not None:
        shown += f' <small>± <span data-metric="kid_std">{_e(card["spread"])}</span></small>'
    badge = f'<span class="badge">{level}</span>' if level != NEUTRAL else ""
    return (
        f'<div class="metric grade-{level}">'
        f'<div class="metric-head"><span class="label">{_e(card["label"])}</span>{badge}</div>'
        f'<div class="value">{shown}</div>'
        + (f'<div class="asks">{_e(card["asks"])}</div>' if card["asks"] else "")
        + (f'<div class="reading">{_e(card["reading"])}</div>' if card["reading"] else "")
        + (f'<div class="rule">{_e(card["rule"])}</div>' if card["rule"] else "")
        + "</div>"
    )


def _evidence(evidence) -> str:
    if not evidence:
        return ""
    if isinstance(evidence, dict):
        items = [
            f"<li><b>{_e(label_of(k))}</b>: "
            f"{_e(format_value(v) if is_number(v) else _jsonish(v))}</li>"
            for k, v in evidence.items()
        ]
    elif isinstance(evidence, (list, tuple)):
        items = [f"<li>{_e(_jsonish(v))}</li>" for v in evidence]
    else:
        return f'<p class="evidence">{_e(evidence)}</p>'
    return f'<ul class="evidence">{"".join(items)}</ul>'


def _jsonish(value, exact: bool = False) -> str:
    """Text of a value from the data: numbers as the report formats them (as given if ``exact``),
    lists and dicts as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, np.generic):
        value = value.item()
    if is_number(value) or value is None or isinstance(value, bool):
        return str(value) if exact else format_value(value)
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def _flagged(flagged: dict, lead: str = "") -> str:
    """'Poor: ... Fair: ...' naming the metrics behind the verdict, after ``lead``."""
    parts = []
    for level in (POOR, FAIR):
        labels = [label for label, g in flagged.items() if g == level]
        if labels:
            text = ", ".join(_e(label) for label in labels)
            parts.append(f'<span class="chip grade-{level}">{level}</span>{text}')
    text = " &nbsp; ".join(parts)
    return f'<p class="flagged">{_e(lead)}{text}</p>' if parts else ""


def _count_tile(count: dict) -> str:
    note = f" ({count['note']} of real)" if count["note"] else ""
    return (
        f'<div class="count{" warn" if count["warn"] else ""}">'
        f'<div class="n" data-metric="{count["key"]}">{_e(count["value"])}</div>'
        f'<div class="what">{_e(count["what"] + note)}</div></div>'
    )


def _headline(shown: RunPresentation) -> str:
    head = shown.headline
    box = (
        f'<div class="verdict grade-{head["grade"]}">'
        '<div class="question">Is the synthetic data standing in for the real data?</div>'
        f'<div class="answer">{_e(head["answer"])}</div>'
        + (f'<p class="diagnosis">{_e(head["diagnosis"])}</p>' if head["diagnosis"] else "")
        + f'<p class="note">{_e(head["sentence"])}'
        + (f' <span class="kind">{_e(head["kind"])}</span>' if head["kind"] else "")
        + "</p>"
        + _flagged(head["flagged"])
        + _flagged(head.get("style_flagged") or {}, "Style, before it is removed: ")
        + _evidence(shown.diagnosis["evidence"])
        + "</div>"
    )
    tiles = [_count_tile(c) for c in shown.counts]
    cards = [
        f'<h3 class="metric-group">{_e(heading)}</h3>'
        f'<div class="metrics">{"".join(_metric_card(c) for c in group)}</div>'
        for heading, group in metric_groups(shown.metrics)
    ]
    legend = (
        '<p class="legend"><span class="chip grade-good">good</span>'
        '<span class="chip grade-fair">fair</span><span class="chip grade-poor">poor</span>'
        " colours follow rules of thumb (shown on each card), not statistical tests; "
        "uncoloured metrics have no fixed scale.</p>"
    )
    return _section(
        "headline",
        "",
        box
        + (f'<div class="counts">{"".join(tiles)}</div>' if tiles else "")
        + ("".join(cards) + legend if cards else ""),
    )


# ---------------------------------------------------------------------------------------------
# 2. UMAP


def _umap_section(data: ReportData) -> str:
    umap = np.asarray(data.umap, dtype=float) if data.umap is not None else np.empty((0, 2))
    if umap.ndim != 2 or len(umap) == 0 or len(umap) != len(data.domains):
        return ""
    n = len(umap)
    uncovered = np.asarray(data.uncovered, dtype=bool)
    uncovered = uncovered if len(uncovered) == n else np.zeros(n, dtype=bool)
    regions = list(data.gap_region) if len(data.gap_region) == n else [None] * n
    image = umap_figure(umap, data.is_real, uncovered, regions)
    if image is None:
        return ""
    intro = (
        f'Each image placed by its embedding: <b style="color:{REAL_COLOR}">real</b> and '
        f'<b style="color:{SYNTHETIC_COLOR}">synthetic</b>. Where only blue shows, the synthetic '
        f'set has nothing similar; <b style="color:{UNCOVERED_COLOR}">red</b> rings (an outline when '
        "there are many) mark real images with no synthetic look-alike, named by gap region. Two separate clouds with the "
        "same shapes mean a global style shift rather than missing content."
    )
    return _section(
        "umap", intro, f'<img class="figure" alt="UMAP of real and synthetic images" src="{image}">'
    )


# ---------------------------------------------------------------------------------------------
# 3. Cluster composition


def _clusters_section(bars: list[dict]) -> str:
    if not bars:
        return ""
    lines = []
    for bar in bars[:MAX_CLUSTERS]:
        share, expected = bar["share"], bar["expected"]
        lines.append(
            '<div class="bar-row">'
            f'<div class="bar-label">{_e(bar["name"])}</div>'
            f'<div class="bar" title="synthetic share {share:.0%}, expected {expected:.0%}">'
            f'<div class="seg syn" style="width:{100 * min(max(share, 0.0), 1.0):.2f}%"></div>'
            '<div class="seg real"></div>'
            f'<div class="expected" style="left:{100 * min(max(expected, 0.0), 1.0):.2f}%"></div>'
            "</div>"
            f'<div class="bar-counts">{bar["n_real"]:,} real · {bar["n_synthetic"]:,} synth</div>'
            f'<div class="bar-status"><span class="pill grade-{bar["grade"]}">{_e(bar["status"])}</span></div>'
            "</div>"
        )
    more = (
        f'<p class="more">{len(bars) - MAX_CLUSTERS} more clusters, all closer to the expected share, '
        "are not drawn (clusters.csv lists every one).</p>"
        if len(bars) > MAX_CLUSTERS
        else ""
    )
    intro = (
        f'Each bar is one cluster of images: the <b style="color:{SYNTHETIC_COLOR}">synthetic</b> '
        f'share on the left, <b style="color:{REAL_COLOR}">real</b> on the right. The black tick '
        "is the share expected if the synthetic images followed the real ones. Clusters lacking "
        "synthetic images come first."
    )
    return _section("clusters", intro, f'<div class="bars">{"".join(lines)}</div>{more}')


# ---------------------------------------------------------------------------------------------
# 4. Gap regions (and 5. where to generate next)


def _thumb(path, thumbs: ThumbnailCache, caption: str | None = None, box=None) -> str:
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
        + "".join(_thumb(e["path"], thumbs, box=e.get("box")) for e in examples)
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


def _regions_section(shown: RunPresentation, thumbs: ThumbnailCache) -> str:
    if not shown.galleries:
        n = next((c for c in shown.counts if c["key"] == "n_uncovered"), None)
        body = "<p>No gap region was found" + (
            f" ({_e(n['value'])} real images are uncovered, too scattered to form a region).</p>"
            if n and n["warn"]
            else ": every real image has a synthetic look-alike.</p>"
        )
        return _section("gap-regions", "", body)
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
    return _section("gap-regions", intro, cards)


def _generate_next_section(shown: RunPresentation, thumbs: ThumbnailCache) -> str:
    if not shown.generate_next:
        return ""
    rows = "".join(
        f"<tr><td>{_e(t['name'])}</td><td>{_e(t['kind'])}</td>"
        f"<td>{_e(format_value(t['n_real']))}</td><td>{_e(format_value(t['needed']))}</td>"
        f'<td><div class="gallery-row">{"".join(_thumb(p, thumbs) for p in t["example_filepaths"][:4])}</div></td></tr>'
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
    return _section("generate-next", intro, table)


# ---------------------------------------------------------------------------------------------
# 6. Realism


def _realism_section(data: ReportData, shown: RunPresentation, thumbs: ThumbnailCache) -> str:
    if not shown.realism["counts"]:
        return ""
    realism = np.asarray(data.realism, dtype=float)
    rows = np.flatnonzero(~data.is_real & np.isfinite(realism))
    lowest = rows[np.argsort(realism[rows], kind="stable")[:LEAST_REALISTIC]]
    image = realism_figure(shown.realism)
    gallery = "".join(
        _thumb(data.filepaths[i], thumbs, caption=f"{format_value(float(realism[i]))} · "
               f"{os.path.basename(str(data.filepaths[i]))}",
               box=None if data.boxes is None else data.boxes[i])
        for i in lowest
    )  # fmt: skip
    intro = (
        "How real each synthetic image looks to the analysis (higher = more realistic). A long "
        "tail on the left is broken, blank or off-style renders; red bars hold the least "
        f"realistic tenth. The {len(lowest)} least realistic are shown with their score."
    )
    return _section(
        "realism",
        intro,
        f'<img class="figure" alt="histogram of synthetic realism" src="{image}">'
        f'<div class="gallery-row wrap">{gallery}</div>',
    )


# ---------------------------------------------------------------------------------------------
# 7. Unreadable images


def _failures_section(failures: list[dict]) -> str:
    if not failures:
        return ""
    rows = "".join(
        f'<tr><td class="path">{_e(f.get("filepath", ""))}</td><td>{_e(f.get("domain", ""))}</td>'
        f'<td class="reason">{_e(f.get("reason", ""))}</td></tr>'
        for f in failures[:MAX_FAILURES]
        if isinstance(f, dict)
    )
    more = (
        f'<p class="more">{len(failures) - MAX_FAILURES:,} more in samples.csv (load_error).</p>'
        if len(failures) > MAX_FAILURES
        else ""
    )
    intro = f"{len(failures):,} images could not be read and were left out of the analysis."
    table = f"<table><tr><th>file</th><th>side</th><th>reason</th></tr>{rows}</table>"
    return _section("failures", intro, table + more)


# ---------------------------------------------------------------------------------------------
# 8. Run parameters


def _parameters_section(items: list[tuple]) -> str:
    if not items:
        return ""
    rows = "".join(
        f"<tr><th>{_e(k)}</th><td>{_e(_jsonish(v, exact=True))}</td></tr>" for k, v in items
    )
    return _section("parameters", "", f'<table class="params">{rows}</table>')
