"""The "Synthetic vs Real" panel: does the synthetic data stand in for the real data, and where not?

Top to bottom: the verdict and the graded metrics with their readings; the clusters and gap regions
ranked by gap (a click shows their samples); a gallery of real images the synthetic data lacks next
to their nearest synthetic images; the realism histogram (a click shows a bin); the history of
every analysis run of the dataset. Buttons launch the analysis, curation and report operators.

``panel_model`` reads what a run stored into one JSON-safe dict (the panel's state); the other
functions turn plain data into table rows and Plotly figures, and are tested without the App.
"""

from __future__ import annotations

from urllib.parse import quote

import fiftyone.operators as foo
import fiftyone.operators.types as types
import numpy as np

from fiftyone_plugin import defaults
from fiftyone_plugin.report.figures import REAL_COLOR, SYNTHETIC_COLOR, UNCOVERED_COLOR
from fiftyone_plugin.report.grades import (
    FAIR,
    GRADE_COLORS,
    METRICS,
    NEUTRAL,
    POOR,
    VERDICTS,
    format_value,
    grade,
    is_number,
    metric_keys,
    verdict,
)

PLUGIN = "@synthgap/synthgap"
ANALYZE_URI = f"{PLUGIN}/analyze_gap"
CURATE_URI = f"{PLUGIN}/curate_synthetic"
REPORT_URI = f"{PLUGIN}/metrics_report"
ADD_IMAGES_URI = f"{PLUGIN}/add_images"

#: Gap regions shown with a gallery (the largest), and examples per side in each.
MAX_GALLERIES = 6
GALLERY_EXAMPLES = 5
#: Height of a gallery image, in pixels.
THUMB_PX = 80
#: Bins of the realism histogram.
REALISM_BINS = 30
#: Characters of the text bar in the table of clusters and gap regions.
BAR_WIDTH = 16
#: Metrics drawn in the history plot (those on a 0-1 scale, so one axis serves them all).
HISTORY_LINES = ("coverage", "recall", "precision", "density", "c2st_auc", "uncovered_fraction")
_HISTORY_COLORS = ("#2563eb", "#16a34a", "#9333ea", "#0891b2", "#ea7317", "#dc2626")

#: Diagnosis kinds (core/pipeline.py) in plain words; an unknown kind is shown as its name.
DIAGNOSES = {
    "no-gap": "No gap: the synthetic data looks like the real data and covers it",
    "missing-content": "Missing content: some kinds of real images have no synthetic counterpart",
    "style-shift": "Style shift: the same content, rendered differently everywhere",
    "style-shift+missing-content": "Both: a style shift everywhere, and missing content",
    "separable": "Separable: the two sides differ beyond a global style shift",
}


# ---------------------------------------------------------------------------------------------
# Pure functions: stored results -> what the panel shows


def summary_document(summary: dict) -> dict:
    """A run's stored summary flattened the way the HTML report reads it: metric values at the top
    level beside ``readings``, ``diagnosis``, ``clusters``, ``regions`` and ``config``."""
    return {**(summary.get("metrics") or {}), **summary}


def kind_words(kind) -> str:
    """A diagnosis kind as words: "style-shift+missing-content" -> "style shift + missing
    content"."""
    return str(kind or "").replace("+", " + ").replace("-", " ").replace("_", " ")


def headline(document: dict) -> dict:
    """The verdict: ``answer`` (Yes, largely / Partly / No / Unclear), its ``grade`` and
    ``color``, the verdict's ``sentence``, the diagnosis ``text`` and ``kind`` in plain words, and
    the metrics that pulled the verdict down (``flagged``: label -> grade)."""
    answer, level, sentence = VERDICTS[verdict(document)]
    diagnosis = document.get("diagnosis") or {}
    if not isinstance(diagnosis, dict):
        diagnosis = {"text": str(diagnosis)}
    kind = diagnosis.get("kind")
    flagged = {
        METRICS.get(k, (k,))[0]: grade(k, document[k], document)
        for k in metric_keys(document)
        if grade(k, document[k], document) in (POOR, FAIR)
    }
    return {
        "answer": answer,
        "grade": level,
        "color": GRADE_COLORS[level],
        "sentence": sentence,
        "diagnosis": diagnosis.get("text") or "",
        "kind": DIAGNOSES.get(kind, kind_words(kind)) if kind else "",
        "flagged": flagged,
    }


