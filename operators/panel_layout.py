"""The layout of the "Synthetic vs Real" panel (panel.py): a run's presentation as FiftyOne panel
components, top to bottom, and the data of its tables."""

from __future__ import annotations

import fiftyone.operators.types as types

from fiftyone_plugin import defaults
from fiftyone_plugin.report.figures import REAL_COLOR, SYNTHETIC_COLOR
from fiftyone_plugin.report.grades import GRADE_COLORS, NEUTRAL, POOR, format_value
from fiftyone_plugin.report.metric_cards import metric_groups

from .forms import markdown_table

#: Height of a gallery image, in pixels.
THUMB_PX = 80


def layout(ctx, model: dict, handlers):
    """The panel's layout for ``model`` (see panel.panel_model); buttons, rows and clicks call
    the methods of ``handlers`` (the panel)."""
    from .panel_classes import classes_section, labels_section  # it uses this module's helpers

    panel = types.Object()
    if not model.get("runs"):
        _empty_state(panel, model, handlers)
    else:
        _toolbar(panel, model, handlers)
        _headline_section(panel, model)
        _regions_section(panel, model, ctx, handlers)
        classes_section(panel, model, ctx, handlers)
        _gallery_section(panel, model, handlers)
        _generate_next_section(panel, model)
        _realism_section(panel, model, ctx, handlers)
        labels_section(panel, model, ctx)
        _history_section(panel, model, ctx, handlers)
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


def data_key(ctx, name: str) -> str:
    """The panel-data key of table or plot ``name`` in the current generation (see ``SynthGapPanel._load``)."""
    return f"{name}_{ctx.panel.state.gen or 0}"


def table_data(rows: list[dict], columns, selected: int | None = None) -> dict:
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
    if head.get("advice"):
        _text(box, "advice", f"Next: {head['advice']}", font_size="0.9rem", bold=True,
              padding="0.25rem 0")  # fmt: skip
    flagged = sorted(head["flagged"].items(), key=lambda item: item[1] != POOR)  # poor first
    if flagged:
        text = "Flagged: " + " · ".join(f"{label} ({level})" for label, level in flagged)
        _text(box, "flagged", text, color=GRADE_COLORS[flagged[0][1]], font_size="0.9rem")
    style = head.get("style_flagged") or {}
    if style:
        text = "Style, before it is removed: " + " · ".join(f"{k} ({v})" for k, v in style.items())
        _text(box, "style_flagged", text, color="text.secondary", font_size="0.9rem")
    if model.get("count_line"):
        _text(box, "counts", model["count_line"], font_size="0.95rem")
    for i, (heading, cards) in enumerate(metric_groups(model.get("metrics") or [])):
        _text(panel, f"metrics_{i}_title", heading, bold=True, padding="0.5rem 0 0 0")
        _metric_cards(panel.grid(f"metrics_{i}", gap=1), cards)


def _metric_cards(grid, cards: list[dict]) -> None:
    for card in cards:
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
    panel.list(data_key(ctx, "regions"), types.Object(), view=table)
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


def _generate_next_section(panel, model: dict) -> None:
    targets = model.get("generate_next") or []
    if not targets:
        return
    _section(
        panel,
        "generate_next",
        "Where to generate next",
        "Most needed first: how many synthetic images each place lacks for its expected share.",
    )
    rows = [{**t, "n_real": format_value(t["n_real"]), "needed": format_value(t["needed"])}
            for t in targets]  # fmt: skip
    panel.md(
        markdown_table(rows, ["name", "kind", "n_real", "needed"],
                       ["where", "kind", "real images", "synthetic needed"]),
        name="generate_next_table",
    )  # fmt: skip


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
        data_key(ctx, "realism"),
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
            data_key(ctx, "history_plot"),
            layout=(model.get("history") or {}).get("layout") or {},
            config={"displayModeBar": False},
            on_click=handlers.show_history_run,
        )
    table = types.TableView(componentsProps=_cy("synthgap-history", "table"))
    for key, label in HISTORY_COLUMNS:
        table.add_column(key, label=label)
    panel.list(data_key(ctx, "history"), types.Object(), view=table)
