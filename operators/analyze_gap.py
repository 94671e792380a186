"""Analyze the real vs synthetic samples: embeddings if missing, then clusters, coverage gaps,
realism and metrics, stored as a named run; opens the Embeddings panel on the result."""

from __future__ import annotations

import fiftyone.operators.types as types

from fiftyone_plugin import defaults

from .compute_embeddings import embeddings_field_input, model_input
from .embeddings_panel import open_embeddings
from .forms import (
    chosen_target,
    embedding_options,
    flag,
    form_input,
    metrics_table,
    name_error,
    notice,
    overwrite_box,
    param,
    recompute_box,
    target_view,
    warn,
)
from .progress import LongOperator

#: The label field choice meaning "analyze without labels".
NO_LABELS = "__none__"
#: The embeddings choice meaning "compute new embeddings with a model".
NEW = "__new__"
#: The units of analysis a Detections label field offers: whole images, or every labeled box.
IMAGES, OBJECTS = "images", "objects"
#: The form's checkbox allowing the run to replace the user's fields, views, visualization or tag
#: of its names.
OVERWRITE_USERS = "overwrite_fields"


class AnalyzeGap(LongOperator):
    @property
    def config(self):
        return self.long_config(
            "analyze_gap",
            "Analyze the synthetic-to-real gap",
            "Find the real content your synthetic data misses, and how realistic it is",
            default_choice_to_delegated=True,
        )

    def resolve_input(self, ctx):
        return form_input(ctx, analyze_gap_form, self.config.label)

    def run(self, ctx, progress):
        from fiftyone_plugin.core.config import AnalysisConfig
        from fiftyone_plugin.workflow import analyze_samples

        embeddings = param(ctx, "embeddings", NEW)
        objects = chosen_objects(ctx)
        if objects is not None:
            embeddings = NEW  # objects are embedded onto their boxes, with the chosen model
        options = embedding_options(ctx)
        outcome = analyze_samples(
            chosen_target(ctx, allow_selected=False),
            embeddings_field=new_field(ctx, options) if embeddings == NEW else embeddings,
            options=options,
            config=AnalysisConfig(
                seed=param(ctx, "seed", defaults.SEED), device=options.analysis_device
            ),
            run_key=param(ctx, "run", defaults.RUN_KEY),
            overwrite=param(ctx, "overwrite", False),
            overwrite_fields=param(ctx, OVERWRITE_USERS, False),
            recompute=param(ctx, "recompute", False),
            progress=progress,
            labels=chosen_labels(ctx),
            objects=objects,
        )
        if not ctx.delegated:
            ctx.trigger("reload_dataset")
            patches = (outcome.objects or {}).get("field")
            open_embeddings(ctx, outcome.names.brain_key, patches)
        return analysis_results(outcome)

    def resolve_output(self, ctx):
        outputs = types.Object()
        outputs.str("diagnosis", label="Diagnosis")
        outputs.str("summary", label="Summary")
        outputs.str("metrics", label="Metrics", view=types.MarkdownView())
        outputs.str("classes", label="Classes", view=types.MarkdownView())
        outputs.list("saved_views", types.String(), label="Saved views")
        return types.Property(outputs, view=types.View(label="Gap analysis"))


def analysis_results(outcome) -> dict:
    """What the operator shows after a run (JSON-safe): the run's presentation, in short."""
    from fiftyone_plugin.fo.results import run_summary
    from fiftyone_plugin.report.document import document_of
    from fiftyone_plugin.report.metric_cards import metric_rows
    from fiftyone_plugin.report.presentation import present

    shown = present(document_of(run_summary(outcome)))
    brain_key = outcome.names.brain_key
    return {
        "run": outcome.run_key,
        "brain_key": brain_key,
        "diagnosis": shown.diagnosis["text"],
        "summary": f"Run '{outcome.run_key}': {shown.count_line}; brain key '{brain_key}'",
        "metrics": metrics_table(metric_rows(shown.metrics)),
        "classes": classes_table(shown.classes),
        "saved_views": list(outcome.saved_views),
    }


def classes_table(classes: dict | None) -> str:
    """The probe's verdict and the per-class table as markdown ("" for a run without labels)."""
    if not classes:
        return ""
    from .forms import markdown_table

    probe = (classes.get("probe") or {}).get("reading") or classes.get("probe_skipped") or ""
    keys, labels = zip(*classes["columns"], strict=True)
    return f"{probe}\n\n" + markdown_table(classes["rows"], keys, labels)


