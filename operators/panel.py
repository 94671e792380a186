"""The "Synthetic vs Real" panel: does the synthetic data stand in for the real data, and where not?

Top to bottom: the verdict and the graded metrics with their readings; the clusters and gap regions
ranked by gap (a click shows their samples); a gallery of real images the synthetic data lacks next
to their nearest synthetic images; the realism histogram (a click shows a bin); the history of
every analysis run of the dataset. Buttons launch the analysis, curation and report operators.

What the panel says is the run's presentation (fiftyone_plugin/report/presentation.py), the same
the HTML report and the operators' outputs render; ``panel_model`` adds what the panel navigates
by and keeps it in the panel's state. This module handles the panel's events; panel_layout.py
lays the model out.
"""

from __future__ import annotations

import fiftyone.operators as foo

from fiftyone_plugin import defaults

from .panel_classes import class_data, show_class, sort_classes
from .panel_layout import HISTORY_COLUMNS, REGION_COLUMNS, data_key, layout, table_data

PLUGIN = "@synthgap/synthgap"
ANALYZE_URI = f"{PLUGIN}/analyze_gap"
CURATE_URI = f"{PLUGIN}/curate_synthetic"
REPORT_URI = f"{PLUGIN}/metrics_report"
ADD_IMAGES_URI = f"{PLUGIN}/add_images"

#: Gap regions shown with a gallery (the largest), and examples per side in each.
MAX_GALLERIES = 6
GALLERY_EXAMPLES = 5


def panel_model(dataset, run: str | None = None) -> dict:
    """Everything the panel shows for analysis ``run`` of ``dataset`` (the newest when ``None`` or
    unknown), JSON-safe: the run's presentation (report/presentation.py) with its plots as Plotly
    figures, and what the panel navigates by (runs, visualization, saved views). ``runs`` is empty
    when the dataset has no analysis yet."""
    from fiftyone_plugin.fo.report import stored_presentation
    from fiftyone_plugin.fo.runs import RunNames, list_analyses
    from fiftyone_plugin.fo.units import run_units
    from fiftyone_plugin.report.plots import history_plot, realism_plot

    runs = list_analyses(dataset)
    has_domains = dataset.has_sample_field(defaults.DOMAIN_FIELD)
    if not runs:
        return {"dataset": dataset.name, "runs": [], "run": None, "has_domains": has_domains}
    run = run if run in runs else runs[-1]
    names = RunNames(run)
    shown = stored_presentation(dataset, run, MAX_GALLERIES, GALLERY_EXAMPLES).to_dict()
    saved = set(dataset.list_saved_views())
    return {
        **shown,
        "dataset": dataset.name,
        "run": run,
        "runs": [
            {"run": key, "label": f"{key} ({str(dataset.get_run_info(key).timestamp)[:16]})"}
            for key in reversed(runs)
        ],
        "has_domains": has_domains,
        "brain_key": names.brain_key if dataset.has_brain_run(names.brain_key) else None,
        "patches_field": run_units(dataset, run).patches_field,
        "realism": realism_plot(shown["realism"]),
        "history": history_plot(shown["history"], current=run),
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
                f"regions_{gen}": table_data(model.get("regions") or [], REGION_COLUMNS),
                f"realism_{gen}": realism.get("data", []),
                f"history_plot_{gen}": history.get("data", []),
                f"history_{gen}": table_data(model.get("history_rows") or [], HISTORY_COLUMNS),
                **class_data(model, gen, ctx.panel.state.class_sort),
            }
        )

    def on_load(self, ctx):
        """Load the shown run; a panel opened as a tab over the sample grid moves beside it, so
        that a click here shows its samples in a grid the user sees."""
        from .app_layout import beside_grid

        self._load(ctx)
        spaces = beside_grid(ctx.spaces, ctx.panel_id)
        if spaces is not None:
            ctx.ops.set_spaces(spaces=spaces)

    def on_change_dataset(self, ctx):
        ctx.panel.state.run = None
        self._load(ctx)

    def refresh(self, ctx):
        self._load(ctx)

    def change_run(self, ctx):
        self._load(ctx, ctx.params.get("value"))

    # -- actions ------------------------------------------------------------------------------

    def show_class(self, ctx):
        show_class(ctx)

    def sort_classes(self, ctx):
        sort_classes(ctx)

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
        ctx.panel.data.set(data_key(ctx, "regions"), table_data(rows, REGION_COLUMNS, selected=row))

    def show_realism_bin(self, ctx):
        """A click on a bar of the realism histogram: show the synthetic samples in that bin."""
        from fiftyone import ViewField as F

        from fiftyone_plugin.fo.units import run_units

        edges = ((ctx.panel.state.model or {}).get("realism") or {}).get("edges") or []
        idx = ctx.params.get("idx")
        if not isinstance(idx, int) or not 0 <= idx < len(edges) - 1:
            return
        units = run_units(ctx.dataset, ctx.panel.state.run)
        field = units.path("realism")
        lo, hi = edges[idx], edges[idx + 1]
        view = units.side(defaults.SYNTHETIC).match((F(field) >= lo) & (F(field) <= hi))
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
        ctx.panel.data.set(data_key(ctx, "regions"), table_data(rows, REGION_COLUMNS))

    def show_history_run(self, ctx):
        """A click on a point of the history plot: show that run (the point's ``id``)."""
        run = ctx.params.get("id")
        if run in [r["run"] for r in (ctx.panel.state.model or {}).get("runs") or []]:
            self._load(ctx, run)

    def open_embeddings(self, ctx):
        from .embeddings_panel import open_embeddings

        model = ctx.panel.state.model or {}
        if model.get("brain_key"):
            open_embeddings(ctx, model["brain_key"], model.get("patches_field"))

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
        return layout(ctx, ctx.panel.state.model or {}, self)
