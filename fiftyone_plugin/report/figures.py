"""The report's matplotlib figures as PNG data URIs.

Figures are made with ``matplotlib.figure.Figure`` and its Agg canvas, never through pyplot: no
global backend is switched (a notebook's inline plotting keeps working) and nothing needs closing.
"""

from __future__ import annotations

import base64
import io

import numpy as np

from .. import defaults

#: Fixed domain colours, shared with the HTML (legend, bars).
REAL_COLOR = defaults.DOMAIN_COLORS[defaults.REAL]
SYNTHETIC_COLOR = defaults.DOMAIN_COLORS[defaults.SYNTHETIC]
UNCOVERED_COLOR = "#dc2626"
#: Above this many points the UMAP is drawn as a density image instead of markers.
SCATTER_LIMIT = 20_000
#: Density image resolution (bins per side) for large UMAPs.
DENSITY_BINS = 320
#: Above this many uncovered real samples they are outlined as an area instead of ringed one by one.
RING_LIMIT = 2_000
#: Grid (bins per side) of that outline.
OUTLINE_BINS = 90
#: Gap regions named on the UMAP (the largest ones).
MAX_REGION_LABELS = 12
DPI = 110


def _png(fig) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _hex_rgb(color: str) -> np.ndarray:
    return np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], dtype=float) / 255


