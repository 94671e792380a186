"""`synthgap analyze`: compare a folder of real images with one of synthetic images (or analyze an
existing dataset), and print the summary."""

from __future__ import annotations

import argparse

from .. import defaults
from ..paths import CLI_OUT
from .model_options import RECOMPUTE_HELP, add_model_options, embedding_options
from .summary import print_summary


def add_parser(sub) -> None:
    """Register `synthgap analyze` on the subparsers ``sub``."""
    analyze = sub.add_parser("analyze", help="compare a folder of real and one of synthetic images")
    analyze.add_argument("--real", help="folder (or glob) of real images, or a labeled dataset: "
                         "class folders, COCO (folder or JSON file), YOLO, VOC")  # fmt: skip
    analyze.add_argument("--synthetic", help="the same for the synthetic images")
    analyze.add_argument("--out", help=f"output folder (default ./{CLI_OUT}/<dataset>, the "
                         "dataset's name made safe as a folder name)")  # fmt: skip
    analyze.add_argument("--dataset", help="FiftyOne dataset name (default from the folder names); "
                         "without --real/--synthetic: analyze this existing dataset")  # fmt: skip
    _add_label_options(analyze)
    analyze.add_argument("--run", default=None,
                         help=f"analysis run name (default {defaults.RUN_KEY}, with --objects "
                              f"{defaults.OBJECTS_RUN_KEY}); rerunning a name replaces its "
                              "results")  # fmt: skip
    analyze.add_argument("--overwrite", action="store_true",
                         help="replace fields, saved views, the visualization and the tag of the "
                              "names synthgap uses even if you created them (by default synthgap "
                              "refuses and names them)")  # fmt: skip
    analyze.add_argument("--recompute", action="store_true", help=RECOMPUTE_HELP)
    add_model_options(analyze)
    analyze.set_defaults(handler=_analyze)


def _analyze(args: argparse.Namespace) -> int:
    return analyze_command(args, args.real, args.synthetic, args.dataset)


def _add_label_options(parser: argparse.ArgumentParser) -> None:
    from ..label_options import FORMATS

    for side in ("real", "synthetic"):
        parser.add_argument(f"--{side}-format", default="auto", choices=FORMATS,
                            help=f"format of --{side} (auto: detected; images: ignore labels)")  # fmt: skip
    parser.add_argument("--label-field", default=None,
                        help="sample field of the labels: imported labels go there (default "
                             "ground_truth); with an existing --dataset, the field to analyze "
                             "per class")  # fmt: skip
    parser.add_argument("--class-map", metavar="FILE", default=None,
                        help="rename classes before comparing: a JSON object {\"from\": \"to\"} or "
                             "a CSV file of from,to rows; an empty 'to' leaves a class out")  # fmt: skip
    parser.add_argument("--objects", action="store_true",
                        help="analyze every labeled box as a unit (its crop embedded) instead of "
                             "whole images; needs boxes on both sides (COCO, YOLO, VOC or a "
                             f"Detections --label-field). Default run name: {defaults.OBJECTS_RUN_KEY}")  # fmt: skip
    parser.add_argument("--object-margin", type=float, default=defaults.OBJECT_MARGIN,
                        help="with --objects: context kept around each box, as a share of its "
                             "longer side on each side")  # fmt: skip
    parser.add_argument("--min-object-size", type=int, default=defaults.OBJECT_MIN_SIZE,
                        help="with --objects: boxes whose size, sqrt(width x height), has fewer pixels are "
                             "skipped (and counted)")  # fmt: skip


def _run_key(args: argparse.Namespace) -> str:
    """--run, or the default run name of the analysis asked for."""
    if getattr(args, "run", None):
        return args.run
    return defaults.OBJECTS_RUN_KEY if getattr(args, "objects", False) else defaults.RUN_KEY


def _object_options(args: argparse.Namespace):
    """The ObjectOptions of --objects, or None without it."""
    if not getattr(args, "objects", False):
        return None
    from ..object_options import ObjectOptions

    return ObjectOptions(args.object_margin, args.min_object_size).validate()


def _label_options(args: argparse.Namespace):
    from ..label_options import LABEL_FIELD, LabelOptions

    return LabelOptions(
        real_format=getattr(args, "real_format", "auto"),
        synthetic_format=getattr(args, "synthetic_format", "auto"),
        label_field=getattr(args, "label_field", None) or LABEL_FIELD,
        class_map=getattr(args, "class_map", None),
    ).validate()


def analyze_command(
    args: argparse.Namespace, real: str, synthetic: str, dataset: str | None
) -> int:
    """Analyze ``real`` and ``synthetic`` (folders) into ``dataset``, or the existing ``dataset``
    without folders, and print the summary (also the last step of `synthgap demo`)."""
    from ..core.config import AnalysisConfig
    from ..progress import TerminalBar

    if (real is None) != (synthetic is None) or (real is None and not dataset):
        raise ValueError(
            "Pass both --real and --synthetic (folders or labeled datasets), or --dataset NAME "
            "alone to analyze an existing FiftyOne dataset"
        )
    options = embedding_options(args)
    bar = TerminalBar()
    bar(0.0, "starting FiftyOne and its database")  # importing FiftyOne takes seconds
    try:
        common = dict(
            out=args.out, options=options,
            config=AnalysisConfig(seed=args.seed, device=options.analysis_device),
            run_key=_run_key(args),
            overwrite_fields=getattr(args, "overwrite", False),
            recompute=getattr(args, "recompute", False), progress=bar,
        )  # fmt: skip
        done = _run_analysis(args, real, synthetic, dataset, common)
    finally:
        bar.close()
    print_summary(done)
    return 0


def _run_analysis(args, real, synthetic, dataset, common: dict):
    """analyze_folders, or analyze_dataset without folders; a name clash says how to avoid it."""
    from ..fo.fields import FieldClashError
    from ..workflow import analyze_dataset, analyze_folders

    try:
        objects = _object_options(args)
        if real is None:
            labels = _label_options(args) if args.label_field or objects else None
            return analyze_dataset(dataset, labels=labels, objects=objects, **common)
        return analyze_folders(
            real, synthetic, dataset=dataset, labels=_label_options(args), objects=objects,
            **common,
        )  # fmt: skip
    except FieldClashError as exc:
        raise FieldClashError(
            f"{exc} (command line: --run NAME writes the results under other names instead, "
            "NAME_<field> and NAME-<view>; --overwrite replaces those of yours)"
        ) from None
