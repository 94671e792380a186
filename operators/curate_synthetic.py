"""Choose the synthetic samples worth keeping within a budget, list where to generate next, and
export the kept set. Samples are tagged, never deleted."""

from __future__ import annotations

import os
from urllib.parse import quote

import fiftyone.operators.types as types

from fiftyone_plugin.paths import app_out_dir, resolve

from .forms import (
    chosen_run,
    chosen_target,
    flag,
    form_input,
    markdown_table,
    notice,
    overwrite_box,
    param,
    reload_dataset,
    run_choice,
    target_view,
    warn,
)
from .progress import LongOperator

EXPORT_CHOICES = {
    "auto": "Automatic: images only, or a FiftyOne dataset when there are labels",
    "images": "A folder of images",
    "fiftyone": "A FiftyOne dataset (images, labels and fields)",
    "coco": "COCO detections (needs a detections field)",
}


#: Who listed a generation target (fo.curation: the run's own list, or this curation's budget).
SOURCES = {"analysis": "the analysis", "budget": "short after this curation"}


#: The generation targets' table headers; a run on objects counts them in objects.
TARGET_HEADS = ["where", "listed by", "real", "synthetic kept", "generate about", "real examples"]
OBJECT_TARGET_HEADS = ["where", "listed by", "real objects", "synthetic objects kept",
                       "generate about (objects)", "real images holding them"]  # fmt: skip


class CurateSynthetic(LongOperator):
    @property
    def config(self):
        return self.long_config(
            "curate_synthetic",
            "Curate synthetic samples",
            "Keep the synthetic samples that stand in for real ones, within a budget",
        )

    def resolve_input(self, ctx):
        return form_input(ctx, curate_form, self.config.label)

    def run(self, ctx, progress):
        from fiftyone_plugin.fo.curation import curate_synthetic

        outcome = curate_synthetic(
            chosen_target(ctx, allow_selected=False),
            run_key=chosen_run(ctx),
            budget=param(ctx, "budget"),
            config=curation_config(ctx),
            export_dir=export_folder(ctx),
            export_format=param(ctx, "export_format", "auto"),
            overwrite=param(ctx, "overwrite", False),
            progress=progress,
        )
        reload_dataset(ctx)
        return curation_results(outcome)

    def resolve_output(self, ctx):
        outputs = types.Object()
        outputs.str("summary", label="Kept")
        outputs.str("dropped", label="Dropped, by reason", view=types.MarkdownView())
        outputs.str("targets", label="Generate next", view=types.MarkdownView())
        outputs.list("saved_views", types.String(), label="Saved views")
        outputs.str("export_dir", label="Exported to")
        outputs.str("notes", label="Notes")
        return types.Property(outputs, view=types.View(label="Curation"))


def curation_results(outcome) -> dict:
    budget = f" (budget {outcome.budget})" if outcome.budget is not None else ""
    noun = "synthetic samples"
    if outcome.objects:
        noun = f"synthetic images, judged by their {outcome.objects['n_objects']} objects"
    dropped = [{"reason": r, "samples": n} for r, n in outcome.dropped.items() if n]
    targets = [
        {**t, "examples": thumbnails(t["example_filepaths"]), "listed": SOURCES.get(t["source"])}
        for t in outcome.targets
    ]
    notes = list(outcome.notes)
    if (outcome.objects or {}).get("label_tags"):
        notes.append(f"Objects judged bad are tagged {', '.join(outcome.objects['label_tags'])}"
                     " (the label tags filter in the App's sidebar shows or leaves them out).")  # fmt: skip
    return {
        "summary": f"{outcome.n_kept} of {outcome.n_synthetic} {noun}{budget}",
        "dropped": markdown_table(dropped, ["reason", "samples"]) if dropped else "nothing",
        "targets": (
            markdown_table(
                targets,
                ["name", "listed", "n_real", "n_kept", "needed", "examples"],
                OBJECT_TARGET_HEADS if outcome.objects else TARGET_HEADS,
            )
            if targets
            else "nothing: the kept set covers the real data"
        ),  # fmt: skip
        "targets_detail": targets,
        "saved_views": outcome.saved_views,
        "export_dir": outcome.export_dir or "",
        "notes": " ".join(notes),
    }


def curation_config(ctx):
    """The CurationConfig the form's options ask for."""
    from fiftyone_plugin.core.curation import CurationConfig

    low = param(ctx, "low_realism_percent", 10.0) if param(ctx, "drop_low_realism") else 0.0
    return CurationConfig(
        drop_degenerate=param(ctx, "drop_degenerate", True),
        drop_outside_support=param(ctx, "drop_outside_support", True),
        low_realism_fraction=low / 100.0,
        prune_duplicates=param(ctx, "prune_duplicates", True),
        match_distribution=param(ctx, "match_distribution", True),
        n_targets=param(ctx, "n_targets", 5),
        max_bad_object_share=param(ctx, "bad_object_percent", 0.0) / 100.0,
    )


