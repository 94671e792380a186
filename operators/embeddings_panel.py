"""Open the App's Embeddings panel on a run's visualization, colored by domain, with no click.

FiftyOne 1.22's Embeddings panel keeps the run it shows (``openKey``) and the field it colors by
(``colorField``) in its local panel data, but it clears ``openKey`` the first time it mounts (so
``open_panel(data=...)`` leaves it on its list of runs), and a click on a run clears
``colorField`` ("Color by: None"). So the panel is opened (or brought forward) first; once the App
has mounted it, this unlisted operator writes both keys into that panel's data, found by its id in
the App's spaces, and writes them once more a moment later in case the panel mounted late.
"""

from __future__ import annotations

import time

import fiftyone.operators as foo

from fiftyone_plugin import defaults

from .app_layout import find_panel

URI = "@synthgap/synthgap/open_embeddings"
#: The App's Embeddings panel.
EMBEDDINGS = "Embeddings"
#: Seconds before each write of the panel's data: for a panel this operator opened (given time
#: to mount), and for one that was open already (written at once; again for a tab that mounts
#: only now it is brought forward).
OPENED_WAITS, OPEN_WAITS = (1.0, 2.0), (0.0, 1.0)
#: Requests that look for the newly opened panel in the App's spaces before giving up.
MAX_LOOKS = 20


def open_embeddings(ctx, brain_key: str, patches_field: str | None = None):
    """Ask the App to show visualization ``brain_key`` in the Embeddings panel colored by domain
    (for a run on objects, by the ``domain`` of the objects of ``patches_field``). Returns the
    trigger's message (a generator operator yields it)."""
    return ctx.trigger(
        URI, params={"brain_key": brain_key, "color_field": color_field(patches_field)}
    )


def color_field(patches_field: str | None = None) -> str:
    """The field the Embeddings panel colors a run's points by: their side (real / synthetic)."""
    if patches_field:
        return f"{patches_field}.detections.{defaults.DOMAIN_FIELD}"
    return defaults.DOMAIN_FIELD


class OpenEmbeddings(foo.Operator):
    @property
    def config(self):
        return foo.OperatorConfig(
            name="open_embeddings",
            label="Open a synthgap run in the Embeddings panel",
            unlisted=True,
        )

    def execute(self, ctx):
        key, color = ctx.params.get("brain_key"), ctx.params.get("color_field")
        step = int(ctx.params.get("step") or 0)  # 0: first call; then the calls that follow up
        if not key or not ctx.dataset.has_brain_run(key):
            ctx.ops.notify(f"No visualization '{key}' on this dataset", variant="warning")
            return
        panel_id = find_panel(ctx.spaces, EMBEDDINGS)
        following = {"brain_key": key, "color_field": color, "step": step + 1}
        if panel_id is None:
            if step == 0:
                data = {"openKey": key, "colorField": color}
                ctx.ops.open_panel(EMBEDDINGS, layout="vertical", is_active=True, data=data)
            if step < MAX_LOOKS:  # the App sends its new spaces with the next request
                time.sleep(0.1 if step else 0)
                ctx.trigger(URI, params=following)
            return
        if step == 0:
            ctx.ops.open_panel(EMBEDDINGS, is_active=True)  # brings an open panel forward
        waits = OPEN_WAITS if ctx.params.get("found", step == 0) else OPENED_WAITS
        writes = int(ctx.params.get("writes") or 0)
        time.sleep(waits[min(writes, len(waits) - 1)])
        ctx.trigger(
            "patch_panel_data",
            params={
                "panel_id": panel_id,
                "data": {"openKey": key, "colorField": color},
                "full_merge": True,  # the panel's own keys, not under "data"
            },
        )
        if writes + 1 < len(waits):
            again = {**following, "writes": writes + 1, "found": waits is OPEN_WAITS}
            ctx.trigger(URI, params=again)
