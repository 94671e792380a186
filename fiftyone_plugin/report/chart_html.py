"""The HTML report's charts: the UMAP of both sides and the cluster composition bars."""

from __future__ import annotations

import numpy as np

from .data import ReportData
from .figures import REAL_COLOR, SYNTHETIC_COLOR, UNCOVERED_COLOR, umap_figure
from .markup import escape as _e
from .page import section

#: Clusters shown in the composition chart (the most under-represented first).
MAX_CLUSTERS = 60


def umap_section(data: ReportData) -> str:
    """The UMAP of both sides, uncovered real images ringed ("" without a map)."""
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
    return section(
        "umap", intro, f'<img class="figure" alt="UMAP of real and synthetic images" src="{image}">'
    )


def clusters_section(bars: list[dict]) -> str:
    """Each cluster's synthetic share against the expected one, most lacking first."""
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
    return section("clusters", intro, f'<div class="bars">{"".join(lines)}</div>{more}')
