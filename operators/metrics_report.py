"""The dataset-level metrics of an analysis run with their plain-language readings, and its HTML
report written where the user asks."""

from __future__ import annotations

import os

import fiftyone.operators.types as types

from fiftyone_plugin.paths import app_out_dir, inside, resolve

from .forms import chosen_run, flag, form_input, metrics_table, overwrite_box, param, run_choice
from .progress import LongOperator


class MetricsReport(LongOperator):
    @property
    def config(self):
        return self.long_config(
            "metrics_report",
            "Synthgap metrics and report",
            "FID, KID, precision/recall, coverage... with readings; HTML report",
        )

    def resolve_input(self, ctx):
        return form_input(ctx, metrics_report_form, self.config.label)

    def run(self, ctx, progress):
        from fiftyone_plugin.fo.report import run_metrics

        run = chosen_run(ctx)
        out = None
        if param(ctx, "write_report", True):
            out = report_path(ctx, run)
        found = run_metrics(ctx.dataset.name, run, out, progress=progress)
        return {
            "diagnosis": found["diagnosis"],
            "counts": found["counts"],
            "metrics": metrics_table(found["metrics"]),
            "report": found["report"] or "",
        }

    def resolve_output(self, ctx):
        outputs = types.Object()
        outputs.str("diagnosis", label="Diagnosis")
        outputs.str("counts", label="Samples")
        outputs.str("metrics", label="Metrics", view=types.MarkdownView())
        outputs.str("report", label="HTML report")
        return types.Property(outputs, view=types.View(label="Metrics"))


def report_path(ctx, run: str) -> str:
    """The report file the form names: a relative path is taken from the dataset's output
    folder (paths.app_out_dir), never from the folder the App server runs in."""
    base = app_out_dir(ctx.dataset.name)
    return resolve(param(ctx, "report_path", None) or inside(base, f"{run}-report.html"), base)


def metrics_report_form(ctx, inputs) -> None:
    run = run_choice(ctx, inputs)
    if not run:
        return
    inputs.bool("write_report", default=True, label="Write the HTML report")
    if not param(ctx, "write_report", True):
        return
    base = app_out_dir(ctx.dataset.name)
    prop = inputs.str(
        "report_path",
        default=inside(base, f"{run}-report.html"),
        label="Report file",
        description="Path of the HTML file on the machine running FiftyOne; a relative path is "
        f"taken from {base}",
    )
    try:
        path = report_path(ctx, run)
    except ValueError as exc:
        flag(prop, str(exc))
        return
    if os.path.isdir(path) or not path.lower().endswith((".html", ".htm")):
        flag(prop, "Give the path of an .html file")
    elif os.path.exists(path):
        overwrite_box(inputs, f"the existing file {os.path.basename(path)}")
        if not param(ctx, "overwrite", False):
            flag(prop, f"{path} exists: choose another file or tick 'Replace'")
