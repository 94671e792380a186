"""List, rename or delete the synthgap analysis runs of the dataset."""

from __future__ import annotations

import fiftyone.operators as foo
import fiftyone.operators.types as types

from .forms import (
    chosen_run,
    flag,
    form_input,
    markdown_table,
    name_error,
    param,
    reload_dataset,
    run_choice,
    warn,
)

LIST, RENAME, DELETE = "list", "rename", "delete"


class ManageRuns(foo.Operator):
    @property
    def config(self):
        return foo.OperatorConfig(
            name="manage_runs",
            label="Manage synthgap runs",
            description="List, rename or delete analysis runs",
            dynamic=True,
        )

    def resolve_input(self, ctx):
        return form_input(ctx, manage_runs_form, self.config.label)

    def execute(self, ctx):
        from fiftyone_plugin.fo.manage_runs import delete_analysis, rename_analysis
        from fiftyone_plugin.fo.report import run_history

        action = param(ctx, "action", LIST)
        run = chosen_run(ctx) if action != LIST else None
        if action == RENAME:
            kept = rename_analysis(ctx.dataset, run, ctx.params["new_name"])
            done = f"Renamed run '{run}' to '{ctx.params['new_name']}'"
        elif action == DELETE:
            kept = delete_analysis(ctx.dataset, run)
            done = f"Deleted run '{run}'"
        else:
            return {"runs": history_table(run_history(ctx.dataset))}
        if kept:
            done += f"; left alone, as synthgap did not create them: {', '.join(kept)}"
        reload_dataset(ctx)
        return {"done": done}

    def resolve_output(self, ctx):
        outputs = types.Object()
        if param(ctx, "action", LIST) == LIST:
            outputs.str("runs", label="Analysis runs", view=types.MarkdownView())
        else:
            outputs.str("done", label="Done")
        return types.Property(outputs, view=types.View(label="synthgap runs"))


def history_table(rows: list[dict]) -> str:
    columns = ["run", "timestamp", "n_real", "n_synthetic", "uncovered_fraction", "diagnosis"]
    columns += [
        c
        for c in ("fid", "precision", "recall", "coverage", "c2st_auc")
        if any(c in r for r in rows)
    ]
    return markdown_table(rows, columns) if rows else "No analysis runs yet."


def manage_runs_form(ctx, inputs) -> None:
    from fiftyone_plugin.fo.fields import FieldClashError
    from fiftyone_plugin.fo.runs import RunNames, check_names_free

    choices = types.RadioGroup(orientation="horizontal")
    choices.add_choice(LIST, label="List", description="every run with its headline metrics")
    choices.add_choice(RENAME, label="Rename", description="a run, its fields, tags and views")
    choices.add_choice(DELETE, label="Delete", description="a run and everything it wrote")
    inputs.enum("action", choices.values(), default=LIST, label="Action", view=choices)
    action = param(ctx, "action", LIST)
    if action == LIST:
        return
    run = run_choice(ctx, inputs)
    if not run:
        return
    if action == DELETE:
        warn(
            inputs,
            "consequence",
            f"Deletes run '{run}': its result fields, tags, saved views and visualization "
            "(embeddings and domains stay)",
            invalid=False,
        )
        return
    prop = inputs.str("new_name", required=True, label="New name")
    new = param(ctx, "new_name")
    if new is None:
        return
    error = name_error(new, "run name")
    if error:
        flag(prop, error)
    elif ctx.dataset.has_run(new):
        flag(prop, f"'{new}' is taken by another run on this dataset: choose another name")
    else:
        try:  # the user's fields, saved views, visualization or tag of the new names
            check_names_free(ctx.dataset, RunNames(new), overwrite=False)
        except FieldClashError as exc:
            flag(prop, str(exc))
