"""Plotly figures (plain JSON dicts: ``data`` traces and a ``layout``) of a run's presentation, as
the App panel draws them: the realism histogram and the run history."""

from __future__ import annotations

from .figures import SYNTHETIC_COLOR, UNCOVERED_COLOR
from .grades import METRICS, is_number

#: Metrics drawn in the history plot (those on a 0-1 scale, so one axis serves them all).
HISTORY_LINES = ("coverage", "recall", "precision", "density", "c2st_auc", "uncovered_fraction")
_HISTORY_COLORS = ("#2563eb", "#16a34a", "#9333ea", "#0891b2", "#ea7317", "#dc2626")


def realism_plot(bins: dict) -> dict:
    """The realism histogram of ``presentation.realism_bins`` as a Plotly bar trace, the least
    realistic bins in red. Returns {``data``, ``layout``, ``edges``, ``cutoff``} (a click on bar
    i means ``edges[i] <= realism <= edges[i+1]``); ``data`` is empty without scores."""
    edges, cutoff = bins.get("edges") or [], bins.get("cutoff")
    if not edges:
        return {"data": [], "layout": {}, "edges": [], "cutoff": None}
    lefts, rights = edges[:-1], edges[1:]
    colors = [UNCOVERED_COLOR if marked else SYNTHETIC_COLOR for marked in bins["marked"]]
    data = [
        {
            "type": "bar",
            "x": [(a + b) / 2 for a, b in zip(lefts, rights, strict=True)],
            "y": list(bins["counts"]),
            "width": float(edges[1] - edges[0]),
            "marker": {"color": colors},
            "customdata": [[float(a), float(b)] for a, b in zip(lefts, rights, strict=True)],
            "hovertemplate": "realism %{customdata[0]:.3f} – %{customdata[1]:.3f}<br>"
            "%{y} synthetic images<extra></extra>",
            "name": "synthetic images",
        }
    ]
    layout = {
        "height": 240,
        "bargap": 0.05,
        "xaxis": {"title": {"text": "realism (higher = more realistic)"}},
        "yaxis": {"title": {"text": "synthetic images"}},
        "shapes": [
            {
                "type": "line", "x0": cutoff, "x1": cutoff, "yref": "paper", "y0": 0, "y1": 1,
                "line": {"color": "#444444", "dash": "dash", "width": 1},
            }
        ],
        "margin": {"t": 8, "l": 56, "b": 48, "r": 8},
    }  # fmt: skip
    return {"data": data, "layout": layout, "edges": list(edges), "cutoff": cutoff}


def history_plot(rows: list[dict], current: str | None = None) -> dict:
    """The metrics of every run (rows of ``fo.report.run_history``, oldest first) as Plotly
    lines over time, one per metric in ``HISTORY_LINES``; the ``current`` run is ringed.
    Returns {``data``, ``layout``}; ``data`` is empty without runs."""
    if not rows:
        return {"data": [], "layout": {}}
    x = [str(r.get("timestamp", ""))[:19] for r in rows]
    runs = [r.get("run") for r in rows]
    data = []
    for key, color in zip(HISTORY_LINES, _HISTORY_COLORS, strict=True):
        y = [r.get(key) if is_number(r.get(key)) else None for r in rows]
        if all(v is None for v in y):
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": METRICS.get(key, (key,))[0],
                "x": x,
                "y": y,
                "text": runs,
                "ids": runs,  # a click reports the run as the point's id
                "line": {"color": color},
                "marker": {
                    "size": [12 if run == current else 7 for run in runs],
                    "color": color,
                },
                "hovertemplate": "%{text}<br>%{fullData.name}: %{y:.3f}<extra></extra>",
            }
        )
    layout = {
        "height": 260,
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.25},
        "yaxis": {"title": {"text": "metric value"}, "rangemode": "tozero"},
        "xaxis": {
            "title": {"text": "run time"},
            "type": "category" if len(set(x)) < len(x) else "-",
        },
        "margin": {"t": 8, "l": 56, "b": 40, "r": 8},
    }
    return {"data": data, "layout": layout}