def preview_text(preview: dict, cluster_names: dict | None = None) -> str:
    """A plan's preview (fo.curation_plan.CurationPlan.preview) as Markdown, in the words of
    report/curation_preview.py: kept, dropped per reason, and the clusters that lose samples."""
    from fiftyone_plugin.report import curation_preview as words

    verdict, rest = words.headline(preview)
    lines = [f"**{verdict}** {rest}"]
    why = words.object_sentence(preview)
    dropped = words.dropped_table(preview)
    losing, more = words.losing_clusters(preview, cluster_names)
    lines += ["", why] if why else []
    for table in filter(None, (dropped, losing)):
        lines += ["", markdown_table(table.rows, table.columns, table.headings)]
    if more > 0:
        lines += ["", f"and {more} more clusters losing samples"]
    lines += [line for note in preview["notes"] for line in ("", f"_{note}_")]
    return "\n".join(lines)


def thumbnails(paths: list[str]) -> str:
    """Markdown images of local files, served by the App's media route."""
    return " ".join(f"![{os.path.basename(p)}](/media?filepath={quote(p)})" for p in paths)


#: The curation options' labels and descriptions, for runs on images and on objects.
IMAGE_FORM = {
    "budget": "Keep at most this many synthetic samples (of {n})",
    "drop_degenerate": {"label": "Drop blank and noise images",
                        "description": "Images without content (a flat frame, or pure noise)"},
    "drop_outside_support": {"label": "Drop samples outside the real support", "description":
                             "No real image looks like them once the style shift is removed"},
    "drop_low_realism": {"label": "Drop the least realistic samples"},
    "low_realism_percent": {"label": "Least realistic percent"},
    "prune_duplicates": {"label": "Prune near-duplicates", "description":
                         "Of synthetic images that look alike, keep the most realistic"},
    "match_distribution": {"label": "Match the real cluster distribution", "description":
                           "Each cluster gets its real share of the budget (what thin clusters "
                           "cannot fill goes to the others)"},
}  # fmt: skip
OBJECT_FORM = {
    "budget": "Keep at most this many synthetic images (of {n} holding analyzed objects), the "
    "most realistic first (an image is as realistic as its least realistic object)",
    "drop_degenerate": {"label": "Drop images with a blank or noise object",
                        "description": "A box without content (the object did not render)"},
    "drop_outside_support": {"label": "Drop images with an object outside the real support",
                             "description": "No real object looks like it once the style shift "
                             "is removed"},
    "drop_low_realism": {"label": "Drop images holding one of the least realistic objects"},
    "low_realism_percent": {"label": "Least realistic percent of the objects"},
    "prune_duplicates": {"label": "Prune near-duplicate images", "description": "An image whose "
                         "objects all repeat those of a more realistic kept image adds no variety"},
    "match_distribution": {"label": "Match the real distribution of objects", "description":
                           "Each object cluster gets its real share of the kept objects; images "
                           "of clusters already full go"},
}  # fmt: skip


