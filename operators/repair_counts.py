"""When the App opens a dataset, check MongoDB's count of its samples and recount it if an
unclean database shutdown left it stale (fiftyone_plugin/fo/counts.py): the App reads that
count, and would show a dataset that holds every sample as empty."""

from __future__ import annotations

import fiftyone.operators as foo

from .forms import reload_dataset


class RepairCounts(foo.Operator):
    @property
    def config(self):
        return foo.OperatorConfig(
            name="repair_counts",
            label="Recount the samples of a dataset",
            description="Repairs MongoDB's count of a dataset after an unclean database shutdown",
            unlisted=True,
            on_dataset_open=True,
            allow_immediate_execution=True,
        )

    def execute(self, ctx):
        from fiftyone_plugin.fo.counts import repair_counts

        line = repair_counts(ctx.dataset) if ctx.dataset is not None else None
        if line:
            ctx.ops.notify(line, variant="warning")
            reload_dataset(ctx)
        return {"repaired": line or ""}
