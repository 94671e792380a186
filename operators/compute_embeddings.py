"""Compute image embeddings for the samples of the dataset, the current view or the selection."""

from __future__ import annotations

import fiftyone.operators.types as types

from fiftyone_plugin import defaults

from .forms import (
    chosen_target,
    embedding_options,
    flag,
    form_input,
    name_error,
    notice,
    overwrite_box,
    param,
    recompute_box,
    reload_dataset,
    target_view,
    warn,
)
from .progress import LongOperator


class ComputeEmbeddings(LongOperator):
    @property
    def config(self):
        return self.long_config(
            "compute_embeddings",
            "Compute synthgap embeddings",
            "Embed images with a model into a vector field (resumable)",
            default_choice_to_delegated=True,
        )

    def resolve_input(self, ctx):
        return form_input(ctx, compute_embeddings_form, self.config.label)

    def run(self, ctx, progress):
        from fiftyone_plugin.fo.embeddings import compute_embeddings

        options = embedding_options(ctx)
        shard = chosen_shard(ctx)
        summary = compute_embeddings(
            chosen_target(ctx),
            field=None if options.model == defaults.AUTO_MODEL else param(ctx, "field"),
            options=options,
            recompute=param(ctx, "recompute", False),
            overwrite=param(ctx, "overwrite", False),
            shard=shard,
            progress=progress,
        )
        reload_dataset(ctx)
        result = {
            "field": summary.field,
            "computed": summary.computed,
            "skipped": summary.skipped,
            "failed": summary.failed,
        }
        if shard:
            result["shard"] = f"{shard[0]}/{shard[1]}"
        return result

    def resolve_output(self, ctx):
        outputs = types.Object()
        outputs.str("field", label="Embeddings field")
        outputs.int("computed", label="Embedded")
        outputs.int("skipped", label="Already embedded (skipped)")
        outputs.int("failed", label="Unreadable images (see the load_error field)")
        if (ctx.results or {}).get("shard"):
            outputs.str("shard", label="Part done (worker index / N workers)")
        return types.Property(outputs, view=types.View(label="Embeddings computed"))


def model_input(ctx, inputs) -> str | None:
    """Model name (offline registry models, or free text ``zoo:<name>``), device and batch size."""
    from fiftyone_plugin.embeddings import available_models, is_zoo_model

    models = [defaults.AUTO_MODEL, *available_models()]
    choices = types.AutocompleteView(allow_user_input=True)
    for name in models:
        choices.add_choice(name, label=name)
    prop = inputs.str(
        "model",
        default=defaults.AUTO_MODEL,
        label="Model",
        description=f"auto: {defaults.CONTENT_MODEL} (keeps shapes over style) when the real "
        f"images share a fixed layout (characters, signs, icons), else {defaults.MODEL}; both "
        "work offline; other torchvision models download their weights once; type zoo:<name> "
        "for a FiftyOne zoo model",
        view=choices,
    )
    _dropdown(
        inputs,
        "device",
        defaults.DEVICES,
        defaults.DEVICE,
        "Device",
        "auto: a GPU when there is one",
    )
    batch = inputs.int("batch_size", default=defaults.BATCH_SIZE, min=1, label="Batch size")
    if param(ctx, "batch_size", defaults.BATCH_SIZE) < 1:
        flag(batch, "Batch size must be at least 1")
    model = param(ctx, "model", defaults.AUTO_MODEL)
    zoo_name = model.removeprefix("zoo:") if is_zoo_model(model) else None
    if model not in models and not zoo_name:
        flag(prop, f"Unknown model '{model}': choose one of {', '.join(models)} or type zoo:<name>")
        return None
    return model


def embeddings_field_input(
    ctx, inputs, model: str, name: str = "field", allow_overwrite: bool = True
) -> str | None:
    """The target field for ``model``'s embeddings, validated; with ``allow_overwrite`` a clash
    with a user field offers to replace it. None for "auto": the field of the model it takes."""
    from fiftyone_plugin.fo.fields import field_meta

    if model == defaults.AUTO_MODEL:
        notice(inputs, "field_auto", "The embeddings go to the field emb_<the model auto takes>")
        return None

    default = defaults.embeddings_field(model)
    prop = inputs.str(
        name,
        default=default,
        label="Embeddings field",
        description="Sample field to store the vectors in",
    )
    field = param(ctx, name, default)
    error = name_error(field, "field name")
    if error:
        flag(prop, error)
        return None
    dataset = ctx.dataset
    if not dataset.has_sample_field(field):
        return field
    meta = field_meta(dataset, field)
    if meta is None:
        if allow_overwrite:
            overwrite_box(inputs, f"the existing field '{field}'")
        if not (allow_overwrite and param(ctx, "overwrite", False)):
            hint = " or tick 'Replace'" if allow_overwrite else ""
            flag(prop, f"Field '{field}' exists and was not created by synthgap: pick another "
                       f"name{hint}")  # fmt: skip
            return None
    elif meta.get("model") not in (None, model) and not param(ctx, "recompute", False):
        flag(prop, f"Field '{field}' holds embeddings of model '{meta['model']}': pick another "
                   "name or tick 'Recompute'")  # fmt: skip
        return None
    return field


def compute_embeddings_form(ctx, inputs) -> None:
    samples = target_view(ctx, inputs, action="Embed")
    if not len(samples):
        warn(inputs, "empty", "No samples to embed: the chosen target is empty")
        return
    model = model_input(ctx, inputs)
    recompute_box(inputs)
    if model:
        embeddings_field_input(ctx, inputs, model)
    _dropdown(inputs, "precision", defaults.PRECISIONS, defaults.PRECISION, "Precision",
              "auto: fp16 on CUDA, else fp32 (bf16: faster on CPUs with native bf16, but moves "
              "borderline gap results; fp32: the same vectors whichever worker or batch embeds "
              "an image)")  # fmt: skip
    _dropdown(inputs, "backend", defaults.BACKENDS, defaults.BACKEND, "Runtime",
              "auto: OpenVINO on a CPU when installed (fp32: the same vectors, faster; bf16 "
              "too), else torch")  # fmt: skip
    shard_inputs(ctx, inputs)


def _dropdown(inputs, name: str, values, default: str, label: str, description: str) -> None:
    choices = types.DropdownView()
    for value in values:
        choices.add_choice(value, label=value)
    inputs.enum(
        name, choices.values(), default=default, label=label, description=description, view=choices
    )


def shard_inputs(ctx, inputs) -> None:
    """'Worker index' of 'N workers': this run embeds only its part of the samples, so N runs
    scheduled with indexes 0..N-1 and executed by N delegated workers split the work."""
    count = inputs.int(
        "shard_count",
        default=1,
        min=1,
        label="Of N workers",
        description="Split the work across N scheduled runs (1: this run embeds everything); "
        "schedule one run per worker index, and run `fiftyone delegated launch` on each machine",
    )
    index = inputs.int(
        "shard_index",
        default=0,
        min=0,
        label="Worker index",
        description="Which part this run embeds: 0 to N-1",
    )
    n, i = param(ctx, "shard_count", 1), param(ctx, "shard_index", 0)
    if n < 1:
        flag(count, "The number of workers must be at least 1")
    elif not 0 <= i < n:
        flag(index, f"Worker index must be between 0 and {n - 1} (N = {n})")


def chosen_shard(ctx) -> tuple[int, int] | None:
    """``(worker index, N)`` for a split run, None when the run embeds everything."""
    n, i = int(param(ctx, "shard_count", 1)), int(param(ctx, "shard_index", 0))
    return None if n == 1 and i == 0 else (i, n)
