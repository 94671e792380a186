"""The plugin's panel moves beside the sample grid, and the Embeddings panel is opened on a run
colored by domain: the requests the App is asked to run, for the layouts the App sends."""

from __future__ import annotations

import pytest

OPENER = "@synthgap/synthgap/open_embeddings"
PANEL = "@synthgap/synthgap/synthgap_panel"


def _grid_with(*others):
    import fiftyone as fo

    grid = fo.Panel(type="Samples", pinned=True)
    return fo.Space(children=[grid, *others], active_child=others[-1].component_id if others
                    else grid.component_id)  # fmt: skip


def _requests(uri, dataset, params, spaces):
    import fiftyone.operators as foo

    ctx = {"dataset": dataset.name, "params": params, "spaces": spaces.to_dict()}
    result = foo.execute_operator(uri, ctx=ctx)
    return [(r["operator_uri"], r["params"]) for r in result.executor.to_json()["requests"]]


def _app_layout():
    """operators/app_layout.py as FiftyOne's plugin loader imported it."""
    import importlib
    import sys

    from fiftyone.operators.registry import OperatorRegistry

    package = sys.modules[type(OperatorRegistry().get_operator(PANEL)).__module__].__package__
    return importlib.import_module(f"{package}.app_layout")


def test_a_panel_opened_as_a_tab_over_the_grid_moves_beside_it():
    import fiftyone as fo

    layout = _app_layout()
    beside_grid, panels, GRID = layout.beside_grid, layout.panels, layout.GRID

    ours, other = fo.Panel(type="synthgap_panel"), fo.Panel(type="Histograms")
    space = _grid_with(other, ours)
    moved = beside_grid(space, ours.component_id)
    assert moved.orientation == "horizontal" and len(moved.children) == 2
    left, right = moved.children
    assert [p.type for p in panels(left)] == [GRID, "Histograms"]
    assert [p.component_id for p in panels(right)] == [ours.component_id]
    assert right.active_child == ours.component_id
    assert left.active_child == left.children[0].component_id  # the grid, not a hidden tab
    assert beside_grid(moved, ours.component_id) is None  # beside the grid already
    assert beside_grid(_grid_with(), "no-such-panel") is None


def test_loading_the_panel_as_a_tab_sets_the_split_layout(analyzed):
    import fiftyone as fo

    ours = fo.Panel(type="synthgap_panel")
    params = {"panel_id": ours.component_id, "__method__": "on_load", "panel_state": {}}
    requests = dict(_requests(PANEL, analyzed, params, _grid_with(ours)))
    spaces = fo.Space.from_dict(requests["set_spaces"]["spaces"])
    assert [c.children[0].type for c in spaces.children] == ["Samples", "synthgap_panel"]


def test_the_embeddings_panel_is_opened_then_given_the_run_and_the_color(analyzed):
    import fiftyone as fo

    params = {"brain_key": "synthgap_umap", "color_field": "domain"}
    # 1. No Embeddings panel yet: it is opened, and the operator follows up with the App's new
    # layout (FiftyOne's panel forgets a run it is given before it has mounted).
    requests = _requests(OPENER, analyzed, params, _grid_with())
    assert [uri for uri, _ in requests] == ["open_panel", OPENER]
    assert requests[0][1]["name"] == "Embeddings"
    assert requests[1][1] == {**params, "step": 1}
    # 2. The follow-up finds the panel and writes the run and the color into its own data
    embeddings = fo.Panel(type="Embeddings")
    requests = _requests(OPENER, analyzed, {**params, "step": 1}, _grid_with(embeddings))
    assert [uri for uri, _ in requests] == ["patch_panel_data", OPENER]
    write = requests[0][1]
    assert write["panel_id"] == embeddings.component_id and write["full_merge"] is True
    assert write["data"] == {"openKey": "synthgap_umap", "colorField": "domain"}
    assert requests[1][1]["writes"] == 1  # once more, in case the panel mounted late
    requests = _requests(OPENER, analyzed, requests[1][1], _grid_with(embeddings))
    assert [uri for uri, _ in requests] == ["patch_panel_data"]


def test_an_open_embeddings_panel_is_brought_forward_and_written_at_once(analyzed):
    import fiftyone as fo

    params = {"brain_key": "synthgap_umap", "color_field": "domain"}
    embeddings = fo.Panel(type="Embeddings")
    requests = _requests(OPENER, analyzed, params, _grid_with(embeddings))
    assert [uri for uri, _ in requests] == ["open_panel", "patch_panel_data", OPENER]


@pytest.mark.parametrize("key", ["", "no_such_run"])
def test_an_unknown_visualization_is_a_warning(analyzed, key):
    requests = _requests(OPENER, analyzed, {"brain_key": key}, _grid_with())
    assert [uri for uri, _ in requests] == ["notify"]
