"""The ``synthgap`` command line: analyze two folders, run the demo, open the App, re-render reports."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from . import defaults
from .options import EmbeddingOptions
from .paths import CLI_OUT

#: Dataset of `synthgap demo` unless --dataset names another.
DEMO_DATASET = "synthgap-demo"

EPILOG = "Results land in FiftyOne (fields, tags, runs, saved views) and in --out as CSV/JSON/HTML."
RECOMPUTE_HELP = (
    "embed every image again, retrying files that failed before (by default reruns reuse stored "
    "embeddings and skip files with a load_error)"
)


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    """The embedding options (defaults: EmbeddingOptions()) and the analysis seed."""
    d = EmbeddingOptions()
    parser.add_argument("--model", default=d.model,
                        help="embedding model: efficientnet_lite0 (offline), "
                             "efficientnet_lite0_content (offline; keeps shapes over style), a "
                             "torchvision name (resnet50, vit_b_16, ...) or zoo:<fiftyone zoo "
                             "model>")  # fmt: skip
    parser.add_argument("--checkpoint", default=d.checkpoint,
                        help="your own weights for --model: a state dict file (loaded with "
                             "weights_only=True)")  # fmt: skip
    parser.add_argument("--device", default=d.device, choices=defaults.DEVICES)
    parser.add_argument("--batch-size", type=int, default=d.batch_size)
    parser.add_argument("--num-workers", type=int, default=d.num_workers,
                        help="image decoders: threads taking turns with the network on a CPU, "
                             "worker processes next to a GPU")  # fmt: skip
    parser.add_argument("--precision", default=d.precision, choices=defaults.PRECISIONS,
                        help="auto: fp16 on CUDA, else fp32 (bf16: faster on CPUs with native "
                             "bf16, but moves borderline gap results; docs/BENCHMARKS.md)")  # fmt: skip
    parser.add_argument("--backend", default=d.backend, choices=defaults.BACKENDS,
                        help="runtime of the network; auto: OpenVINO on a CPU when installed "
                             "(fp32: the same embeddings, faster; bf16 too), else torch")  # fmt: skip
    parser.add_argument("--compile", action="store_true", default=d.compile,
                        help="compile the network with torch.compile (torch runtime, a one-off "
                             "compilation at the first batch): for GPUs; on a CPU the OpenVINO "
                             "runtime is faster (docs/BENCHMARKS.md)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=defaults.SEED)
    parser.add_argument("--decoder", default=d.decoder, choices=defaults.DECODERS,
                        help="image decoder; auto: JPEGs on the GPU (nvJPEG) for a CUDA model, "
                             "Pillow elsewhere")  # fmt: skip
    parser.add_argument("--max-pixels", type=int, default=d.max_pixels,
                        help="refuse images with more pixels than this (decompression bombs)")  # fmt: skip


def _options(args: argparse.Namespace) -> EmbeddingOptions:
    """The embedding options given on the command line."""
    return EmbeddingOptions(
        model=args.model, device=args.device, precision=args.precision, backend=args.backend,
        checkpoint=args.checkpoint, compile=args.compile, batch_size=args.batch_size,
        num_workers=args.num_workers, max_pixels=args.max_pixels, decoder=args.decoder,
    )  # fmt: skip


def _add_label_options(parser: argparse.ArgumentParser) -> None:
    from .label_options import FORMATS

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="synthgap", description="Do your synthetic images stand in for your real ones?",
        epilog=EPILOG,
    )  # fmt: skip
    sub = parser.add_subparsers(dest="command", required=True)

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
    _add_model_options(analyze)

    demo = sub.add_parser("demo", help="build the bundled demo data and analyze it")
    demo.add_argument("--app", action="store_true", help="open the FiftyOne App afterwards")
    demo.add_argument("--dataset", default=DEMO_DATASET,
                      help=f"FiftyOne dataset name (default {DEMO_DATASET}, with --labeled "
                           f"{DEMO_DATASET}-labeled, with --objects {DEMO_DATASET}-objects)")  # fmt: skip
    kind = demo.add_mutually_exclusive_group()
    kind.add_argument("--labeled", action="store_true",
                      help="class folders of photo crops: per-class gaps, label statistics, probe")  # fmt: skip
    kind.add_argument("--objects", action="store_true",
                      help="a detection set (COCO) analyzed per object (as analyze --objects)")  # fmt: skip
    demo.set_defaults(object_margin=defaults.OBJECT_MARGIN,
                      min_object_size=defaults.OBJECT_MIN_SIZE)  # fmt: skip
    demo.add_argument("--root", default=os.path.join(CLI_OUT, "demo-data"),
                      help="where the demo images are written")  # fmt: skip
    demo.add_argument("--out", default=None, help=f"output folder (default ./{CLI_OUT}/<dataset>)")
    _add_model_options(demo)

    app = sub.add_parser("app", help="open the FiftyOne App with the synthgap plugin loaded")
    app.add_argument("--dataset", required=True)
    app.add_argument("--port", type=int, default=5151)
    app.add_argument("--address", default=None)

    report = sub.add_parser("report", help="write the HTML report of a stored analysis run")
    report.add_argument("run", nargs="?", default=defaults.RUN_KEY)
    report.add_argument("--dataset", required=True)
    report.add_argument("--out", required=True, help="path of the HTML file to write")

    embed = sub.add_parser("embed", help="embed the images of a dataset; --shard I/N embeds one "
                           "worker's part, for N workers on machines sharing one database")  # fmt: skip
    embed.add_argument("--dataset", required=True)
    embed.add_argument("--field", help="vector field (default emb_<model>)")
    embed.add_argument("--shard", metavar="I/N",
                       help="embed only part I of N (0 <= I < N): run one command per part")  # fmt: skip
    embed.add_argument("--recompute", action="store_true", help=RECOMPUTE_HELP)
    _add_model_options(embed)

    runs = sub.add_parser(
        "runs", help="list the analysis runs of a dataset with their headline metrics"
    )
    runs.add_argument("--dataset", required=True)
    return parser


def _run_key(args: argparse.Namespace) -> str:
    """--run, or the default run name of the analysis asked for."""
    if getattr(args, "run", None):
        return args.run
    return defaults.OBJECTS_RUN_KEY if getattr(args, "objects", False) else defaults.RUN_KEY


def _object_options(args: argparse.Namespace):
    """The ObjectOptions of --objects, or None without it."""
    if not getattr(args, "objects", False):
        return None
    from .object_options import ObjectOptions

    return ObjectOptions(args.object_margin, args.min_object_size).validate()


def _label_options(args: argparse.Namespace):
    from .label_options import LABEL_FIELD, LabelOptions

    return LabelOptions(
        real_format=getattr(args, "real_format", "auto"),
        synthetic_format=getattr(args, "synthetic_format", "auto"),
        label_field=getattr(args, "label_field", None) or LABEL_FIELD,
        class_map=getattr(args, "class_map", None),
    ).validate()


def _analyze(args: argparse.Namespace, real: str, synthetic: str, dataset: str | None) -> int:
    from .core.pipeline import AnalysisConfig
    from .progress import TerminalBar

    if (real is None) != (synthetic is None) or (real is None and not dataset):
        raise ValueError(
            "Pass both --real and --synthetic (folders or labeled datasets), or --dataset NAME "
            "alone to analyze an existing FiftyOne dataset"
        )
    options = _options(args)
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
    _print_summary(done)
    return 0


def _run_analysis(args, real, synthetic, dataset, common: dict):
    """analyze_folders, or analyze_dataset without folders; a name clash says how to avoid it."""
    from .fo.fields import FieldClashError
    from .workflow import analyze_dataset, analyze_folders

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


def _print_summary(done) -> None:
    result, metrics = done.outcome.result, done.outcome.result.metrics
    print(f"\ndataset   {done.dataset_name}")
    print(f"diagnosis {result.diagnosis['text']}")
    for key in ("fid", "kid_mean", "precision", "recall", "density", "coverage", "c2st_auc"):
        if key in metrics and key in result.readings:
            print(f"  {key:<10} {metrics[key]:8.3f}  {result.readings[key]}")
    objects = getattr(done.outcome, "objects", None)
    print(
        f"uncovered real {'objects' if objects else 'samples'}: {int(result.uncovered.sum())} in "
        f"{len(result.regions)} gap region(s); {int(result.underrepresented.sum())} more "
        "underrepresented (likely)"
    )
    if objects:
        print(
            f"objects   {len(result.gap_score)} real and {len(result.realism)} synthetic analyzed "
            f"in '{objects['label_field']}'; skipped {objects['n_skipped_real']} real and "
            f"{objects['n_skipped_synthetic']} synthetic (under {objects['min_size']} px or in "
            "unreadable images); results on the patches of field "
            f"'{objects['field']}'"
        )
    if done.n_failed:
        print(f"skipped {done.n_failed} unreadable image(s): see load_error in samples.csv")
    _print_labels(done)
    for name, path in done.files.items():
        print(f"  {name:<13} {path}")


def _print_labels(done) -> None:
    """The labeled part of the summary: warnings, the probe's verdict, the worst classes and the
    label statistics' findings."""
    for line in done.warnings:
        print(f"warning: {line}")
    labeled = done.outcome.result.labeled
    if labeled is None:
        return
    from .report.classes import class_rows, class_table_text

    print(f"labels    {done.outcome.label_field}")
    rows = class_rows(labeled.table)
    for line in class_table_text(rows):
        print(f"  {line}")
    if len(rows) > 20:
        print(f"  ... and {len(rows) - 20} more classes: see classes.csv")
    for row in rows[:3]:
        print(f"  class   {row['reading']}")
    for reading in (labeled.label_stats or {}).get("readings", [])[:5]:
        print(f"  labels  {reading}")
    if labeled.probe:
        print(f"  probe   {labeled.probe['reading']}")
    else:
        print(f"  probe   not run: {labeled.probe_skipped}")


