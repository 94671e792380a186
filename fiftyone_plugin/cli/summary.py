"""What `synthgap analyze` (and `synthgap demo`) print once an analysis is done."""

from __future__ import annotations

from ..report.classes import run_unit
from ..report.verdict import advice


def print_summary(done) -> None:
    """The diagnosis, graded metrics, gap counts, skipped files, labels and written files of
    ``done`` (workflow's result)."""
    result, metrics = done.outcome.result, done.outcome.result.metrics
    print(f"\ndataset   {done.dataset_name}")
    print(f"diagnosis {result.diagnosis['text']}")
    outcome = done.outcome
    next_step = advice(result.diagnosis.get("kind"), outcome.model, outcome.layout_share)
    if next_step:
        print(f"next      {next_step}")
    for key in ("fid", "kid_mean", "precision", "recall", "density", "coverage", "c2st_auc"):
        if key in metrics and key in result.readings:
            print(f"  {key:<10} {metrics[key]:8.3f}  {result.readings[key]}")
    objects = getattr(done.outcome, "objects", None)
    print(
        f"uncovered real {run_unit(objects)}: {int(result.uncovered.sum())} in "
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
    from ..report.classes import class_rows, class_table_text

    print(f"labels    {done.outcome.label_field}")
    rows = class_rows(labeled.table)
    unit = run_unit(getattr(done.outcome, "objects", None))
    for line in class_table_text(rows, unit=unit):
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