def new_field(ctx, options) -> str | None:
    """The field new embeddings go to: the form's, or for the model "auto" (whose field the form
    does not ask) None, the default field of the model it takes."""
    return None if options.model == defaults.AUTO_MODEL else param(ctx, "field")


def embeddings_fields(dataset) -> dict[str, dict]:
    """synthgap's embeddings fields of ``dataset``: name -> facts (model, dim)."""
    from fiftyone_plugin.fo.fields import field_meta

    fields = {}
    for name in dataset.get_field_schema():
        meta = field_meta(dataset, name) or {}
        if meta.get("dim"):
            fields[name] = meta
    return fields


def embeddings_input(ctx, inputs, samples) -> None:
    """Choose stored embeddings, or a model (and field) to compute them with; for objects, the
    model their crops are embedded with."""
    if chosen_units(ctx) == OBJECTS:
        model_input(ctx, inputs)
        recompute_box(inputs)
        return
    fields = embeddings_fields(ctx.dataset)
    choices = types.DropdownView()
    for name, meta in fields.items():
        done = samples.exists(name).count()
        choices.add_choice(
            name,
            label=name,
            description=f"{meta.get('model')}, {meta.get('dim')}-d, {done} of {len(samples)} "
            "samples embedded (the rest are embedded first)",
        )
    choices.add_choice(NEW, label="Compute new embeddings", description="with a model you choose")
    preferred = defaults.embeddings_field(defaults.MODEL)
    default = preferred if preferred in fields else next(iter(fields), NEW)
    inputs.enum(
        "embeddings",
        choices.values(),
        default=default,
        label="Embeddings",
        view=choices,
    )
    if param(ctx, "embeddings", default) == NEW:
        model = model_input(ctx, inputs)
        if model:
            embeddings_field_input(ctx, inputs, model, allow_overwrite=False)
        recompute_box(inputs)


def run_name_input(ctx, inputs) -> str | None:
    """A new run name (default ``synthgap``, then ``synthgap_2``...); an existing run is flagged
    unless the user ticks Replace."""
    from fiftyone_plugin.fo.fields import FieldClashError
    from fiftyone_plugin.fo.runs import RunNames, check_names_free, list_analyses

    dataset = ctx.dataset
    runs = list_analyses(dataset)
    base = defaults.OBJECTS_RUN_KEY if chosen_units(ctx) == OBJECTS else defaults.RUN_KEY
    default, i = base, 2
    while dataset.has_run(default):
        default, i = f"{base}_{i}", i + 1
    prop = inputs.str(
        "run",
        default=default,
        label="Run name",
        description="Names this analysis: its fields, tags and saved views carry the name",
    )
    run = param(ctx, "run", default)
    error = name_error(run, "run name")
    if error:
        flag(prop, error)
        return None
    if run in runs:
        overwrite_box(inputs, f"run '{run}'")
        if not param(ctx, "overwrite", False):
            flag(prop, f"Run '{run}' exists: choose another name or tick 'Replace run'")
            return None
    elif dataset.has_run(run):
        flag(prop, f"'{run}' is taken by another FiftyOne run on this dataset: choose another name")
        return None
    try:  # the user's fields, saved views, visualization or tag of the run's names
        check_names_free(dataset, RunNames(run), overwrite=False)
    except FieldClashError as exc:
        overwrite_box(inputs, "these (not made by synthgap)", name=OVERWRITE_USERS)
        if not param(ctx, OVERWRITE_USERS, False):
            what = str(exc).split(";")[0]
            flag(prop, f"{what}: choose another run name or tick 'Replace these'")
            return None
    return run


