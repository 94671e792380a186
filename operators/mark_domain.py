"""Mark the current view or the selected samples as real or synthetic."""

from __future__ import annotations

import fiftyone.operators as foo
import fiftyone.operators.types as types

from fiftyone_plugin import defaults

from .forms import (
    chosen_target,
    domain_choice,
    form_input,
    param,
    reload_dataset,
    target_view,
    warn,
)


class MarkDomain(foo.Operator):
    @property
    def config(self):
        return foo.OperatorConfig(
            name="mark_domain",
            label="Mark as real or synthetic",
            description="Set the domain (field and tag) of samples; re-marking moves them",
            dynamic=True,
            allow_immediate_execution=True,
            allow_delegated_execution=True,
        )

    def resolve_input(self, ctx):
        return form_input(ctx, mark_domain_form, self.config.label)

    def execute(self, ctx):
        from fiftyone_plugin.fo.samples import mark_domain

        samples = chosen_target(ctx)
        n = mark_domain(samples, ctx.params["domain"])
        reload_dataset(ctx)
        return {"marked": n, "domain": ctx.params["domain"]}

    def resolve_output(self, ctx):
        outputs = types.Object()
        outputs.int("marked", label="Samples marked")
        outputs.str("domain", label="Domain")
        return types.Property(outputs, view=types.View(label="Samples marked"))


def mark_domain_form(ctx, inputs) -> None:
    from fiftyone_plugin.fo.samples import domain_counts, domain_field_problem

    samples = target_view(ctx, inputs, action="Mark")
    domain_choice(inputs, default=defaults.SYNTHETIC)
    problem = domain_field_problem(ctx.dataset)
    if problem:
        warn(inputs, "domain_field", problem)
        return
    if not len(samples):
        warn(inputs, "empty", "No samples to mark: the chosen target is empty")
        return
    domain = param(ctx, "domain", defaults.SYNTHETIC)
    counts = domain_counts(samples)
    other = counts[defaults.REAL if domain == defaults.SYNTHETIC else defaults.SYNTHETIC]
    message = f"{len(samples)} samples will be marked {domain}"
    if other:
        message += f" ({other} of them move from the other domain)"
    inputs.view("summary", types.Notice(label=message))
