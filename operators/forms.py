"""Form pieces and glue shared by the synthgap operators.

Forms flag errors instead of raising (``prop.invalid = True``, ``prop.error_message``), so the App
disables Execute and says why. ``param`` reads a value with the form's default, since operators
run from Python (``execute_operator``) get only the params they are given.
"""

from __future__ import annotations

import fiftyone.core.patches as fop
import fiftyone.operators.types as types

from fiftyone_plugin import defaults

DATASET, CURRENT_VIEW, SELECTED = "DATASET", "CURRENT_VIEW", "SELECTED_SAMPLES"


def param(ctx, name: str, default=None):
    """``ctx.params[name]``, or ``default`` when it is missing or None."""
    value = ctx.params.get(name, None)
    return default if value is None else value


def form_input(ctx, build, label: str):
    """An operator's input: the form that ``build(ctx, inputs)`` fills, titled ``label``."""
    inputs = types.Object()
    build(ctx, inputs)
    return types.Property(inputs, view=types.View(label=label))


def embedding_options(ctx, model: str | None = None):
    """The EmbeddingOptions chosen in the form (the fields it shows: model, device, batch size,
    precision, runtime), the rest at their defaults; image decoders only in a delegated run (an
    App request decodes in its own thread). ``model`` overrides the form's."""
    from fiftyone_plugin.options import EmbeddingOptions

    d = EmbeddingOptions()
    return EmbeddingOptions(
        model=model or param(ctx, "model", d.model),
        device=param(ctx, "device", d.device),
        precision=param(ctx, "precision", d.precision),
        backend=param(ctx, "backend", d.backend),
        batch_size=param(ctx, "batch_size", d.batch_size),
        num_workers=d.num_workers if ctx.delegated else 0,
    )


def reload_dataset(ctx) -> None:
    """Refresh the App after writing to the dataset (only when it waits for this run)."""
    if not ctx.delegated:
        ctx.trigger("reload_dataset")


def default_target(ctx, allow_selected: bool = True) -> str:
    """The selection if there is one, else the current view if it is not the whole dataset."""
    if allow_selected and ctx.selected:
        return SELECTED
    return CURRENT_VIEW if _has_view(ctx) else DATASET


def _has_view(ctx) -> bool:
    base = ctx.view._base_view if isinstance(ctx.view, fop.PatchesView) else ctx.dataset.view()
    return ctx.view != base


def target_view(ctx, inputs, allow_selected: bool = True, action: str = "Process"):
    """Add a Dataset / Current view / Selected samples choice when there is more than the
    dataset to choose from; returns the chosen collection (as the brain plugin does)."""
    has_view, has_selected = _has_view(ctx), allow_selected and bool(ctx.selected)
    default = default_target(ctx, allow_selected)
    if has_view or has_selected:
        choices = types.RadioGroup(orientation="horizontal")
        choices.add_choice(DATASET, label="Entire dataset", description=f"{action} every sample")
        if has_view:
            choices.add_choice(
                CURRENT_VIEW, label="Current view", description=f"{action} the current view"
            )
        if has_selected:
            choices.add_choice(
                SELECTED, label="Selected samples", description=f"{action} the selected samples"
            )
        inputs.enum("target", choices.values(), default=default, label="Target", view=choices)
    return chosen_target(ctx, allow_selected)


def chosen_target(ctx, allow_selected: bool = True):
    """The collection the user chose in ``target_view`` (its default when not given)."""
    target = param(ctx, "target", default_target(ctx, allow_selected))
    if target == SELECTED:
        return ctx.view.select(ctx.selected)
    if target == CURRENT_VIEW:
        return ctx.view
    return ctx.dataset


def domain_choice(inputs, default: str = defaults.REAL, label: str = "Domain") -> None:
    """A real / synthetic radio group named ``domain``."""
    choices = types.RadioGroup(orientation="horizontal")
    choices.add_choice(defaults.REAL, label="Real", description="captured from the real world")
    choices.add_choice(defaults.SYNTHETIC, label="Synthetic", description="generated or rendered")
    inputs.enum(
        "domain", choices.values(), default=default, required=True, label=label, view=choices
    )


def warn(inputs, name: str, message: str, invalid: bool = True):
    """Show ``message`` as a warning; with ``invalid`` the form cannot be executed."""
    prop = inputs.view(name, types.Warning(label=message))
    if invalid:
        prop.invalid = True
        prop.error_message = message
    return prop


def notice(inputs, name: str, message: str):
    """Show ``message`` as an information line."""
    return inputs.view(name, types.Notice(label=message))


def flag(prop, message: str) -> None:
    """Mark form property ``prop`` invalid with ``message``."""
    prop.invalid = True
    prop.error_message = message


def name_error(value, what: str) -> str | None:
    """Why ``value`` is not a valid field / run name, or None."""
    try:
        defaults.validate_name(value, what)
    except ValueError as exc:
        return str(exc)
    return None


def run_choice(ctx, inputs, name: str = "run", description: str | None = None) -> str | None:
    """A dropdown of the dataset's analysis runs (newest first); flags the form when there are none."""
    from fiftyone_plugin.fo.runs import list_analyses

    runs = list_analyses(ctx.dataset)[::-1]
    if not runs:
        warn(inputs, f"{name}_missing", "This dataset has no synthgap analysis yet: run "
             "'Analyze the synthetic-to-real gap' first")  # fmt: skip
        return None
    choices = types.DropdownView()
    for key in runs:
        choices.add_choice(key, label=key, description=_run_description(ctx.dataset, key))
    inputs.enum(
        name,
        choices.values(),
        default=runs[0],
        label="Analysis run",
        description=description,
        view=choices,
    )
    chosen = param(ctx, name, runs[0])
    return chosen if chosen in runs else None


def chosen_run(ctx, name: str = "run") -> str:
    """The run picked in a ``run_choice`` (by default the newest)."""
    from fiftyone_plugin.fo.runs import list_analyses

    return param(ctx, name) or list_analyses(ctx.dataset)[-1]


def _run_description(dataset, key: str) -> str:
    info = dataset.get_run_info(key)
    return f"{info.timestamp:%Y-%m-%d %H:%M}, embeddings '{info.config.embeddings_field}'"


def overwrite_box(inputs, what: str, name: str = "overwrite") -> None:
    """A checkbox allowing to replace ``what``."""
    inputs.bool(
        name,
        default=False,
        label=f"Replace {what}",
        description="Leave unticked to keep the earlier results and choose another name",
    )


def recompute_box(inputs) -> None:
    """A checkbox to embed every sample again (also those that failed before)."""
    inputs.bool(
        "recompute",
        default=False,
        label="Recompute",
        description="Embed every sample again, even those that already have embeddings, and "
        "retry the images that failed before",
    )


def markdown_table(rows: list[dict], columns: list[str], headers: list[str] | None = None) -> str:
    """``rows`` as a Markdown table with ``columns`` (numbers shown with 3 decimals)."""

    def cell(value) -> str:
        if isinstance(value, float):
            return f"{value:.3f}"
        return "" if value is None else str(value).replace("|", "\\|")

    head = headers or columns
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def metrics_table(rows: list[dict]) -> str:
    """Metric rows (report.metric_cards.metric_rows) as the Markdown table the operators show."""
    return markdown_table(
        rows, ["name", "value", "reading", "grade"], ["metric", "value", "what it means", "grade"]
    )