def metric_cards(document: dict) -> list[dict]:
    """One card per metric the report shows, in the report's order: ``key``, ``label``, ``value``
    (formatted as the report prints it), ``grade``, ``color``, ``asks`` and the stored
    ``reading``."""
    readings = document.get("readings") or {}
    cards = []
    for key in metric_keys(document):
        if key.startswith("n_"):  # sample counts: shown in the count line, not as metrics
            continue
        label, asks = METRICS.get(key, (key.replace("_", " "), ""))
        value = format_value(document[key])
        if key == "kid_mean" and is_number(document.get("kid_std")):
            value += f" ± {format_value(document['kid_std'])}"
        level = grade(key, document[key], document)
        cards.append(
            {
                "key": key,
                "label": label,
                "value": value,
                "grade": level,
                "color": GRADE_COLORS[level],
                "asks": asks,
                "reading": readings.get(key) or "",
            }
        )
    return cards


def count_line(document: dict) -> str:
    """e.g. "120 real · 80 synthetic · 30 real uncovered (25%) · 2 gap regions"."""
    parts = []
    for key, what in (("n_real", "real"), ("n_synthetic", "synthetic")):
        if is_number(document.get(key)):
            parts.append(f"{format_value(document[key])} {what}")
    n_real, n_uncovered = document.get("n_real"), document.get("n_uncovered")
    if is_number(n_uncovered):
        share = f" ({n_uncovered / n_real:.0%})" if is_number(n_real) and n_real > 0 else ""
        parts.append(f"{format_value(n_uncovered)} real uncovered{share}")
    n_regions = document.get("n_gap_regions", len(document.get("regions") or []))
    if is_number(n_regions):
        parts.append(f"{format_value(n_regions)} gap region{'' if n_regions == 1 else 's'}")
    return " · ".join(parts)


def text_bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """``fraction`` (0-1) as a bar of ``width`` characters, e.g. "██████░░░░"."""
    fraction = min(max(float(fraction), 0.0), 1.0) if is_number(fraction) else 0.0
    filled = int(round(fraction * width))
    if fraction > 0 and filled == 0:
        filled = 1
    return "█" * filled + "░" * (width - filled)


def region_rows(regions: list) -> list[dict]:
    """Table rows for the clusters and gap regions of ``fo.regions.list_regions`` (already sorted
    by gap, largest first): ``key``, ``kind``, ``name``, ``status``, ``real``, ``synthetic``,
    ``gap`` (real samples without synthetic counterparts) and ``bar`` (gap relative to the
    largest)."""
    largest = max((r.gap for r in regions), default=0.0)
    rows = []
    for r in regions:
        kind = "gap region" if r.kind == "region" else "cluster"
        rows.append(
            {
                "key": r.key,
                "kind": kind,
                "name": r.name,
                "status": kind + (f", {r.status}" if r.status else ""),
                "real": int(r.n_real),
                "synthetic": int(r.n_synthetic),
                "gap": int(round(r.gap)),
                "bar": text_bar(r.gap / largest if largest > 0 else 0.0),
            }
        )
    return rows


def media_url(path: str) -> str:
    """The App's URL of local image file ``path``."""
    return "/media?filepath=" + quote(str(path), safe="")