def curate_form(ctx, inputs) -> None:
    from fiftyone_plugin.fo.curation import detections_field, has_curation
    from fiftyone_plugin.fo.units import run_units

    run = run_choice(ctx, inputs, description="The analysis whose clusters and realism to use")
    if not run:
        return
    samples = target_view(ctx, inputs, allow_selected=False, action="Curate")
    units = run_units(ctx.dataset, run)
    objects = units.is_objects
    words = OBJECT_FORM if objects else IMAGE_FORM
    n_synth = _n_judged(ctx, samples, units)
    if not n_synth:
        warn(inputs, "no_synthetic", f"Run '{run}' scored no synthetic {units.noun} of this target")
        return
    if objects:
        notice(inputs, "by_objects", f"Run '{run}' analyzed objects: each synthetic image is kept "
               "or dropped whole, with all of its labels, by what the run found of its objects")  # fmt: skip
    budget = inputs.int(
        "budget",
        default=n_synth,
        min=0,
        label="Budget",
        description=words["budget"].format(n=n_synth),
    )
    if param(ctx, "budget", n_synth) < 0:
        flag(budget, "The budget cannot be negative")
    inputs.bool("drop_degenerate", default=True, **words["drop_degenerate"])
    inputs.bool("drop_outside_support", default=True, **words["drop_outside_support"])
    inputs.bool("drop_low_realism", default=False, **words["drop_low_realism"])
    if param(ctx, "drop_low_realism", False):
        percent = inputs.float(
            "low_realism_percent", default=10.0, min=0, max=99, **words["low_realism_percent"]
        )
        if not 0 <= param(ctx, "low_realism_percent", 10.0) < 100:
            flag(percent, "Give a percentage between 0 and 99")
    if objects:
        share = inputs.float(
            "bad_object_percent",
            default=0.0,
            min=0,
            max=99,
            label="Bad objects an image may hold (percent)",
            description="An image is dropped when more than this percent of its objects is "
            "judged bad by the options above (0: any one of them)",
        )
        if not 0 <= param(ctx, "bad_object_percent", 0.0) < 100:
            flag(share, "Give a percentage between 0 and 99")
    inputs.bool("prune_duplicates", default=True, **words["prune_duplicates"])
    inputs.bool("match_distribution", default=True, **words["match_distribution"])
    inputs.int("n_targets", default=5, min=0, label="Generation targets to list")
    if not any(getattr(p, "invalid", False) for p in inputs.properties.values()):
        _preview(ctx, inputs, samples, run)  # before the export options: it does not need them

    export = inputs.str(
        "export_dir",
        label="Export the kept samples to (optional)",
        description="A folder on the machine running FiftyOne; a relative path is taken from "
        f"{app_out_dir(ctx.dataset.name)}",
    )
    choices = types.DropdownView()
    for value, description in EXPORT_CHOICES.items():
        choices.add_choice(value, label=value, description=description)
    fmt = inputs.enum(
        "export_format", choices.values(), default="auto", label="Export format", view=choices
    )
    replace = []
    if has_curation(ctx.dataset, run):
        replace.append(f"the curation of run '{run}'")
    try:
        export_dir = export_folder(ctx)
    except ValueError as exc:
        flag(export, str(exc))
        export_dir = None
    if export_dir:
        if os.path.isfile(export_dir):
            flag(export, f"{export_dir} is a file: give a folder")
        elif os.path.isdir(export_dir) and os.listdir(export_dir):
            replace.append(f"files in {export_dir}")
    if param(ctx, "export_format", "auto") == "coco" and not detections_field(samples):
        flag(fmt, "COCO export needs a detections field: choose 'fiftyone' or 'images'")
    if replace:
        overwrite_box(inputs, " and ".join(replace))
        if not param(ctx, "overwrite", False):
            warn(inputs, "exists", f"This would replace {' and '.join(replace)}: tick 'Replace' "
                 "or change the run / export folder")  # fmt: skip
    else:
        flagged = (f"; tags the objects judged bad '{units.names.field('curation:flagged:')}"
                   f"<reason>' in '{units.patches_field}'" if objects else "")  # fmt: skip
        notice(inputs, "writes", f"Tags kept {'images' if objects else 'samples'}, saves "
               f"views '{run}-curated' and '{run}-generation-targets'{flagged}")  # fmt: skip


def export_folder(ctx) -> str | None:
    """The export folder the form names (a relative one taken from the dataset's output folder,
    paths.app_out_dir), or None."""
    export_dir = param(ctx, "export_dir")
    return resolve(export_dir, app_out_dir(ctx.dataset.name)) if export_dir else None


def _preview(ctx, inputs, samples, run: str) -> None:
    """What the curation would keep and drop, computed by the library, before anything is
    tagged; a warning (not a block) when more than a third would go."""
    from fiftyone_plugin.fo.curation import plan_curation

    try:
        plan = plan_curation(samples, run, param(ctx, "budget"), curation_config(ctx))
    except ValueError as e:
        warn(inputs, "preview_error", str(e))
        return
    from fiftyone_plugin.fo.runs import load_summary
    from fiftyone_plugin.report.regions import cluster_name

    preview = plan.preview()
    names = {c.get("cluster"): cluster_name(c) for c in load_summary(ctx.dataset, run)["clusters"]}
    inputs.md(preview_text(preview, names), name="preview", label="Preview")
    if preview["warning"]:
        warn(inputs, "preview_warning", preview["warning"], invalid=False)


def _n_judged(ctx, samples, units) -> int:
    """The synthetic samples of ``samples`` that run ``units`` scored (images holding a scored
    synthetic object, for a run on objects)."""
    if units.is_objects:
        from fiftyone_plugin.fo.object_curation import synthetic_images

        return synthetic_images(samples, units).count()
    field = units.names.field("realism")
    return samples.exists(field).count() if ctx.dataset.has_sample_field(field) else 0
