"""Add a folder (or glob) of images, or a labeled dataset (class folders, COCO, YOLO, VOC), to the
current dataset as real or synthetic samples."""

from __future__ import annotations

import glob
import os

import fiftyone.operators.types as types

from fiftyone_plugin import defaults
from fiftyone_plugin.label_options import FORMATS, LABEL_FIELD
from fiftyone_plugin.paths import resolve

from .forms import domain_choice, flag, form_input, notice, param, reload_dataset
from .progress import LongOperator

#: How the form names each source format.
FORMAT_LABELS = {
    "auto": "detect", "images": "images only (no labels)", "tree": "class folders",
    "coco": "COCO detection JSON", "yolov5": "YOLOv5", "yolov4": "YOLOv4", "voc": "Pascal VOC",
}  # fmt: skip


class AddImages(LongOperator):
    @property
    def config(self):
        return self.long_config(
            "add_images",
            "Add real or synthetic images",
            "Import a folder or glob of images, marked real or synthetic",
        )

    def resolve_input(self, ctx):
        return form_input(ctx, add_images_form, self.config.label)

    def run(self, ctx, progress):
        from fiftyone_plugin.fo.label_import import import_source
        from fiftyone_plugin.fo.label_sources import read_source

        source = read_source(
            source_path(ctx), param(ctx, "format", "auto"), recursive=param(ctx, "recursive", True)
        )
        if not source.paths:
            raise ValueError(f"No image files found in {source.path!r}")
        summary = import_source(
            ctx.dataset, source, ctx.params["domain"],
            param(ctx, "label_field", LABEL_FIELD) or LABEL_FIELD, progress=progress,
        )  # fmt: skip
        if not ctx.delegated:
            # The App rebuilds its page when a dataset stops being empty, and with it this
            # operator's result: the notification outlives that.
            ctx.ops.notify(
                f"Added {summary.added} {ctx.params['domain']} images"
                + (f" ({summary.existing} already in the dataset)" if summary.existing else ""),
                variant="success",
            )
        reload_dataset(ctx)
        return {
            "added": summary.added,
            "existing": summary.existing,
            "other_domain": summary.other_domain,
            "format": source.format,
            "labeled": source.n_labeled,
            "warnings": "\n".join(source.warnings),
        }

    def resolve_output(self, ctx):
        outputs = types.Object()
        outputs.int("added", label="New samples")
        outputs.int("existing", label="Already in the dataset (skipped)")
        outputs.int("other_domain", label="Of those, marked with the other domain")
        outputs.str("format", label="Format")
        outputs.int("labeled", label="Images with labels")
        outputs.str("warnings", label="Warnings")
        return types.Property(outputs, view=types.View(label="Images added"))


def source_path(ctx) -> str:
    """The folder or glob the form names; a relative one is taken from the home folder."""
    return resolve(ctx.params["source"], os.path.expanduser("~"))


def add_images_form(ctx, inputs) -> None:
    prop = inputs.str(
        "source",
        required=True,
        label="Folder or glob",
        description="A folder of images (searched recursively) or a pattern such as "
        "/data/renders/**/*.png, on the machine running FiftyOne; a relative path is taken from "
        f"{os.path.expanduser('~')}",
    )
    domain_choice(inputs)
    formats = types.Dropdown(label="Format", description="auto: detected from the folder")
    for name in FORMATS:
        formats.add_choice(name, label=FORMAT_LABELS[name])
    inputs.enum("format", list(FORMATS), default="auto", view=formats)
    inputs.str("label_field", default=LABEL_FIELD, label="Label field",
               description="Sample field the labels go into (labeled formats)")  # fmt: skip
    inputs.bool(
        "recursive", default=True, label="Include subfolders", description="Search subfolders too"
    )
    if not param(ctx, "source"):
        return
    try:
        source = source_path(ctx)
    except ValueError as exc:
        flag(prop, str(exc))
        return
    if not glob.has_magic(source) and not os.path.exists(source):
        flag(prop, f"Folder not found: {source}")
        return

    from fiftyone_plugin.fo.label_sources import read_source
    from fiftyone_plugin.fo.samples import domain_field_problem

    try:
        found = read_source(source, param(ctx, "format", "auto"), param(ctx, "recursive", True))
    except ValueError as exc:
        flag(prop, str(exc))
        return
    paths = found.paths
    if not paths:
        flag(prop, f"No image files ({', '.join(defaults.IMAGE_EXTENSIONS)}) match {source}")
        return
    problem = domain_field_problem(ctx.dataset)
    if problem:
        flag(prop, problem)
        return
    present = set(paths) & set(ctx.dataset.values("filepath"))
    message = f"{len(paths)} images found"
    if found.labels is not None:
        message += f" ({FORMAT_LABELS[found.format]}, {found.n_labeled} labeled)"
    domain = param(ctx, "domain", defaults.REAL)
    if len(present) == len(paths):
        # Also what the form shows right after importing them (the App re-opens it then).
        marked = ctx.dataset.select_by("filepath", list(present)).count_values(
            defaults.DOMAIN_FIELD
        )
        there = f"all {len(paths)} images found are in the dataset"
        if marked.get(domain, 0) == len(paths):
            inputs.view("found", types.Success(label=f"Imported: {there}, marked {domain}"))
            return
        notice(inputs, "found", f"Nothing to add: {there} ({_counts(marked)})")
        return
    if present:
        message += f": {len(paths) - len(present)} new, {len(present)} already in the dataset"
    notice(inputs, "found", " ".join([message, *found.warnings]))


def _counts(marked: dict) -> str:
    """'480 real, 32 synthetic' from a count of domain values."""
    return ", ".join(f"{n} {d or 'unmarked'}" for d, n in sorted(marked.items(), key=str))
