"""The terminal bar of the CLI: every step's label shows when the step starts (even right after
another), whole, and the last line ("done") is drawn once."""

from __future__ import annotations

import io

from fiftyone_plugin.progress import TerminalBar


def drawn(calls) -> list[str]:
    out = io.StringIO()
    bar = TerminalBar(file=out)
    for fraction, label in calls:
        bar(fraction, label)
    bar.close()
    return [line for line in out.getvalue().replace("\r", "\n").splitlines() if line.strip()]


def test_each_new_label_is_drawn_at_once_and_whole():
    long = "coverage: calibrating on shuffled sides"
    lines = drawn([(0.0, "starting FiftyOne and its database"), (0.02, "added 432 synthetic images"),
                   (0.02, "loading efficientnet_lite0"), (0.5, long), (0.5001, "computing metrics"),
                   (1.0, "done")])  # fmt: skip
    for label in ("starting FiftyOne and its database", "loading efficientnet_lite0", long,
                  "computing metrics"):  # fmt: skip
        assert any(line.startswith(label + " ") for line in lines), (label, lines)


def test_done_is_drawn_once():
    lines = drawn([(0.5, "analysis stored"), (1.0, "done")])
    assert [line.split()[0] for line in lines].count("done") == 1, lines
    assert lines[-1].startswith("done") and "100%" in lines[-1]
