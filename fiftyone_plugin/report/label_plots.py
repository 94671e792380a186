"""Plotly figures (plain JSON dicts, as plots.py makes them) of a run with labels, for the App
panel: the class frequencies of both sides and the probe's accuracy per class."""

from __future__ import annotations

from .classes import probe_series
from .figures import REAL_COLOR, SYNTHETIC_COLOR


def _bars(names: list[str], series: list[tuple[str, list, str]], title: str) -> dict:
    data = [
        {"type": "bar", "name": label, "x": names, "y": values, "marker": {"color": color},
         "hovertemplate": "%{x}: %{y:.0%}<extra>" + label + "</extra>"}
        for label, values, color in series
    ]  # fmt: skip
    layout = {
        "height": 260,
        "barmode": "group",
        "yaxis": {"title": {"text": title}, "tickformat": ".0%"},
        # the App's plots hide the legend unless asked; above the bars, inside the top margin
        "showlegend": True,
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "margin": {"t": 40, "l": 56, "b": 64, "r": 8},
    }
    return {"data": data, "layout": layout}


def class_frequency_plot(comparisons: list[dict]) -> dict:
    """Share of each class on both sides (the "classes" entry of classes.label_comparisons);
    {data, layout}, ``data`` empty without classes."""
    c = next((c for c in comparisons if c.get("key") == "classes"), None)
    if not c or not c.get("classes"):
        return {"data": [], "layout": {}}
    return _bars(
        c["classes"],
        [("real", c["real"], REAL_COLOR), ("synthetic", c["synthetic"], SYNTHETIC_COLOR)],
        f"share of {c['title'].split('(')[-1].rstrip(')')}",
    )


def probe_plot(rows: list[dict], unit: str = "images") -> dict:
    """Per class: the probe's accuracy on the real ``unit`` per training (classes.probe_series);
    {data, layout}, ``data`` empty without a probe."""
    rows = [r for r in rows if r.get("probe_accuracy_real") is not None]
    if not rows:
        return {"data": [], "layout": {}}
    return _bars([r["class"] for r in rows], probe_series(rows), f"accuracy on real {unit}")
