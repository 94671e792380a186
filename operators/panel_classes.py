"""The panel's sections of a run with labels: "Classes" (the probe's verdict, a per-class table
sortable by a choice of column, each row one click from its class's images in the grid, the
probe's accuracy per class) and "Labels" (the label statistics' findings, the class
frequencies). The content is the presentation's ``classes`` part (report/classes.py)."""

from __future__ import annotations

import fiftyone.operators.types as types

from fiftyone_plugin.report.classes import sort_rows
from fiftyone_plugin.report.label_plots import class_frequency_plot, probe_plot
from fiftyone_plugin.report.markup import reading_plain

from .panel_layout import _cy, _section, _text, data_key, table_data

#: The sort the table starts with (report/classes.py SORTS).
DEFAULT_SORT = "worst"


def class_columns(model: dict) -> list[tuple[str, str]]:
    return [tuple(c) for c in (model.get("classes") or {}).get("columns", [])]


def sorted_rows(model: dict, sort: str | None) -> list[dict]:
    """The per-class rows in the order the table shows them; each keyed by its class."""
    rows = (model.get("classes") or {}).get("rows") or []
    return [dict(r, key=f"class:{r['class']}") for r in sort_rows(rows, sort or DEFAULT_SORT)]


def class_data(model: dict, gen: int, sort: str | None = None) -> dict:
    """The panel data of these sections for generation ``gen`` (see SynthGapPanel._load)."""
    classes = model.get("classes")
    if not classes:
        return {}
    return {
        f"classes_{gen}": table_data(sorted_rows(model, sort), class_columns(model)),
        f"probe_plot_{gen}": probe_plot(classes["rows"], classes["run_unit"])["data"],
        f"class_frequency_{gen}": class_frequency_plot(classes["comparisons"])["data"],
    }


def classes_section(panel, model: dict, ctx, handlers) -> None:
    classes = model.get("classes")
    if not classes:
        return
    unit = classes["run_unit"]
    _section(
        panel,
        "classes",
        "Classes",
        f"Per class of '{classes.get('label_field')}': is it missing or lacking part of its real "
        f"variety, and how well does a probe trained on the synthetic {unit} recognise its real "
        f"{unit} (in brackets: trained on real {unit})? Click a row to show the class's images, "
        "the real ones without synthetic counterparts first.",
    )
    probe = classes.get("probe")
    if probe:
        _text(panel, "probe_verdict", f"Training on synthetic: {probe['verdict'] or 'unknown'}",
              color=probe["color"], bold=True, font_size="1.1rem")  # fmt: skip
        _text(panel, "probe_reading", reading_plain(probe["reading"]), font_size="0.95rem")
    else:
        _text(panel, "probe_reading", f"No probe: {classes.get('probe_skipped')}")
    sorts = types.DropdownView(label="Sort classes by")
    for key, label in classes["sorts"].items():
        sorts.add_choice(key, label=label)
    panel.enum("class_sort", list(classes["sorts"]), default=ctx.panel.state.class_sort
               or DEFAULT_SORT, view=sorts, on_change=handlers.sort_classes)  # fmt: skip
    table = types.TableView(
        on_click_row=handlers.show_class, componentsProps=_cy("synthgap-classes", "table")
    )
    for key, label in class_columns(model):
        table.add_column(key, label=label)
    panel.list(data_key(ctx, "classes"), types.Object(), view=table)
    if probe:
        plot = probe_plot(classes["rows"], classes["run_unit"])
        panel.plot(data_key(ctx, "probe_plot"), layout=plot["layout"],
                   config={"displayModeBar": False})  # fmt: skip


def labels_section(panel, model: dict, ctx) -> None:
    classes = model.get("classes")
    if not classes or not classes.get("comparisons"):
        return
    _section(
        panel,
        "labels",
        "Labels compared",
        f"The two sides' {classes.get('kind') or ''} labels: only differences both significant "
        "and large are listed.",
    )
    readings = classes.get("readings") or []
    panel.md("\n".join(f"- {r}" for r in readings) or "No findings.", name="label_readings")
    plot = class_frequency_plot(classes["comparisons"])
    if plot["data"]:
        panel.plot(data_key(ctx, "class_frequency"), layout=plot["layout"],
                   config={"displayModeBar": False})  # fmt: skip
    for c in classes["comparisons"][1:]:
        divergence = c.get("divergence")
        figure = (
            f" ({c.get('divergence_name')}: {divergence:.3f})" if divergence is not None else ""
        )
        _text(panel, f"label_{c['key']}", f"{c['title']}: {reading_plain(c.get('reading', ''))}{figure}",
              font_size="0.9rem")  # fmt: skip


def show_class(ctx) -> None:
    """A click on a row of the per-class table: show the class's images in the grid."""
    from fiftyone_plugin.fo.class_results import class_view

    model = ctx.panel.state.model or {}
    rows = sorted_rows(model, ctx.panel.state.class_sort)
    row = ctx.params.get("row")
    if not isinstance(row, int) or not 0 <= row < len(rows):
        return
    ctx.ops.set_view(view=class_view(ctx.dataset, ctx.panel.state.run, rows[row]["class"]))
    ctx.panel.data.set(
        data_key(ctx, "classes"), table_data(rows, class_columns(model), selected=row)
    )


def sort_classes(ctx) -> None:
    """A new choice in "Sort classes by": reorder the table."""
    model = ctx.panel.state.model or {}
    ctx.panel.state.class_sort = ctx.params.get("value") or DEFAULT_SORT
    rows = sorted_rows(model, ctx.panel.state.class_sort)
    ctx.panel.data.set(data_key(ctx, "classes"), table_data(rows, class_columns(model)))