def galleries(
    regions: list[dict], limit: int = MAX_GALLERIES, n: int = GALLERY_EXAMPLES
) -> list[dict]:
    """Real examples of the ``limit`` largest gap regions next to their nearest synthetic images:
    ``name``, ``facts`` (one line), ``real`` and ``synthetic`` (lists of {url, path, id})."""

    def size(region: dict) -> float:
        return region["size"] if is_number(region.get("size")) else 0

    def examples(region: dict, side: str) -> list[dict]:
        paths = list(region.get(f"{side}_filepaths") or [])[:n]
        ids = list(region.get(f"{side}_ids") or [])[:n]
        ids += [None] * (len(paths) - len(ids))
        return [{"url": media_url(p), "path": p, "id": i} for p, i in zip(paths, ids, strict=True)]

    shown = []
    for region in sorted(regions, key=lambda r: -size(r))[:limit]:
        facts = []
        if is_number(region.get("size")):
            facts.append(
                f"{format_value(region['size'])} real images without a synthetic look-alike"
            )
        if is_number(region.get("distance_to_synthetic")):
            facts.append(
                f"distance to nearest synthetic {format_value(region['distance_to_synthetic'])}"
            )
        shown.append(
            {
                "name": str(region.get("name") or "unnamed region"),
                "facts": " · ".join(facts),
                "real": examples(region, "representative"),
                "synthetic": examples(region, "nearest_synthetic"),
            }
        )
    return shown