def label_field_input(ctx, inputs, samples) -> None:
    """The label field to analyze per class (the dataset's Classification / Detections fields),
    and an optional class map; flags a class map that cannot be read."""
    from fiftyone_plugin.fo.labels import label_fields

    fields = label_fields(samples)
    if not fields:
        return
    choices = types.Dropdown(label="Labels", description="Compare per class with these labels: "
                             "label statistics, gaps within each class, a probe of training on "
                             "synthetic")  # fmt: skip
    choices.add_choice(NO_LABELS, label="none (image-level analysis only)")
    for name in fields:
        choices.add_choice(name, label=name)
    default = "ground_truth" if "ground_truth" in fields else fields[0]
    inputs.enum("label_field", [NO_LABELS, *fields], default=default, view=choices)
    field = param(ctx, "label_field", default)
    if field == NO_LABELS:
        return
    if field in detections_fields(samples):
        units_input(inputs)
    prop = inputs.str("class_map", label="Class map (optional)",
                      description="A JSON or CSV file renaming classes (from,to) before the two "
                      "sides are compared, on the machine running FiftyOne")  # fmt: skip
    if param(ctx, "class_map"):
        try:
            chosen_labels(ctx)
        except ValueError as exc:
            flag(prop, str(exc))


def detections_fields(samples) -> list[str]:
    """The Detections label fields of ``samples`` (what objects are read from)."""
    import fiftyone as fo

    from fiftyone_plugin.fo.labels import label_fields

    return [f for f in label_fields(samples) if samples.get_field(f).document_type is fo.Detections]


def units_input(inputs) -> None:
    """Whole images or objects as the units of analysis, and for objects the crop settings."""
    choices = types.RadioGroup()
    choices.add_choice(IMAGES, label="Images", description="one embedding per image")
    choices.add_choice(OBJECTS, label="Objects", description="one embedding per labeled box "
                       "(its crop): gaps, realism and the probe per object")  # fmt: skip
    inputs.enum("units", choices.values(), default=IMAGES, label="Analyze", view=choices)


def object_inputs(ctx, inputs) -> None:
    """Margin and minimum size of the object crops, flagged when out of range."""
    margin = inputs.float(
        "object_margin", default=defaults.OBJECT_MARGIN, label="Context around each box",
        description="as a share of the box's longer side, on each side",
    )  # fmt: skip
    size = inputs.int(
        "min_object_size", default=defaults.OBJECT_MIN_SIZE, label="Minimum object size (px)",
        description="boxes whose size, sqrt(width x height), is smaller are skipped and counted",
    )  # fmt: skip
    try:
        chosen_objects(ctx)
    except ValueError as exc:
        flag(size if "size" in str(exc) else margin, str(exc))


def chosen_units(ctx) -> str:
    """The units the form asks for: IMAGES or OBJECTS (objects need a Detections field)."""
    if param(ctx, "label_field", NO_LABELS) in (None, NO_LABELS):
        return IMAGES
    return param(ctx, "units", IMAGES) or IMAGES


def chosen_objects(ctx):
    """The form's ObjectOptions, or None for an analysis of whole images."""
    from fiftyone_plugin.object_options import ObjectOptions

    if chosen_units(ctx) != OBJECTS:
        return None
    return ObjectOptions(
        param(ctx, "object_margin", defaults.OBJECT_MARGIN),
        param(ctx, "min_object_size", defaults.OBJECT_MIN_SIZE),
    ).validate()


def chosen_labels(ctx):
    """The form's label options, or None for an analysis without labels."""
    from fiftyone_plugin.label_options import LabelOptions

    field = param(ctx, "label_field", NO_LABELS)
    if not field or field == NO_LABELS:
        return None
    return LabelOptions(label_field=field, class_map=param(ctx, "class_map") or None).validate()


def analyze_gap_form(ctx, inputs) -> None:
    from fiftyone_plugin.fo.samples import domain_counts

    samples = target_view(ctx, inputs, allow_selected=False, action="Analyze")
    counts = domain_counts(samples)
    missing = [d for d in defaults.DOMAINS if counts[d] == 0]
    if missing:
        warn(
            inputs,
            "domains",
            f"{counts[defaults.REAL]} real and {counts[defaults.SYNTHETIC]} synthetic samples: the "
            f"analysis needs both. Mark some samples {missing[0]} first ('Add real or synthetic "
            "images' or 'Mark as real or synthetic')",
        )
        return
    notice(
        inputs,
        "counts",
        f"{counts[defaults.REAL]} real and {counts[defaults.SYNTHETIC]} synthetic samples",
    )
    label_field_input(ctx, inputs, samples)
    if chosen_units(ctx) == OBJECTS:
        object_inputs(ctx, inputs)
    embeddings_input(ctx, inputs, samples)
    run_name_input(ctx, inputs)
    inputs.int(
        "seed",
        default=defaults.SEED,
        label="Random seed",
        description="The same seed and data give the same result",
    )
