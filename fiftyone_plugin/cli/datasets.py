"""The commands on an existing dataset: `synthgap app`, `report`, `embed` and `runs`."""

from __future__ import annotations

import argparse

from .. import defaults
from .model_options import RECOMPUTE_HELP, add_model_options, embedding_options


def add_parsers(sub) -> None:
    """Register `synthgap app`, `report`, `embed` and `runs` on the subparsers ``sub``."""
    app = sub.add_parser("app", help="open the FiftyOne App with the synthgap plugin loaded")
    app.add_argument("--dataset", required=True)
    app.add_argument("--port", type=int, default=5151)
    app.add_argument("--address", default=None)
    app.set_defaults(handler=_app)

    report = sub.add_parser("report", help="write the HTML report of a stored analysis run")
    report.add_argument("run", nargs="?", default=defaults.RUN_KEY)
    report.add_argument("--dataset", required=True)
    report.add_argument("--out", required=True, help="path of the HTML file to write")
    report.set_defaults(handler=_report)

    embed = sub.add_parser("embed", help="embed the images of a dataset; --shard I/N embeds one "
                           "worker's part, for N workers on machines sharing one database")  # fmt: skip
    embed.add_argument("--dataset", required=True)
    embed.add_argument("--field", help="vector field (default emb_<model>)")
    embed.add_argument("--shard", metavar="I/N",
                       help="embed only part I of N (0 <= I < N): run one command per part")  # fmt: skip
    embed.add_argument("--recompute", action="store_true", help=RECOMPUTE_HELP)
    add_model_options(embed)
    embed.set_defaults(handler=_embed)

    runs = sub.add_parser(
        "runs", help="list the analysis runs of a dataset with their headline metrics"
    )
    runs.add_argument("--dataset", required=True)
    runs.set_defaults(handler=_runs)


def _app(args: argparse.Namespace) -> int:
    from ..fo.app import launch

    launch(args.dataset, port=args.port, address=args.address)
    return 0


def _report(args: argparse.Namespace) -> int:
    from ..progress import TerminalBar, span

    bar = TerminalBar()
    bar(0.0, "starting FiftyOne and its database")
    try:
        from ..fo.report import write_run_report

        path = write_run_report(args.dataset, args.run, args.out, span(bar, 0.2, 1.0))
        bar(1.0, "done")
    finally:
        bar.close()
    print(path)
    return 0


def _embed(args: argparse.Namespace) -> int:
    from ..progress import TerminalBar

    try:
        shard = tuple(int(x) for x in args.shard.split("/")) if args.shard else None
    except ValueError:
        raise ValueError(f"--shard takes I/N, e.g. 0/4, not '{args.shard}'") from None
    bar = TerminalBar()
    bar(0.0, "starting FiftyOne and its database")
    try:
        from ..fo.embeddings import compute_embeddings
        from ..fo.samples import load_dataset

        dataset = load_dataset(args.dataset)
        summary = compute_embeddings(
            dataset, field=args.field, options=embedding_options(args), recompute=args.recompute,
            shard=shard, progress=bar,
        )  # fmt: skip
    finally:
        bar.close()
    part = f" (part {args.shard})" if shard else ""
    print(f"{summary.field}{part}: embedded {summary.computed}, already done {summary.skipped}, "
          f"unreadable {summary.failed}")  # fmt: skip
    return 0


def _runs(args: argparse.Namespace) -> int:
    from ..fo.report import run_history

    for row in run_history(args.dataset):
        print("  ".join(f"{k}={_short(v)}" for k, v in row.items()))
    return 0


def _short(value) -> str:
    """A value of `synthgap runs` as the report prints it: numbers rounded, times to the second."""
    from ..report.grades import format_value

    if isinstance(value, str) and len(value) > 19 and value[10:11] == " ":
        return value[:19]  # a timestamp without its microseconds
    return format_value(value)
