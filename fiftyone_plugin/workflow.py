"""The main job: two folders in, a FiftyOne dataset with every result plus files out."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import defaults
from .label_options import LabelOptions
from .object_options import ObjectOptions
from .options import EmbeddingOptions
from .paths import check_out_dir, default_out_dir
from .progress import Progress, report, span

if TYPE_CHECKING:
    from .core.config import AnalysisConfig


@dataclass
class FolderAnalysis:
    """What ``analyze_folders`` produced."""

    dataset_name: str
    outcome: object  # fo.results.AnalysisOutcome
    files: dict[str, str]
    n_failed: int
    #: One line per problem with the labels that did not stop the run (see fo/label_sources.py).
    warnings: list[str] = field(default_factory=list)


def default_dataset_name(real: str, synthetic: str) -> str:
    """A stable dataset name for a pair of folders, so reruns update the same dataset."""

    def slug(path: str) -> str:
        name = os.path.basename(os.path.normpath(os.path.abspath(path))) or "root"
        return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "images"

    return f"synthgap-{slug(real)}-vs-{slug(synthetic)}"


def analyze_folders(
    real: str,
    synthetic: str,
    dataset: str | None = None,
    out: str | None = None,
    options: EmbeddingOptions | None = None,
    config: AnalysisConfig | None = None,
    run_key: str = defaults.RUN_KEY,
    overwrite_fields: bool = False,
    recompute: bool = False,
    progress: Progress | None = None,
    labels: LabelOptions | None = None,
    objects: ObjectOptions | None = None,
) -> FolderAnalysis:
    """Import both folders into dataset ``dataset``, embed, analyze, and write files to ``out``.

    ``real`` / ``synthetic``: folders of images, or labeled datasets (class folders, COCO, YOLO,
    VOC: see fo/label_sources.py); ``labels`` says how to read them (default LabelOptions(): formats
    detected, labels into ``ground_truth``). With labels on both sides the analysis adds the label
    statistics, the per-class analysis and the probe. ``objects``: analyze every labeled box as
    a unit instead of whole images (both sides need boxes; see analyze_samples).

    ``options``: how images are embedded (default EmbeddingOptions()); ``config``: the analysis
    parameters (default AnalysisConfig()). Reruns on the same folders add no samples, reuse stored
    embeddings (``recompute`` embeds every image again, retrying those that failed before) and
    replace run ``run_key``'s results. ``out`` defaults to ``./synthgap-out/<dataset>`` (the
    dataset's name made safe: paths.safe_name) and is checked before any work. Images
    of more than ``options.max_pixels`` pixels are refused. What the user created under the names
    synthgap writes (fields, saved views, the visualization, the uncovered tag) is never replaced
    unless ``overwrite_fields``: the clash is reported before anything is added.
    """
    from .core.config import AnalysisConfig
    from .fo.fields import FieldClashError, check_writable
    from .fo.label_import import import_source, labels_to_analyze
    from .fo.label_sources import read_source
    from .fo.runs import check_run_writable
    from .fo.samples import domain_field_problem, load_or_create_dataset

    options = (options or EmbeddingOptions()).validate()
    defaults.validate_name(run_key, "run name")
    config = (config or AnalysisConfig()).validate()
    labels = (labels or LabelOptions()).validate()
    sources = read_source(real, labels.real_format), read_source(synthetic, labels.synthetic_format)
    real_paths, synthetic_paths = sources[0].paths, sources[1].paths
    boxes = ("coco", "yolov5", "yolov4", "voc")
    if objects is not None and not all(s.format in boxes and s.n_labeled for s in sources):
        raise ValueError(
            "Objects need boxes on both sides (COCO, YOLO or VOC labels); "
            f"found {sources[0].format!r} and {sources[1].format!r}: pass labeled detection "
            "datasets, or analyze whole images (without --objects)"
        )
    for side, paths, folder in (
        ("real", real_paths, real),
        ("synthetic", synthetic_paths, synthetic),
    ):
        if not paths:
            raise ValueError(f"No images found in the {side} folder {folder!r}")
    overlap = set(real_paths) & set(synthetic_paths)
    if overlap:
        raise ValueError(
            f"{len(overlap)} file(s) are in both folders (e.g. {sorted(overlap)[0]!r}); "
            "a sample is either real or synthetic"
        )
    need_real, need_synthetic = config.min_samples()
    if len(real_paths) < need_real or len(synthetic_paths) < need_synthetic:
        raise ValueError(
            f"Too few images: {len(real_paths)} real and {len(synthetic_paths)} synthetic, but the "
            f"analysis needs at least {need_real} real and {need_synthetic} synthetic: add images"
        )
    name = dataset or default_dataset_name(real, synthetic)
    out_dir = out or default_out_dir(name)
    check_out_dir(out_dir)
    ds = load_or_create_dataset(name)
    check_run_writable(ds, run_key, overwrite=True, overwrite_fields=overwrite_fields)
    written = [defaults.ERROR_FIELD]
    if objects is None:  # objects' embeddings are attributes of their boxes: fo/objects.py
        if options.model == defaults.AUTO_MODEL:
            options = options.replace(model=_auto_model(real_paths, progress))
        written.append(defaults.embeddings_field(options.model))
    check_writable(ds, written, overwrite_fields)
    if domain_field_problem(ds):
        raise FieldClashError(domain_field_problem(ds))
    label_field, warnings = labels_to_analyze(ds, *sources, labels.label_field)
    import_source(ds, sources[0], defaults.REAL, labels.label_field, span(progress, 0.0, 0.01))
    import_source(
        ds, sources[1], defaults.SYNTHETIC, labels.label_field, span(progress, 0.01, 0.02)
    )
    wanted = ds.select_by("filepath", real_paths + synthetic_paths)
    outcome = analyze_samples(
        wanted,
        options=options,
        config=config,
        run_key=run_key,
        overwrite=True,  # a rerun of the same folders replaces the run's results
        overwrite_fields=overwrite_fields,
        recompute=recompute,
        progress=span(progress, 0.02, 0.95),
        labels=labels if label_field else None,
        objects=objects,
    )
    files, n_failed = write_files(wanted, outcome, out_dir)
    report(progress, 1.0, "done")
    return FolderAnalysis(name, outcome, files, n_failed, warnings)


def analyze_dataset(
    dataset: str,
    out: str | None = None,
    options: EmbeddingOptions | None = None,
    config: AnalysisConfig | None = None,
    run_key: str = defaults.RUN_KEY,
    overwrite_fields: bool = False,
    recompute: bool = False,
    progress: Progress | None = None,
    labels: LabelOptions | None = None,
    objects: ObjectOptions | None = None,
) -> FolderAnalysis:
    """Analyze the real and synthetic samples of the existing FiftyOne dataset ``dataset`` (marked
    by their ``domain`` field) and write the files to ``out`` (default
    ``./synthgap-out/<dataset>``); the other arguments as analyze_samples's. Replaces an earlier
    run ``run_key``."""
    from .fo.samples import domain_counts, domain_view, load_dataset

    ds = load_dataset(
        dataset,
        missing=f"No FiftyOne dataset named '{dataset}': pass --real and --synthetic folders to "
        "create it, or the name of an existing dataset",
    )
    counts = domain_counts(ds)
    if not all(counts.values()):
        raise ValueError(
            f"Dataset '{dataset}' has {counts['real']} real and {counts['synthetic']} synthetic "
            "samples: mark its samples real or synthetic first (the App's Mark domain operator)"
        )
    out_dir = out or default_out_dir(dataset)
    check_out_dir(out_dir)
    samples = domain_view(ds)
    outcome = analyze_samples(
        samples, options=options, config=config, run_key=run_key, overwrite=True,
        overwrite_fields=overwrite_fields, recompute=recompute,
        progress=span(progress, 0.0, 0.95), labels=labels, objects=objects,
    )  # fmt: skip
    files, n_failed = write_files(samples, outcome, out_dir)
    report(progress, 1.0, "done")
    return FolderAnalysis(dataset, outcome, files, n_failed)


def write_files(samples, outcome, out_dir: str) -> tuple[dict[str, str], int]:
    """Write the analysis files of ``outcome`` (on ``samples``) to ``out_dir``, the unreadable
    images listed; returns (paths of the files, number of unreadable images)."""
    from .fo.results import umap_points
    from .report.files import Failure, write_outputs

    failed_view = samples.exists(defaults.ERROR_FIELD)
    failures = [
        Failure(p, d, e)
        for p, d, e in zip(
            *failed_view.values(["filepath", defaults.DOMAIN_FIELD, defaults.ERROR_FIELD]),
            strict=True,
        )
    ]
    return write_outputs(outcome, umap_points(outcome), failures, out_dir), len(failures)


def analyze_samples(
    samples,
    embeddings_field: str | None = None,
    options: EmbeddingOptions | None = None,
    config: AnalysisConfig | None = None,
    run_key: str = defaults.RUN_KEY,
    overwrite: bool = False,
    overwrite_fields: bool = False,
    recompute: bool = False,
    progress: Progress | None = None,
    labels: LabelOptions | None = None,
    objects: ObjectOptions | None = None,
):
    """Embed the samples of a FiftyOne collection that lack embeddings, then analyze them.

    ``labels``: analyze with the labels in ``labels.label_field`` (renamed by its class map):
    the label statistics, the per-class analysis and the probe (None: without labels).
    ``objects``: analyze the objects of that (Detections) field instead of whole images: each
    object's crop is embedded onto its Detection (fo/objects.py) and the run's units are the
    objects (fo/object_analysis.py); ``embeddings_field`` then names the objects' attribute.

    ``embeddings_field``: a synthgap embeddings field (filled with the model that made it, whatever
    ``options.model`` says) or None for the default field of ``options.model``. ``options``: how
    images are embedded (default EmbeddingOptions()). ``recompute`` embeds every sample again,
    retrying the images that failed before. ``config``: the analysis parameters (default
    AnalysisConfig()). ``overwrite`` replaces an earlier run ``run_key``; ``overwrite_fields``
    allows replacing what the user created under the names synthgap writes. The run's names are
    checked before anything is embedded. Returns the fo.results.AnalysisOutcome.
    """
    from .core.config import AnalysisConfig
    from .fo.analysis import analyze
    from .fo.embeddings import compute_embeddings
    from .fo.fields import field_meta
    from .fo.runs import check_run_writable
    from .fo.samples import domain_view

    check_run_writable(samples._dataset, run_key, overwrite, overwrite_fields)
    options = (options or EmbeddingOptions()).validate()
    if objects is not None:
        return _analyze_objects(
            samples, embeddings_field, options, config, run_key, overwrite, overwrite_fields,
            recompute, progress, labels, objects,
        )  # fmt: skip
    if labels is not None:
        from .fo.labels import check_label_field

        check_label_field(samples, labels.validate().label_field)
    if embeddings_field:
        stored = (field_meta(samples._dataset, embeddings_field) or {}).get("model")
        options = options.replace(model=stored or options.model)
    summary = compute_embeddings(
        domain_view(samples),
        field=embeddings_field,
        options=options,
        recompute=recompute,
        overwrite=overwrite_fields,
        progress=span(progress, 0.0, 0.6),
    )
    return analyze(
        samples,
        embeddings_field=summary.field,
        run_key=run_key,
        config=config if config is not None else AnalysisConfig(),
        overwrite=overwrite,
        overwrite_fields=overwrite_fields,
        progress=span(progress, 0.6, 1.0),
        label_field=labels.label_field if labels else None,
        class_map=labels.class_map_dict() if labels else None,
    )


def _auto_model(real_paths: list[str], progress: Progress | None) -> str:
    """The model "auto" takes for whole images when the real ones are ``real_paths``
    (embeddings.layout.choose_model's), said in the progress."""
    from .embeddings.layout import choose_model

    model, share = choose_model(real_paths)
    layout = "a fixed layout" if model == defaults.CONTENT_MODEL else "no fixed layout"
    report(progress, 0.0, f"model {model}: the real images have {layout} ({share or 0:.0%})")
    return model


def _analyze_objects(
    samples, embeddings_field, options, config, run_key, overwrite, overwrite_fields, recompute,
    progress, labels, objects,
):  # fmt: skip
    """analyze_samples on objects: embed the objects that lack embeddings, analyze them."""
    from .fo.object_analysis import analyze_objects
    from .fo.objects import check_detections_field, compute_object_embeddings
    from .fo.samples import domain_view

    if labels is None:
        raise ValueError(
            "Objects are the boxes of a label field: pass labels (LabelOptions(label_field=...), "
            "--label-field) with objects"
        )
    labels.validate()
    objects.validate()
    check_detections_field(samples, labels.label_field)
    summary = compute_object_embeddings(
        domain_view(samples), labels.label_field, field=embeddings_field, options=options,
        objects=objects, recompute=recompute, overwrite=overwrite_fields,
        progress=span(progress, 0.0, 0.6),
    )  # fmt: skip
    return analyze_objects(
        samples, labels.label_field, embeddings_field=summary.field.rsplit(".", 1)[-1],
        run_key=run_key, config=config, class_map=labels.class_map_dict(), overwrite=overwrite,
        overwrite_fields=overwrite_fields, progress=span(progress, 0.6, 1.0),
    )  # fmt: skip
