"""`synthgap curate`: keep the synthetic samples of a run (images judged by their objects, for a
run on objects) that stand in for real ones, say why the others go, within an optional budget,
and export the kept set. --dry-run prints the plan and changes nothing; samples are tagged,
never deleted."""

from __future__ import annotations

import argparse
import os

from .. import defaults
from ..paths import check_out_dir
from .curate_output import print_outcome, print_plan
from .errors import BadInput


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"give a whole number >= 0, not {text}")
    return value


def _percent(text: str) -> float:
    value = float(text)
    if not 0 <= value < 100:
        raise argparse.ArgumentTypeError(f"give a percentage in [0, 100), not {text}")
    return value


def add_parser(sub) -> None:
    """Register `synthgap curate` on the subparsers ``sub`` (defaults: CurationConfig())."""
    on = argparse.BooleanOptionalAction
    curate = sub.add_parser(
        "curate", help="keep the synthetic samples that stand in for real ones (tags, saved "
        "views, export; --dry-run: the plan only); nothing is deleted",
        description="Keep the synthetic samples of analysis run RUN that stand in for real ones: "
        "tags the kept ones 'curated' and the others 'curation:dropped:<reason>' (prefixed "
        "'RUN_' for a run other than the default), saves the views RUN-curated and "
        "RUN-generation-targets, and with --export writes the kept set. A run on objects keeps "
        "or drops whole images, judged by their objects. Samples are never deleted.",
    )  # fmt: skip
    curate.add_argument("run", nargs="?", default=defaults.RUN_KEY, metavar="RUN",
                        help=f"analysis run to curate by (default {defaults.RUN_KEY}; "
                             "`synthgap runs` lists them)")  # fmt: skip
    curate.add_argument("--dataset", required=True)
    curate.add_argument("--dry-run", action="store_true",
                        help="print what would be kept and dropped, and why; tag nothing")  # fmt: skip
    curate.add_argument("--budget", type=_count, default=None, metavar="N",
                        help="keep at most N synthetic samples (images, for a run on objects), "
                             "the most realistic first (default: no limit)")  # fmt: skip
    curate.add_argument("--drop-degenerate", action=on, default=True,
                        help="drop blank and noise images (for a run on objects: images with a "
                             "blank or noise object); default on")  # fmt: skip
    curate.add_argument("--drop-outside-support", action=on, default=True,
                        help="drop samples no real image looks like once the style shift is "
                             "removed (objects: images with such an object); default on")  # fmt: skip
    curate.add_argument("--drop-least-realistic", type=_percent, default=0.0, metavar="PCT",
                        help="drop the least realistic PCT percent of the synthetic samples "
                             "(objects: images holding one of the least realistic PCT percent "
                             "of the objects); default 0")  # fmt: skip
    curate.add_argument("--prune-duplicates", action=on, default=True,
                        help="of synthetic images that look alike, keep the most realistic; "
                             "default on")  # fmt: skip
    curate.add_argument("--match-real", action=on, default=True,
                        help="each cluster gets its real share of the budget (what thin clusters "
                             "cannot fill goes to the others); default on")  # fmt: skip
    curate.add_argument("--bad-object-percent", type=_percent, default=0.0, metavar="PCT",
                        help="runs on objects: drop an image when more than PCT percent of its "
                             "objects is judged bad by the options above (default 0: any one)")  # fmt: skip
    curate.add_argument("--targets", type=_count, default=5, metavar="N",
                        help="list at most N places where to generate next (default 5)")  # fmt: skip
    curate.add_argument("--export", metavar="DIR", default=None,
                        help="write the kept samples to this folder")  # fmt: skip
    curate.add_argument("--export-format", default="auto",
                        choices=["auto", "images", "fiftyone", "coco"],
                        help="auto: a folder of images, or a FiftyOne dataset (media, labels, "
                             "fields) when the samples have labels; coco: COCO detections")  # fmt: skip
    curate.add_argument("--overwrite", action="store_true",
                        help="replace an earlier curation of RUN (its tags and views, and your "
                             "saved views of those names) and write into a non-empty --export "
                             "folder")  # fmt: skip
    curate.set_defaults(handler=_curate)


def curation_config(args: argparse.Namespace):
    """The CurationConfig the command line asks for."""
    from ..core.curation import CurationConfig

    return CurationConfig(
        drop_degenerate=args.drop_degenerate,
        drop_outside_support=args.drop_outside_support,
        low_realism_fraction=args.drop_least_realistic / 100.0,
        prune_duplicates=args.prune_duplicates,
        match_distribution=args.match_real,
        n_targets=args.targets,
        max_bad_object_share=args.bad_object_percent / 100.0,
    )


def _curate(args: argparse.Namespace) -> int:
    from ..progress import TerminalBar

    bar = TerminalBar()
    bar(0.0, "starting FiftyOne and its database")
    try:
        from ..fo.curation import curate_synthetic, plan_curation
        from ..fo.runs import load_summary
        from ..fo.samples import load_dataset

        try:
            config = curation_config(args)
            dataset = load_dataset(args.dataset)
            summary = load_summary(dataset, args.run)
            if args.dry_run:
                plan = plan_curation(dataset, args.run, args.budget, config, bar)
            else:
                _check_export_dir(args)
                outcome = curate_synthetic(
                    dataset, args.run, args.budget, config=config, export_dir=args.export,
                    export_format=args.export_format, overwrite=args.overwrite, progress=bar,
                )  # fmt: skip
        except ValueError as exc:  # refused before anything was written
            hint = " (command line: --overwrite)" if "pass overwrite" in str(exc) else ""
            raise BadInput(f"{exc}{hint}") from None
    finally:
        bar.close()
    if args.dry_run:
        print_plan(dataset.name, plan, summary)
    else:
        print_outcome(outcome)
    return 0


def _check_export_dir(args: argparse.Namespace) -> None:
    """Refuse an --export that cannot be written (a file, no permission), or a non-empty folder
    without --overwrite: before anything is tagged, not after."""
    if not args.export:
        return
    check_out_dir(args.export)
    if os.path.isdir(args.export) and os.listdir(args.export) and not args.overwrite:
        raise ValueError(
            f"--export folder {args.export} is not empty: give an empty or new folder, or pass "
            "--overwrite to write into it"
        )
