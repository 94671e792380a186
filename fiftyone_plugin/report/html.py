"""The HTML report: one self-contained page (images embedded, no network) telling, in order,
whether the synthetic images stand in for the real ones, where they sit on the UMAP, which clusters
and gap regions lack synthetic images, which synthetic images look least real, what could not be
read, and how the run was made."""

from __future__ import annotations

import numpy as np

from .chart_html import clusters_section, umap_section
from .class_html import class_sections
from .data import ReportData
from .document import document_of
from .gallery_html import generate_next_section, realism_section, regions_section, thumb
from .markup import escape as _e
from .page import CSS, PAGE, SECTIONS, section
from .presentation import RunPresentation, present
from .run_html import failures_section, parameters_section
from .thumbnails import ThumbnailCache
from .verdict_html import headline_section

#: Real examples (and as many nearest synthetic ones) shown per gap region.
REGION_EXAMPLES = 8
#: Gap regions shown with a gallery (the largest); the rest are listed by name.
MAX_REGION_GALLERIES = 20

__all__ = ["render_report", "write_report"]


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
        shown.classes, section, lambda p, box=None: thumb(p, thumbs, box=box)
    )
    sections = [
        headline_section(shown),
        umap_section(data),
        clusters_section(shown.clusters),
        regions_section(shown, thumbs),
        classes,
        labels,
        generate_next_section(shown, thumbs),
        realism_section(data, shown, thumbs),
        failures_section(data.failures or []),
        parameters_section(shown.parameters),
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
