"""Show one gap region or cluster of an analysis run in the App's grid."""

from __future__ import annotations

import fiftyone.operators as foo
import fiftyone.operators.types as types

from .forms import chosen_run, form_input, param, run_choice, warn


class ShowRegion(foo.Operator):
    @property
    def config(self):
        return foo.OperatorConfig(
            name="show_region",
            label="Show a gap region or cluster",
            description="Open the samples of a gap region or cluster, largest gap first",
            dynamic=True,
        )

    def resolve_input(self, ctx):
        return form_input(ctx, show_region_form, self.config.label)

    def execute(self, ctx):
        from fiftyone_plugin.fo.regions import list_regions, region_view, saved_view_name

        run = chosen_run(ctx)
        key = param(ctx, "region") or list_regions(ctx.dataset, run)[0].key
        saved = saved_view_name(ctx.dataset, run, key)
        if saved:
            ctx.ops.set_view(name=saved)
        else:
            ctx.ops.set_view(view=region_view(ctx.dataset, run, key))
        return {"region": key, "saved_view": saved}


def show_region_form(ctx, inputs) -> None:
    from fiftyone_plugin.fo.regions import list_regions

    run = run_choice(ctx, inputs)
    if not run:
        return
    regions = list_regions(ctx.dataset, run)
    if not regions:
        warn(inputs, "no_regions", f"Run '{run}' stored no clusters or gap regions")
        return
    choices = types.DropdownView()
    for region in regions:
        description = f"gap: {region.gap:.0f} real samples without synthetic counterparts"
        choices.add_choice(region.key, label=region.label, description=description)
    inputs.enum(
        "region",
        choices.values(),
        default=regions[0].key,
        label="Region",
        description="Sorted by gap size: real samples the synthetic data does not stand for",
        view=choices,
    )
    chosen = param(ctx, "region", regions[0].key)
    region = next((r for r in regions if r.key == chosen), None)
    if region and region.example_filepaths:
        inputs.view(
            "examples",
            types.Notice(label=f"{region.name}: e.g. {', '.join(region.example_filepaths[:3])}"),
        )
