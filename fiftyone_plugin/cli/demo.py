"""`synthgap demo`: build the bundled demo data and analyze it."""

from __future__ import annotations

import argparse
import os

from .. import defaults
from ..paths import CLI_OUT
from .analyze import analyze_command
from .model_options import add_model_options

#: Dataset of `synthgap demo` unless --dataset names another.
DEMO_DATASET = "synthgap-demo"


def add_parser(sub) -> None:
    """Register `synthgap demo` on the subparsers ``sub``."""
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
    add_model_options(demo)
    demo.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    from ..demo import build_demo, build_labeled_demo
    from ..demo_objects import build_objects_demo
    from ..paths import check_out_dir
    from ..progress import TerminalBar

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
    code = analyze_command(args, truth["real"], truth["synthetic"], name)
    print(f"expected: {truth['expected']}")
    if args.app:
        from ..fo.app import launch

        launch(name)
    return code