def _density_image(ax, points: np.ndarray, is_real: np.ndarray) -> None:
    """One RGBA image: hue from the synthetic share of each bin (real colour -> grey -> synthetic
    colour), opacity from the log of the bin's count, so 100k points stay readable."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    pad = (hi - lo) * 0.02 + 1e-9
    edges = [np.linspace(lo[d] - pad[d], hi[d] + pad[d], DENSITY_BINS + 1) for d in (0, 1)]
    real, _, _ = np.histogram2d(points[is_real, 0], points[is_real, 1], bins=edges)
    synthetic, _, _ = np.histogram2d(points[~is_real, 0], points[~is_real, 1], bins=edges)
    total = real + synthetic
    share = np.divide(synthetic, total, out=np.full_like(total, 0.5), where=total > 0)[..., None]
    grey = np.array([0.45, 0.45, 0.45])
    low, high = _hex_rgb(REAL_COLOR), _hex_rgb(SYNTHETIC_COLOR)
    rgb = np.where(
        share < 0.5,
        low + (grey - low) * (share / 0.5),
        grey + (high - grey) * ((share - 0.5) / 0.5),
    )
    alpha = np.log1p(total) / np.log1p(total.max())
    alpha = np.where(total > 0, 0.25 + 0.75 * alpha, 0.0)
    rgba = np.concatenate([rgb, alpha[..., None]], axis=-1).transpose(1, 0, 2)
    ax.imshow(
        rgba,
        origin="lower",
        extent=(edges[0][0], edges[0][-1], edges[1][0], edges[1][-1]),
        aspect="auto",
        interpolation="nearest",
    )


def _outline(ax, points: np.ndarray, selected: np.ndarray) -> None:
    """Red outline around where the ``selected`` points lie (too many to ring one by one)."""
    from scipy.ndimage import gaussian_filter

    lo, hi = points.min(axis=0), points.max(axis=0)
    edges = [np.linspace(lo[d], hi[d], OUTLINE_BINS + 1) for d in (0, 1)]
    counts, _, _ = np.histogram2d(points[selected, 0], points[selected, 1], bins=edges)
    smooth = gaussian_filter(counts, sigma=1.0)
    level = max(0.5, 0.02 * smooth.max())
    centres = [(e[:-1] + e[1:]) / 2 for e in edges]
    ax.contour(*centres, smooth.T, levels=[level], colors=UNCOVERED_COLOR, linewidths=1.5)


def umap_figure(
    points: np.ndarray, is_real: np.ndarray, uncovered: np.ndarray, regions: list[str | None]
) -> str | None:
    """UMAP scatter coloured by domain, uncovered real samples ringed, gap regions named at their
    centre. ``None`` when there is nothing to draw."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    points = np.asarray(points, dtype=float)
    if points.ndim != 2 or points.shape[0] == 0 or points.shape[1] < 2:
        return None
    points = points[:, :2]
    keep = np.isfinite(points).all(axis=1)
    if not keep.any():
        return None
    points, is_real, uncovered = (
        points[keep],
        np.asarray(is_real)[keep],
        np.asarray(uncovered)[keep],
    )
    regions = np.asarray(regions, dtype=object)[keep]
    n = len(points)

    fig = Figure(figsize=(9.5, 6.8))
    ax = fig.add_subplot()
    handles = []
    if n > SCATTER_LIMIT:
        _density_image(ax, points, is_real)
        grey = Line2D([], [], marker="s", ls="", color="#737373", label="both (mixed)")
        mode = f"density of {n:,} points: colour = which side dominates, opacity = how many"
    else:
        order = np.random.default_rng(0).permutation(n)  # neither side hidden under the other
        colors = np.where(is_real[order], REAL_COLOR, SYNTHETIC_COLOR)
        size = float(np.clip(3000 / n, 3, 28))
        alpha = float(np.clip(1500 / n, 0.25, 0.85))
        ax.scatter(*points[order].T, c=colors, s=size, alpha=alpha, lw=0, rasterized=True)
        grey = None
        mode = f"{n:,} points"
    handles += [
        Line2D([], [], marker="o", ls="", color=REAL_COLOR, label="real"),
        Line2D([], [], marker="o", ls="", color=SYNTHETIC_COLOR, label="synthetic"),
    ]
    if grey is not None:
        handles.append(grey)

    gap = uncovered & is_real
    if 0 < gap.sum() <= RING_LIMIT:
        ring = float(np.clip(6000 / max(n, 1), 8, 40))
        ax.scatter(
            *points[gap].T, s=ring, facecolors="none", edgecolors=UNCOVERED_COLOR,
            linewidths=0.8, alpha=0.9, rasterized=True,
        )  # fmt: skip
        handles.append(
            Line2D(
                [], [], marker="o", ls="", mfc="none", mec=UNCOVERED_COLOR, label="uncovered real"
            )
        )
    elif gap.any():
        _outline(ax, points, gap)
        handles.append(
            Line2D([], [], color=UNCOVERED_COLOR, lw=1.5, label="uncovered real (outline)")
        )

    named = [(name, np.flatnonzero(regions == name)) for name in {r for r in regions if r}]
    named.sort(key=lambda item: -len(item[1]))
    for name, rows in named[:MAX_REGION_LABELS]:
        x, y = np.median(points[rows], axis=0)
        ax.annotate(
            str(name), (x, y), ha="center", va="center", fontsize=9, fontweight="bold",
            color="#7f1d1d", bbox=dict(boxstyle="round,pad=0.25", fc="white", ec=UNCOVERED_COLOR,
                                       alpha=0.85, lw=0.8),
        )  # fmt: skip

    ax.legend(handles=handles, loc="upper right", frameon=True, framealpha=0.9, fontsize=9)
    ax.set_title(mode, fontsize=9, color="#555555", loc="left")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color("#d4d4d4")
    return _png(fig)


def realism_figure(bins: dict) -> str | None:
    """The realism histogram of ``presentation.realism_bins``: the least realistic bins in red, a
    dashed line at their cutoff. ``None`` without scores."""
    from matplotlib.figure import Figure

    edges = np.asarray(bins.get("edges") or [], dtype=float)
    if edges.size < 2:
        return None
    fig = Figure(figsize=(9.5, 2.8))
    ax = fig.add_subplot()
    colors = [UNCOVERED_COLOR if marked else SYNTHETIC_COLOR for marked in bins["marked"]]
    ax.bar(edges[:-1], bins["counts"], width=np.diff(edges), align="edge", color=colors, alpha=0.85)
    cutoff = bins.get("cutoff")
    if cutoff is not None:
        ax.axvline(cutoff, color="#444444", ls="--", lw=1)
        ax.annotate(
            " least realistic tenth", (cutoff, 1), xycoords=("data", "axes fraction"),
            va="top", ha="left", fontsize=8, color="#444444",
        )  # fmt: skip
    ax.set_xlabel("realism (higher = more realistic)", fontsize=9)
    ax.set_ylabel("synthetic images", fontsize=9)
    ax.tick_params(labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _png(fig)