def _demo(args: argparse.Namespace) -> int:
    from .demo import build_demo, build_labeled_demo
    from .demo_objects import build_objects_demo
    from .paths import check_out_dir
    from .progress import TerminalBar

    for folder in (args.root, args.out):  # before minutes of work, not after
        if folder:
            check_out_dir(folder)
    kind = "labeled" if args.labeled else "objects" if args.objects else None
    build = {"labeled": build_labeled_demo, "objects": build_objects_demo}.get(kind, build_demo)
    name = f"{args.dataset}-{kind}" if kind and args.dataset == DEMO_DATASET else args.dataset
    bar = TerminalBar()
    try:
        truth = build(os.path.join(args.root, kind) if kind else args.root, progress=bar)
    finally:
        bar.close()
    code = _analyze(args, truth["real"], truth["synthetic"], name)
    print(f"expected: {truth['expected']}")
    if args.app:
        from .fo.app import launch

        launch(name)
    return code


def _report(args: argparse.Namespace) -> int:
    from .progress import TerminalBar, span

    bar = TerminalBar()
    bar(0.0, "starting FiftyOne and its database")
    try:
        from .fo.report import write_run_report

        path = write_run_report(args.dataset, args.run, args.out, span(bar, 0.2, 1.0))
        bar(1.0, "done")
    finally:
        bar.close()
    print(path)
    return 0


