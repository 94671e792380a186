"""Progress of a long operator wherever it runs.

An operator's ``run(ctx, progress)`` does the work and reports through a plain
``progress(fraction, label)`` callable (STYLE.md item 3). :class:`LongOperator` binds it:

- run now from the App: ``execute`` streams (the operator executes as a generator): the work runs
  in a thread while the App shows each step as a progress bar in the operator's window, then the
  result through the operator's own ``resolve_output``;
- delegated: to ``ctx.set_progress``, which the orchestrator stores and the App's runs list shows;
- from Python (``fiftyone.operators.execute_operator``): to a terminal bar, and ``execute``
  returns the result as usual.
"""

from __future__ import annotations

import logging
import queue
import threading
import time

import fiftyone.operators as foo

from fiftyone_plugin.progress import Progress, TerminalBar

logger = logging.getLogger(__name__)

#: Seconds between two progress updates (the last one is always sent).
PROGRESS_INTERVAL = 1.0


def throttled(send, interval: float = PROGRESS_INTERVAL) -> Progress:
    """A ``progress(fraction, label)`` callable passing at most one call per ``interval`` seconds
    (and every call at 100%) to ``send(fraction, label)``."""
    last = [float("-inf")]

    def _progress(fraction: float, label: str) -> None:
        now = time.monotonic()
        if fraction < 1.0 and now - last[0] < interval:
            return
        last[0] = now
        send(fraction, label)

    return _progress


def from_app(ctx) -> bool:
    """Whether the App asked for this run and waits for it (the App's requests name the operator;
    ``execute_operator`` in Python does not)."""
    return not ctx.delegated and bool(ctx.request_params.get("operator_uri"))


class LongOperator(foo.Operator):
    """An operator whose work may take minutes; subclasses implement ``run(ctx, progress)`` and
    build their config with :meth:`long_config`."""

    @staticmethod
    def long_config(name: str, label: str, description: str, **extra) -> foo.OperatorConfig:
        """The config every long operator shares: a dynamic form, run now (streaming its
        progress) or scheduled; ``extra``: further OperatorConfig settings."""
        return foo.OperatorConfig(
            name=name,
            label=label,
            description=description,
            dynamic=True,
            allow_immediate_execution=True,
            allow_delegated_execution=True,
            execute_as_generator=True,
            **extra,
        )

    def run(self, ctx, progress: Progress):
        raise NotImplementedError

    def execute(self, ctx):
        if from_app(ctx):
            return self._stream(ctx)
        if ctx.delegated:
            return self.run(ctx, throttled(lambda f, label: ctx.set_progress(f, label)))
        bar = TerminalBar()
        try:
            return self.run(ctx, bar)
        finally:
            bar.close()

    def _stream(self, ctx):
        """The run, as the messages the App shows: progress, then the App operators ``run`` asked
        for (reload, panels), then the result."""
        events: queue.Queue = queue.Queue()
        outcome: dict = {}
        asked = len(ctx.executor.to_json()["requests"])

        def work():
            try:
                outcome["result"] = self.run(ctx, throttled(lambda f, lbl: events.put((f, lbl))))
            except Exception as exc:  # shown in the App below, and logged by the server
                logger.exception("%s failed", self.uri)
                outcome["error"] = exc
            finally:
                events.put(None)

        threading.Thread(target=work, name=f"{self.name}-run", daemon=True).start()
        while (event := events.get()) is not None:
            yield ctx.trigger("set_progress", {"progress": event[0], "label": event[1]})
        if "error" in outcome:
            message = f"{self.config.label} failed: {outcome['error']}"
            yield ctx.trigger("notify", {"message": message, "variant": "error"})
            yield ctx.trigger("set_progress", {"progress": 1.0, "label": message})
            return
        for request in ctx.executor.to_json()["requests"][asked:]:
            if request["operator_uri"] not in ("set_progress", "console_log"):
                yield ctx.trigger(request["operator_uri"], request["params"])
        result = outcome.get("result") or {}
        ctx.request_params["results"] = result  # what resolve_output reads as ctx.results
        outputs = self.resolve_output(ctx)
        if outputs is not None:
            yield ctx.trigger("show_output", {"outputs": outputs.to_json(), "results": result})
