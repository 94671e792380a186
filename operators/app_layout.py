"""Where panels sit in the App's layout (its spaces, which every request from the App carries):
find an open panel by type, and move a panel that was opened as a tab over the sample grid into
a space of its own beside the grid."""

from __future__ import annotations

#: The App's sample grid panel.
GRID = "Samples"
#: Share of the width the grid keeps when a panel is moved beside it.
GRID_SHARE = 0.55


def panels(space):
    """Every panel in ``space`` (a fo.Space), depth first."""
    for child in space.children or []:
        if hasattr(child, "children"):
            yield from panels(child)
        else:
            yield child


def find_panel(space, panel_type: str) -> str | None:
    """The id of the first open panel of ``panel_type`` in ``space``, or None."""
    if space is None:
        return None
    return next((p.component_id for p in panels(space) if p.type == panel_type), None)


def _parent(space, component_id: str):
    for child in space.children or []:
        if child.component_id == component_id:
            return space
        if hasattr(child, "children"):
            found = _parent(child, component_id)
            if found is not None:
                return found
    return None


def beside_grid(space, panel_id: str):
    """``space`` with panel ``panel_id`` taken out of the grid's tabs into a space of its own on
    the grid's right (a horizontal split), or None when that panel is not a tab beside the grid.
    ``space`` is changed in place."""
    import fiftyone as fo

    parent = _parent(space, panel_id) if space is not None else None
    if parent is None or not any(getattr(c, "type", None) == GRID for c in parent.children):
        return None
    ours = next(c for c in parent.children if c.component_id == panel_id)
    grid_tabs = fo.Space(
        children=[c for c in parent.children if c is not ours],
        active_child=parent.active_child if parent.active_child != panel_id else None,
    )
    if grid_tabs.active_child is None:
        grid_tabs.active_child = next(c.component_id for c in grid_tabs.children if c.type == GRID)
    parent.children = [grid_tabs, fo.Space(children=[ours], active_child=panel_id)]
    parent.orientation = "horizontal"
    parent.active_child = None
    parent.sizes = [GRID_SHARE, 1 - GRID_SHARE]
    return space
