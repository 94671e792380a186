"""show_region: clusters and gap regions of a run, largest gap first; picking one sets the view."""

from __future__ import annotations

import fiftyone as fo
import fiftyone.operators.types as types

from fiftyone_plugin.core.clustering import composition_status
from fiftyone_plugin.fo.regions import list_regions
from fiftyone_plugin.fo.runs import load_summary


def region_choices(dataset, params=None) -> list:
    """The region dropdown as the App would show it: (value, label) pairs."""
    from fiftyone.operators.executor import ExecutionContext
    from fiftyone.operators.registry import OperatorRegistry

    operator = OperatorRegistry().get_operator("@synthgap/synthgap/show_region")
    ctx = ExecutionContext(request_params={"dataset_name": dataset.name, "params": params or {}})
    form = operator.resolve_input(ctx).type
    view = form.properties["region"].view
    assert isinstance(view, types.DropdownView)
    return [(c.value, c.label) for c in view.choices]


def test_lists_regions_by_gap_size_with_their_counts(analyzed):
    summary = load_summary(analyzed, "synthgap")
    regions = list_regions(analyzed, "synthgap")
    # a cluster that is a gap region's content is listed once, as the region, which names it
    named = {c["name"]: c for c in summary["clusters"]}
    gap_rows = [r for r in regions if r.kind == "region"]
    assert len(gap_rows) == len(summary["regions"])
    same = {named[r.status]["cluster"] for r in gap_rows if r.status in named}
    assert same  # the missing cat and coffee photos are both a region and a cluster
    listed = {r.key for r in regions if r.kind == "cluster"}
    assert listed == {f"cluster:{c['cluster']}" for c in summary["clusters"]} - {
        f"cluster:{c}" for c in same
    }
    assert all(not r.name.startswith("cluster ") for r in regions)  # clusters say what they hold
    assert [r.gap for r in regions] == sorted((r.gap for r in regions), reverse=True)
    choices = region_choices(analyzed)
    assert [value for value, _ in choices] == [r.key for r in regions]
    for region, (_, label) in zip(regions, choices, strict=True):
        assert label.startswith(region.name)
        assert f"— {region.n_real} real, {region.n_synthetic} synthetic" in label
    # each cluster's status follows from its counts ("real-only" may hold a few synthetic samples)
    clusters = [r for r in regions if r.kind == "cluster"]
    totals = sum(r.n_real for r in clusters), sum(r.n_synthetic for r in clusters)
    for r in clusters:
        assert r.status == composition_status(r.n_real, r.n_synthetic, *totals), r


def test_picking_a_gap_region_loads_its_saved_view(run_op, analyzed):
    gaps = [r for r in list_regions(analyzed, "synthgap") if r.kind == "region"]
    assert gaps, "the tiny demo has content missing on the synthetic side"
    result = run_op("show_region", analyzed.name, {"run": "synthgap", "region": gaps[0].key})
    assert run_op.triggers(result) == ["set_view"]
    assert run_op.trigger_params(result, "set_view") == {"name": f"synthgap-{gaps[0].name}"}
    view = analyzed.load_saved_view(f"synthgap-{gaps[0].name}")
    assert len(view) == gaps[0].n_real


def test_picking_a_cluster_sets_a_view_of_its_samples(run_op, analyzed):
    cluster = next(r for r in list_regions(analyzed, "synthgap") if r.kind == "cluster")
    result = run_op("show_region", analyzed.name, {"region": cluster.key})
    stages = run_op.trigger_params(result, "set_view")["view"]
    view = fo.DatasetView._build(analyzed, stages)
    assert len(view) == cluster.n_real + cluster.n_synthetic


def test_flags_a_dataset_without_runs(run_op, embedded):
    run_op.rejects("show_region", embedded.name, {}, "no synthgap analysis yet")
