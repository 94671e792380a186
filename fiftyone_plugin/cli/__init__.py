"""The ``synthgap`` command line: analyze two folders, run the demo, open the App, re-render
reports, curate. One module per command group (analyze.py, demo.py, datasets.py, curate.py);
each registers its subcommands and their handlers."""

from __future__ import annotations

import argparse
import os
import sys

from . import analyze, curate, datasets, demo
from .errors import BadInput, error_line, show_warnings

EPILOG = "Results land in FiftyOne (fields, tags, runs, saved views) and in --out as CSV/JSON/HTML."


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="synthgap", description="Do your synthetic images stand in for your real ones?",
        epilog=EPILOG,
    )  # fmt: skip
    sub = parser.add_subparsers(dest="command", required=True)
    analyze.add_parser(sub)
    demo.add_parser(sub)
    datasets.add_parsers(sub)
    curate.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``synthgap`` console script."""
    args = build_parser().parse_args(argv)
    os.environ.setdefault("FIFTYONE_DATABASE_VALIDATION", "false")
    show_warnings()
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("synthgap: interrupted; rerun the same command to resume", file=sys.stderr)
        return 130
    except Exception as exc:
        reason = error_line(exc)
        if reason is None:
            raise  # a bug: the traceback is what a report needs
        print("synthgap: error: " + " ".join(reason.split()), file=sys.stderr)
        return 2 if isinstance(exc, BadInput) else 1
