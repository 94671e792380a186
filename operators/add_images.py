"""Add a folder (or glob) of images to the current dataset as real or synthetic samples."""

from __future__ import annotations

import glob
import os

import fiftyone.operators as foo
import fiftyone.operators.types as types

from fiftyone_plugin import defaults

from .forms import domain_choice, flag, notice, param, progress_to, reload_dataset


class AddImages(foo.Operator):
    @property
    def config(self):
        return foo.OperatorConfig(
            name="add_images",
            label="Add real or synthetic images",
            description="Import a folder or glob of images, marked real or synthetic",
            dynamic=True,
            allow_immediate_execution=True,
            allow_delegated_execution=True,
        )

    def resolve_input(self, ctx):
        inputs = types.Object()
        add_images_form(ctx, inputs)
        return types.Property(inputs, view=types.View(label="Add real or synthetic images"))

    def execute(self, ctx):
        from fiftyone_plugin.fo.samples import import_folder

        summary = import_folder(
            ctx.dataset,
            os.path.expanduser(ctx.params["source"]),
            ctx.params["domain"],
            recursive=param(ctx, "recursive", True),
            progress=progress_to(ctx),
        )
        reload_dataset(ctx)
        return {
            "added": summary.added,
            "existing": summary.existing,
            "other_domain": summary.other_domain,
        }

    def resolve_output(self, ctx):
        outputs = types.Object()
        outputs.int("added", label="New samples")
        outputs.int("existing", label="Already in the dataset (skipped)")
        outputs.int("other_domain", label="Of those, marked with the other domain")
        return types.Property(outputs, view=types.View(label="Images added"))


def add_images_form(ctx, inputs) -> None:
    prop = inputs.str(
        "source",
        required=True,
        label="Folder or glob",
        description="A folder of images (searched recursively) or a pattern such as "
        "/data/renders/**/*.png, on the machine running FiftyOne",
    )
    domain_choice(inputs)
    inputs.bool(
        "recursive", default=True, label="Include subfolders", description="Search subfolders too"
    )
    source = param(ctx, "source")
    if not source:
        return
    source = os.path.expanduser(source)
    if not glob.has_magic(source) and not os.path.isdir(source):
        flag(prop, f"Folder not found: {source}")
        return

    from fiftyone_plugin.fo.samples import domain_field_problem, list_images

    paths = list_images(source, recursive=param(ctx, "recursive", True))
    if not paths:
        flag(prop, f"No image files ({', '.join(defaults.IMAGE_EXTENSIONS)}) match {source}")
        return
    problem = domain_field_problem(ctx.dataset)
    if problem:
        flag(prop, problem)
        return
    present = len(set(paths) & set(ctx.dataset.values("filepath")))
    message = f"{len(paths)} images found"
    if present:
        message += f"; {present} already in the dataset will be skipped"
    notice(inputs, "found", message)