def realism_histogram(scores, marked_fraction: float = 0.1, bins: int = REALISM_BINS) -> dict:
    """Histogram of synthetic realism scores as a Plotly bar trace, bins holding the least
    realistic ``marked_fraction`` in red. Returns {``data``, ``layout``, ``edges``, ``cutoff``}
    (``edges``: bin edges, so a click on bar i means ``edges[i] <= realism <= edges[i+1]``);
    ``data`` is empty without finite scores."""
    scores = np.asarray([np.nan if s is None else s for s in scores], dtype=float)
    scores = scores[np.isfinite(scores)]
    if scores.size == 0:
        return {"data": [], "layout": {}, "edges": [], "cutoff": None}
    lo, hi = float(scores.min()), float(scores.max())
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(scores, bins=bins, range=(lo, hi))
    cutoff = float(np.quantile(scores, marked_fraction))
    centers = (edges[:-1] + edges[1:]) / 2
    colors = [UNCOVERED_COLOR if left <= cutoff else SYNTHETIC_COLOR for left in edges[:-1]]
    data = [
        {
            "type": "bar",
            "x": centers.tolist(),
            "y": counts.tolist(),
            "width": float(edges[1] - edges[0]),
            "marker": {"color": colors},
            "customdata": [
                [float(a), float(b)] for a, b in zip(edges[:-1], edges[1:], strict=True)
            ],
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
    return {"data": data, "layout": layout, "edges": edges.tolist(), "cutoff": cutoff}


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


def history_rows(rows: list[dict]) -> list[dict]:
    """The run history as table rows, newest first, numbers formatted as the report prints them."""
    table = []
    for r in reversed(rows):
        row = {"key": r.get("run"), "run": r.get("run"), "time": str(r.get("timestamp", ""))[:16]}
        for key in ("coverage", "recall", "precision", "c2st_auc", "fid"):
            row[key] = format_value(r.get(key))
        row["diagnosis"] = kind_words(r.get("diagnosis"))
        table.append(row)
    return table


# ---------------------------------------------------------------------------------------------
# Reading a stored run


def panel_model(dataset, run: str | None = None) -> dict:
    """Everything the panel shows for analysis ``run`` of ``dataset`` (the newest when ``None`` or
    unknown), JSON-safe. ``runs`` is empty when the dataset has no analysis yet."""
    from fiftyone_plugin.fo.regions import list_regions
    from fiftyone_plugin.fo.report import run_history
    from fiftyone_plugin.fo.runs import RunNames, list_analyses, load_summary

    runs = list_analyses(dataset)
    has_domains = dataset.has_sample_field(defaults.DOMAIN_FIELD)
    if not runs:
        return {"dataset": dataset.name, "runs": [], "run": None, "has_domains": has_domains}
    run = run if run in runs else runs[-1]
    names = RunNames(run)
    document = summary_document(load_summary(dataset, run))
    history = run_history(dataset)
    saved = set(dataset.list_saved_views())
    realism_field = names.field("realism")
    scores = (
        dataset.exists(realism_field).values(realism_field)
        if dataset.has_sample_field(realism_field)
        else []
    )
    return {
        "dataset": dataset.name,
        "run": run,
        "runs": [
            {"run": key, "label": f"{key} ({str(dataset.get_run_info(key).timestamp)[:16]})"}
            for key in reversed(runs)
        ],
        "has_domains": has_domains,
        "brain_key": names.brain_key if dataset.has_brain_run(names.brain_key) else None,
        "headline": headline(document),
        "counts": count_line(document),
        "metrics": metric_cards(document),
        "regions": region_rows(list_regions(dataset, run)),
        "galleries": galleries(document.get("regions") or []),
        "realism": realism_histogram(scores),
        "history": history_plot(history, current=run),
        "history_rows": history_rows(history),
        "views": {
            short: names.view(short) if names.view(short) in saved else None
            for short in ("uncovered", "least-realistic")
        },
    }


# ---------------------------------------------------------------------------------------------
# The panel


class SynthGapPanel(foo.Panel):
    @property
    def config(self):
        return foo.PanelConfig(
            name="synthgap_panel",
            label="Synthetic vs Real",
            icon="compare",
            help_markdown=(
                "Is the synthetic data standing in for the real data, and where not? "
                "Shows the stored results of a synthgap analysis run."
            ),
        )

    # -- loading --------------------------------------------------------------------------------

    def _load(self, ctx, run: str | None = None) -> None:
        """Read run ``run`` (default: the one shown, else the newest) into the panel's state (what
        the layout needs) and data (tables and plots).

        Data keys carry a generation number that changes with every load: the App merges new
        lists into old ones element by element, so reusing a key would leave rows of an earlier
        run behind a shorter table. ``set_panel_data`` drops the earlier generation.
        """
        model = panel_model(ctx.dataset, run or ctx.panel.state.run)
        gen = (ctx.panel.state.gen or 0) + 1
        realism, history = model.pop("realism", {}), model.pop("history", {})
        model["realism"] = {k: v for k, v in realism.items() if k != "data"}
        model["history"] = {k: v for k, v in history.items() if k != "data"}
        ctx.panel.state.set({"run": model["run"], "gen": gen, "model": model})
        ctx.ops.set_panel_data(
            {
                f"regions_{gen}": _table(model.get("regions") or [], REGION_COLUMNS),
                f"realism_{gen}": realism.get("data", []),
                f"history_plot_{gen}": history.get("data", []),
                f"history_{gen}": _table(model.get("history_rows") or [], HISTORY_COLUMNS),
            }
        )

    def on_load(self, ctx):
        self._load(ctx)

    def on_change_dataset(self, ctx):
        ctx.panel.state.run = None
        self._load(ctx)

    def refresh(self, ctx):
        self._load(ctx)

    def change_run(self, ctx):
        self._load(ctx, ctx.params.get("value"))

    # -- actions ------------------------------------------------------------------------------

    def show_row(self, ctx):
        """A click on a row of the clusters / gap regions table: show its samples."""
        from fiftyone_plugin.fo.regions import region_view, saved_view_name

        rows = (ctx.panel.state.model or {}).get("regions") or []
        row = ctx.params.get("row")
        if not isinstance(row, int) or not 0 <= row < len(rows):
            return
        run, key = ctx.panel.state.run, rows[row]["key"]
        saved = saved_view_name(ctx.dataset, run, key)
        if saved:
            ctx.ops.set_view(name=saved)
        else:
            ctx.ops.set_view(view=region_view(ctx.dataset, run, key))
        ctx.panel.data.set(_key(ctx, "regions"), _table(rows, REGION_COLUMNS, selected=row))

    def show_realism_bin(self, ctx):
        """A click on a bar of the realism histogram: show the synthetic samples in that bin."""
        from fiftyone import ViewField as F

        from fiftyone_plugin.fo.runs import RunNames

        edges = ((ctx.panel.state.model or {}).get("realism") or {}).get("edges") or []
        idx = ctx.params.get("idx")
        if not isinstance(idx, int) or not 0 <= idx < len(edges) - 1:
            return
        field = RunNames(ctx.panel.state.run).field("realism")
        lo, hi = edges[idx], edges[idx + 1]
        view = ctx.dataset.match(F(defaults.DOMAIN_FIELD) == defaults.SYNTHETIC).match(
            (F(field) >= lo) & (F(field) <= hi)
        )
        ctx.ops.set_view(view=view.sort_by(field))

    def _show_saved(self, ctx, short: str) -> None:
        name = ((ctx.panel.state.model or {}).get("views") or {}).get(short)
        if name and ctx.dataset.has_saved_view(name):
            ctx.ops.set_view(name=name)
        else:
            ctx.ops.notify(
                f"This run saved no '{short}' view; rerun the analysis", variant="warning"
            )

    def show_least_realistic(self, ctx):
        self._show_saved(ctx, "least-realistic")

    def show_uncovered(self, ctx):
        self._show_saved(ctx, "uncovered")

    def show_all(self, ctx):
        ctx.ops.clear_view()
        rows = (ctx.panel.state.model or {}).get("regions") or []
        ctx.panel.data.set(_key(ctx, "regions"), _table(rows, REGION_COLUMNS))

    def show_history_run(self, ctx):
        """A click on a point of the history plot: show that run (the point's ``id``)."""
        run = ctx.params.get("id")
        if run in [r["run"] for r in (ctx.panel.state.model or {}).get("runs") or []]:
            self._load(ctx, run)

    def open_embeddings(self, ctx):
        from .analyze_gap import open_embeddings_panel

        brain_key = (ctx.panel.state.model or {}).get("brain_key")
        if brain_key:
            open_embeddings_panel(ctx, brain_key)

    def run_analysis(self, ctx):
        ctx.prompt(ANALYZE_URI, on_success=self.refresh)

    def run_curation(self, ctx):
        params = {"run": ctx.panel.state.run} if ctx.panel.state.run else None
        ctx.prompt(CURATE_URI, params=params, on_success=self.refresh)

    def run_report(self, ctx):
        params = {"run": ctx.panel.state.run} if ctx.panel.state.run else None
        ctx.prompt(REPORT_URI, params=params)

    def add_images(self, ctx):
        ctx.prompt(ADD_IMAGES_URI, on_success=self.refresh)

    def show_example(self, ctx):
        """A click on a gallery image: show its gap region (real) or the nearest synthetic
        images of that region, and open the image."""
        from fiftyone_plugin.fo.runs import RunNames

        name, side, sample_id = (ctx.params.get(k) for k in ("region", "side", "id"))
        gallery = next(
            (g for g in (ctx.panel.state.model or {}).get("galleries") or [] if g["name"] == name),
            None,
        )
        if gallery is None or not sample_id:
            return
        saved = RunNames(ctx.panel.state.run).view(name)
        if side == "real" and ctx.dataset.has_saved_view(saved):
            ctx.ops.set_view(name=saved)
        else:
            ids = [e["id"] for e in gallery[side] if e["id"]]
            ctx.ops.set_view(view=ctx.dataset.select(ids, ordered=True))
        ctx.ops.open_sample(id=sample_id)

    # -- layout -------------------------------------------------------------------------------

    def render(self, ctx):
        panel = types.Object()
        model = ctx.panel.state.model or {}
        if not model.get("runs"):
            _empty_state(panel, model, self)
        else:
            _toolbar(panel, model, self)
            _headline_section(panel, model)
            _regions_section(panel, model, ctx, self)
            _gallery_section(panel, model, self)
            _realism_section(panel, model, ctx, self)
            _history_section(panel, model, ctx, self)
        # one column as wide as the panel: wide tables scroll, image rows wrap
        fit = {"grid": {"sx": {"gridTemplateColumns": "minmax(0, 1fr)"}}}
        return types.Property(
            panel, view=types.GridView(orientation="vertical", gap=2, componentsProps=fit)
        )


REGION_COLUMNS = (
    ("name", "Name"),
    ("status", "What"),
    ("real", "Real"),
    ("synthetic", "Synthetic"),
    ("gap", "Gap"),
    ("bar", "Real images without synthetic counterparts"),
)


HISTORY_COLUMNS = (
    ("run", "Run"), ("time", "Time"), ("coverage", "Coverage"), ("recall", "Recall"),
    ("precision", "Precision"), ("c2st_auc", "Domain AUC"), ("fid", "FID"),
    ("diagnosis", "Diagnosis"),
)  # fmt: skip


def _key(ctx, name: str) -> str:
    """The panel-data key of table or plot ``name`` in the current generation (see ``_load``)."""
    return f"{name}_{ctx.panel.state.gen or 0}"


def _table(rows: list[dict], columns, selected: int | None = None) -> dict:
    """Rows in the TableView's {columns, rows, selected_rows} form, each with an ``id`` (the App
    keys table rows by it: without one, rows of an earlier run linger after a switch)."""
    keys = ["id"] + [key for key, _ in columns]
    return {
        "columns": keys,
        "rows": [
            [row.get("key", i)] + [row.get(k) for k in keys[1:]] for i, row in enumerate(rows)
        ],
        "selected_rows": [] if selected is None else [selected],
    }


#: ``componentsProps`` letting an item of a wrapping grid take its own width (instead of a row).
_AUTO = {"item": {"sx": {"width": "auto"}}}


def _cy(tag: str, part: str = "text") -> dict:
    """``componentsProps`` giving a component's ``part`` the attribute ``data-cy=tag`` (for tests
    and for users' own App automation); tables also drop their 650 px minimum width."""
    props = {"data-cy": tag}
    if part == "table":
        props["sx"] = {"minWidth": 0}
    return {part: props}


def _text(panel, name: str, text: str, **kwargs) -> None:
    kwargs.setdefault("color", "text.primary")
    kwargs.setdefault("padding", "0")
    kwargs.setdefault("componentsProps", _cy(f"synthgap-{name}"))
    panel.view(name, types.TextView(title=text, **kwargs))


def _section(panel, name: str, title: str, intro: str) -> None:
    _text(panel, f"{name}_title", title, bold=True, font_size="1.25rem", padding="1rem 0 0 0")
    _text(panel, f"{name}_intro", intro, color="text.secondary", font_size="0.9rem")


def _empty_state(panel, model: dict, handlers) -> None:
    _section(
        panel,
        "empty",
        "No synthgap analysis yet",
        "An analysis tells whether the synthetic images of this dataset stand in for its real "
        "ones, which real content they miss, and which synthetic images look least real.",
    )
    marked = (
        f"done: the dataset has a `{defaults.DOMAIN_FIELD}` field"
        if model.get("has_domains")
        else "with *Add real or synthetic images* or *Mark as real or synthetic*"
    )
    panel.md(
        f"1. Mark each sample **real** or **synthetic** ({marked}).\n"
        "2. Run **Analyze the synthetic-to-real gap** (the button below, or from the operator "
        "browser); it computes embeddings where they are missing.\n"
        "3. Come back here: the panel shows the verdict, the gaps and the realism of the run.",
        name="empty_steps",
    )
    row = panel.h_stack("empty_actions", gap=1)
    row.btn("empty_analyze", label="Run analysis", icon="play_arrow", variant="contained",
            on_click=handlers.run_analysis)  # fmt: skip
    row.btn("empty_add", label="Add images", icon="add_photo_alternate", variant="outlined",
            on_click=handlers.add_images)  # fmt: skip
    row.btn("empty_refresh", label="Refresh", icon="refresh", variant="outlined",
            on_click=handlers.refresh)  # fmt: skip


def _toolbar(panel, model: dict, handlers) -> None:
    runs = types.DropdownView(label="Analysis run", description="Which run the panel shows")
    for r in model["runs"]:
        runs.add_choice(r["run"], label=r["label"])
    panel.enum(
        "run", [r["run"] for r in model["runs"]], default=model["run"], view=runs,
        on_change=handlers.change_run,
    )  # fmt: skip
    bar = panel.grid("toolbar", gap=1)  # wraps when the panel is narrow
    buttons = [
        ("analyze", "Run analysis", "play_arrow", handlers.run_analysis),
        ("curate", "Curate synthetic", "filter_alt", handlers.run_curation),
        ("report", "Metrics and report", "description", handlers.run_report),
        ("reset", "Show all samples", "restart_alt", handlers.show_all),
        ("refresh", "Refresh", "refresh", handlers.refresh),
    ]
    if model.get("brain_key"):
        buttons.insert(3, ("embeddings", "Open in Embeddings", "scatter_plot",
                           handlers.open_embeddings))  # fmt: skip
    for name, label, icon, handler in buttons:
        bar.btn(name, label=label, icon=icon, variant="outlined", on_click=handler,
                componentsProps=_AUTO)  # fmt: skip


def _headline_section(panel, model: dict) -> None:
    head = model["headline"]
    box = panel.v_stack("verdict", gap=0)
    _text(box, "question", "Is the synthetic data standing in for the real data?",
          color="text.secondary", font_size="0.9rem")  # fmt: skip
    _text(box, "answer", head["answer"], color=head["color"], bold=True, font_size="1.8rem")
    if head["diagnosis"]:
        _text(box, "diagnosis", head["diagnosis"], font_size="1rem")
    if head["kind"]:
        _text(box, "diagnosis_kind", head["kind"], color="text.secondary", font_size="0.9rem",
              italic=True)  # fmt: skip
    _text(box, "sentence", head["sentence"], color="text.secondary", font_size="0.9rem")
    flagged = sorted(head["flagged"].items(), key=lambda item: item[1] != POOR)  # poor first
    if flagged:
        text = "Flagged: " + " · ".join(f"{label} ({level})" for label, level in flagged)
        _text(box, "flagged", text, color=GRADE_COLORS[flagged[0][1]], font_size="0.9rem")
    if model.get("counts"):
        _text(box, "counts", model["counts"], font_size="0.95rem")

    grid = panel.grid("metrics", gap=1)
    for card in model.get("metrics") or []:
        key = card["key"]
        cell = grid.v_stack(f"metric_{key}", gap=0, width="230px", variant="outline")
        _text(
            cell, f"metric_{key}_label", card["label"], color="text.secondary", font_size="0.85rem"
        )
        _text(cell, f"metric_{key}_value", card["value"], color=card["color"], bold=True,
              font_size="1.4rem")  # fmt: skip
        if card["grade"] != NEUTRAL:
            _text(cell, f"metric_{key}_grade", card["grade"], color=card["color"],
                  font_size="0.75rem", text_transform="uppercase")  # fmt: skip
        if card["reading"] or card["asks"]:
            _text(
                cell, f"metric_{key}_reading", card["reading"] or card["asks"], font_size="0.85rem"
            )


def _regions_section(panel, model: dict, ctx, handlers) -> None:
    _section(
        panel,
        "regions",
        "Clusters and gap regions",
        "Ranked by gap: the real images without synthetic counterparts. Click a row to show its "
        "samples in the grid.",
    )
    rows = model.get("regions") or []
    if not rows:
        _text(panel, "regions_empty", "This run stored no clusters or gap regions.")
        return
    table = types.TableView(
        on_click_row=handlers.show_row, componentsProps=_cy("synthgap-regions", "table")
    )
    for key, label in REGION_COLUMNS:
        table.add_column(key, label=label)
    panel.list(_key(ctx, "regions"), types.Object(), view=table)
    actions = panel.h_stack("region_actions", gap=1)
    if (model.get("views") or {}).get("uncovered"):
        actions.btn("show_uncovered", label="Show every uncovered real image", icon="visibility",
                    on_click=handlers.show_uncovered)  # fmt: skip


def _gallery_section(panel, model: dict, handlers) -> None:
    shown = model.get("galleries") or []
    if not shown:
        return
    _section(
        panel,
        "gallery",
        "What the synthetic data lacks",
        "Per gap region: real images with no synthetic look-alike, and the synthetic images "
        "nearest to them. Click an image to open it among its group.",
    )
    for i, region in enumerate(shown):
        box = panel.v_stack(f"gallery_{i}", gap=0)
        _text(box, f"gallery_{i}_name", region["name"], bold=True)
        if region["facts"]:
            _text(box, f"gallery_{i}_facts", region["facts"], color="text.secondary",
                  font_size="0.85rem")  # fmt: skip
        for side, label, color in (
            ("real", "real, uncovered", REAL_COLOR),
            ("synthetic", "nearest synthetic", SYNTHETIC_COLOR),
        ):
            if not region[side]:
                continue
            row = box.grid(f"gallery_{i}_{side}", gap=1, align_y="center")  # wraps when narrow
            props = {**_cy(f"synthgap-gallery_{i}_{side}"), **_AUTO}
            _text(row, f"gallery_{i}_{side}_label", label, color=color, font_size="0.8rem",
                  width="110px", componentsProps=props)  # fmt: skip
            for j, example in enumerate(region[side]):
                row.str(
                    f"gallery_{i}_{side}_{j}",
                    default=example["url"],
                    view=types.ImageView(
                        height=f"{THUMB_PX}px",
                        alt=example["path"],
                        operator=handlers.show_example,
                        params={"region": region["name"], "side": side, "id": example["id"]},
                        componentsProps=_AUTO,
                    ),
                )


def _realism_section(panel, model: dict, ctx, handlers) -> None:
    _section(
        panel,
        "realism",
        "Realism of the synthetic images",
        "How real each synthetic image looks (higher = more realistic). Red bars hold the least "
        "realistic tenth. Click a bar to show its images.",
    )
    realism = model.get("realism") or {}
    if not realism.get("edges"):
        _text(panel, "realism_empty", "This run stored no realism scores.")
        return
    panel.plot(
        _key(ctx, "realism"),
        layout=realism.get("layout") or {},
        config={"displayModeBar": False},
        on_click=handlers.show_realism_bin,
    )
    panel.btn("show_least_realistic", label="Show the least realistic", icon="visibility",
              variant="outlined", on_click=handlers.show_least_realistic)  # fmt: skip


def _history_section(panel, model: dict, ctx, handlers) -> None:
    runs = model.get("history_rows") or []
    _section(
        panel,
        "history",
        "History",
        f"{len(runs)} analysis run{'' if len(runs) == 1 else 's'} of this dataset: is the "
        "simulator improving?" + (" Click a point to show that run." if len(runs) > 1 else ""),
    )
    if len(runs) > 1:
        panel.plot(
            _key(ctx, "history_plot"),
            layout=(model.get("history") or {}).get("layout") or {},
            config={"displayModeBar": False},
            on_click=handlers.show_history_run,
        )
    table = types.TableView(componentsProps=_cy("synthgap-history", "table"))
    for key, label in HISTORY_COLUMNS:
        table.add_column(key, label=label)
    panel.list(_key(ctx, "history"), types.Object(), view=table)
