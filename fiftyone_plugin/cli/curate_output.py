"""What `synthgap curate` prints: the plan of a dry run, in the words of the App's preview
(report/curation_preview.py), or what a curation did."""

from __future__ import annotations

from ..report import curation_preview as words


def print_plan(dataset_name: str, plan, summary: dict) -> None:
    """``plan`` (fo.curation_plan.CurationPlan) of run ``summary`` on ``dataset_name``: kept,
    dropped per reason, the clusters that lose samples, notes, and what applying it would tag."""
    from ..fo.runs import RunNames
    from ..report.regions import cluster_name

    preview = plan.preview()
    names = {c.get("cluster"): cluster_name(c) for c in summary.get("clusters", [])}
    verdict, rest = words.headline(preview)
    print(f"\ndataset   {dataset_name}, run '{plan.run_key}'")
    print(f"{verdict} {rest}")
    why = words.object_sentence(preview)
    if why:
        print(why)
    losing, more = words.losing_clusters(preview, names)
    for table in filter(None, (words.dropped_table(preview), losing)):
        print()
        for line in table.text():
            print(f"  {line}")
    if more > 0:
        print(f"  and {more} more clusters losing samples")
    for note in preview["notes"]:
        print(f"note: {note}")
    if preview["warning"]:
        print(f"warning: {preview['warning']}")
    run = RunNames(plan.run_key)
    print(
        f"dry run: nothing tagged. Without --dry-run the kept {words.unit(preview)} are tagged "
        f"'{run.curated_tag}', the others '{run.dropped_tag('<reason>')}', and the views "
        f"'{run.view('curated')}' and '{run.view('generation-targets')}' saved"
    )


def print_outcome(outcome) -> None:
    """What curation ``outcome`` (fo.curation.CurationOutcome) kept, dropped and wrote."""
    from ..fo.runs import RunNames

    objects = outcome.objects
    noun = "synthetic samples"
    if objects:
        noun = f"synthetic images, judged by their {objects['n_objects']} objects"
    budget = f" (budget {outcome.budget})" if outcome.budget is not None else ""
    print(f"\ndataset   {outcome.dataset_name}, run '{outcome.run_key}'")
    print(f"kept {outcome.n_kept} of {outcome.n_synthetic} {noun}{budget}")
    run = RunNames(outcome.run_key)
    for reason, n in outcome.dropped.items():
        if n:
            print(f"  dropped as {reason:<17} {n:>6}  tag '{run.dropped_tag(reason)}'")
    print(f"tagged    kept ones '{run.curated_tag}'")
    if (objects or {}).get("label_tags"):
        print(
            f"          objects judged bad, in the run's field: {', '.join(objects['label_tags'])}"
        )
    for target in outcome.targets:
        example = target["example_filepaths"][0] if target["example_filepaths"] else "-"
        print(
            f"generate  about {target['needed']} more like '{target['name']}' ({target['n_real']} "
            f"real, {target['n_kept']} synthetic kept), e.g. {example}"
        )
    print(f"views     {', '.join(outcome.saved_views)}")
    if outcome.export_dir:
        print(f"exported  {outcome.n_kept} to {outcome.export_dir} ({outcome.export_format})")
    for note in outcome.notes:
        print(f"note: {note}")