def _embed(args: argparse.Namespace) -> int:
    from .progress import TerminalBar

    try:
        shard = tuple(int(x) for x in args.shard.split("/")) if args.shard else None
    except ValueError:
        raise ValueError(f"--shard takes I/N, e.g. 0/4, not '{args.shard}'") from None
    bar = TerminalBar()
    bar(0.0, "starting FiftyOne and its database")
    try:
        from .fo.embeddings import compute_embeddings
        from .fo.samples import load_dataset

        dataset = load_dataset(args.dataset)
        summary = compute_embeddings(
            dataset, field=args.field, options=_options(args), recompute=args.recompute,
            shard=shard, progress=bar,
        )  # fmt: skip
    finally:
        bar.close()
    part = f" (part {args.shard})" if shard else ""
    print(f"{summary.field}{part}: embedded {summary.computed}, already done {summary.skipped}, "
          f"unreadable {summary.failed}")  # fmt: skip
    return 0


def _runs(args: argparse.Namespace) -> int:
    from .fo.report import run_history

    for row in run_history(args.dataset):
        print("  ".join(f"{k}={_short(v)}" for k, v in row.items()))
    return 0


def _short(value) -> str:
    """A value of `synthgap runs` as the report prints it: numbers rounded, times to the second."""
    from .report.grades import format_value

    if isinstance(value, str) and len(value) > 19 and value[10:11] == " ":
        return value[:19]  # a timestamp without its microseconds
    return format_value(value)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``synthgap`` console script."""
    args = build_parser().parse_args(argv)
    os.environ.setdefault("FIFTYONE_DATABASE_VALIDATION", "false")
    _show_warnings()
    try:
        if args.command == "analyze":
            return _analyze(args, args.real, args.synthetic, args.dataset)
        if args.command == "demo":
            return _demo(args)
        if args.command == "app":
            from .fo.app import launch

            launch(args.dataset, port=args.port, address=args.address)
            return 0
        if args.command == "report":
            return _report(args)
        if args.command == "embed":
            return _embed(args)
        return _runs(args)
    except KeyboardInterrupt:
        print("synthgap: interrupted; rerun the same command to resume", file=sys.stderr)
        return 130
    except Exception as exc:
        reason = _error_line(exc)
        if reason is None:
            raise  # a bug: the traceback is what a report needs
        print("synthgap: error: " + " ".join(reason.split()), file=sys.stderr)
        return 1


def _show_warnings() -> None:
    """Print the library's warnings (e.g. a repaired database count) as ``synthgap: warning:``
    lines on stderr."""
    logger = logging.getLogger("fiftyone_plugin")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("synthgap: warning: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False


def _error_line(exc: Exception) -> str | None:
    """The one line printed for a failure the user can act on, or None for a bug."""
    from pymongo.errors import PyMongoError

    lost = _lost_database(exc)
    if lost is not None:
        return (
            "FiftyOne's database (MongoDB) could not be reached or went away during the run "
            f"({type(lost).__name__}: {str(lost)[:100]}). Nothing is lost: embedding chunks that "
            "finished are stored, and results are only written once an analysis completes. Once "
            "the database is back (FIFTYONE_DATABASE_URI points at an external one), rerun the "
            "same command to resume where it stopped"
        )
    if isinstance(exc, PyMongoError):
        return (
            f"FiftyOne's database refused an operation ({type(exc).__name__}: {str(exc)[:200]}); "
            "what finished before is stored: fix the database and rerun the same command"
        )
    if isinstance(exc, ValueError | RuntimeError | OSError):
        return str(exc)
    return None


def _lost_database(exc: BaseException) -> BaseException | None:
    """The connection failure behind ``exc`` (pymongo's ConnectionFailure, AutoReconnect and
    ServerSelectionTimeoutError, or a ConnectionError about mongo), following the causes it was
    raised from; None if the database did not go away."""
    from pymongo.errors import ConnectionFailure

    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ConnectionFailure) or (
            isinstance(exc, ConnectionError) and "mongo" in str(exc).lower()
        ):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


if __name__ == "__main__":
    sys.exit(main())
