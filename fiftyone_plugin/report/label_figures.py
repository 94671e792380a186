"""The report's figures of a run with labels (PNG data URIs, as figures.py makes them): the label
comparisons of classes.label_comparisons and the probe's accuracy per class."""

from __future__ import annotations

import numpy as np

from .classes import probe_series
from .figures import REAL_COLOR, SYNTHETIC_COLOR, _png

#: Classes drawn in a bar chart (the first ones in the order given); the rest are left out.
MAX_BARS = 40


def _axes(width: float = 9.5, height: float = 2.8, n: int = 1):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    axes = fig.subplots(1, n)
    for ax in np.atleast_1d(axes):
        ax.tick_params(labelsize=8)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    return fig, axes


def _bars(names: list[str], series: list[tuple[str, list, str]], ylabel: str) -> str:
    """Grouped bars: one group per name, one bar per (label, values, colour) series."""
    names = names[:MAX_BARS]
    fig, ax = _axes(max(6.0, min(0.35 * len(names) + 2, 14)))
    x = np.arange(len(names))
    width = 0.8 / len(series)
    for k, (label, values, color) in enumerate(series):
        v = np.array([np.nan if a is None else a for a in values[: len(names)]], dtype=float)
        ax.bar(x + (k - (len(series) - 1) / 2) * width, v, width, label=label, color=color)
    ax.set_xticks(x, names, rotation=45 if len(names) > 8 else 0, ha="right" if len(names) > 8
                  else "center")  # fmt: skip
    ax.set_ylabel(ylabel, fontsize=9)
    ax.legend(fontsize=8, frameon=False)
    return _png(fig)


def comparison_figure(c: dict) -> str | None:
    """The figure of one entry of classes.label_comparisons (None if it has nothing to draw)."""
    key = c.get("key")
    if key == "classes" and c.get("classes"):
        return _bars(c["classes"], [("real", c["real"], REAL_COLOR),
                                    ("synthetic", c["synthetic"], SYNTHETIC_COLOR)],
                     "share")  # fmt: skip
    if key == "class_box_area" and c.get("classes"):
        return _bars(c["classes"], [("synthetic / real median area", c["ratio"], SYNTHETIC_COLOR)],
                     "ratio (1 = same size)")  # fmt: skip
    if key == "position" and c.get("real") is not None:
        fig, axes = _axes(7.0, 3.2, 2)
        for ax, side in zip(axes, ("real", "synthetic"), strict=True):
            ax.imshow(np.asarray(c[side], dtype=float), cmap="Blues" if side == "real" else
                      "Oranges", extent=(0, 1, 1, 0))  # fmt: skip
            ax.set_title(f"{side} box centres", fontsize=9)
            ax.set_xticks([0, 0.5, 1])
            ax.set_yticks([0, 0.5, 1])
        return _png(fig)
    if c.get("bins") and c.get("real") is not None:
        edges = np.asarray(c["bins"], dtype=float)
        fig, ax = _axes()
        for side, color in (("real", REAL_COLOR), ("synthetic", SYNTHETIC_COLOR)):
            ax.stairs(np.asarray(c[side], dtype=float), edges, label=side, color=color, lw=1.8)
        if key in ("box_area", "aspect_ratio"):
            ax.set_xscale("log")
        ax.set_ylabel("share", fontsize=9)
        ax.legend(fontsize=8, frameon=False)
        return _png(fig)
    return None


def probe_figure(rows: list[dict], unit: str = "images") -> str | None:
    """Per class: the probe's accuracy on the real ``unit`` per training (classes.probe_series)."""
    rows = [r for r in rows if r.get("probe_accuracy_real") is not None]
    if not rows:
        return None
    return _bars([r["class"] for r in rows], probe_series(rows), f"accuracy on real {unit}")
