"""Progress reporting: every long step takes a plain ``progress(fraction, label)`` callable."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[float, str], None]


def report(progress: Progress | None, fraction: float, label: str) -> None:
    """Call ``progress`` if there is one, clamping ``fraction`` to [0, 1]."""
    if progress is not None:
        progress(min(1.0, max(0.0, float(fraction))), label)


def span(progress: Progress | None, start: float, end: float) -> Progress | None:
    """A progress callable mapping [0, 1] onto [start, end] of ``progress`` (for sub-steps)."""
    if progress is None:
        return None

    def _sub(fraction: float, label: str) -> None:
        report(progress, start + (end - start) * fraction, label)

    return _sub


class TerminalBar:
    """A tqdm bar driven by ``progress(fraction, label)`` calls (used by the CLI).

    The bar appears on the first call, so a run that fails its input checks prints only its error.
    A new label is shown at once (tqdm otherwise redraws at most every 0.1 s, and a step that
    starts right after another would stay hidden behind the old label); labels are never cut
    (only a terminal narrower than the label trims the line). The last step is drawn once, by
    ``close``.
    """

    #: Labels are padded to this width, so that the bars of most steps line up.
    WIDTH = 44

    def __init__(self, total: int = 1000, file=None) -> None:
        self._bar = None
        self._total = total
        self._file = file

    def __call__(self, fraction: float, label: str) -> None:
        if self._bar is None:
            from tqdm.auto import tqdm

            fmt = "{desc:<" + str(self.WIDTH) + "} {percentage:3.0f}%|{bar}| {elapsed}"
            self._bar = tqdm(
                total=self._total, desc=label, bar_format=fmt, file=self._file, dynamic_ncols=True
            )
        n = round(fraction * self._total)
        if n >= self._total:  # drawn by close(), once
            self._bar.set_description_str(label, refresh=False)
            self._bar.n = self._total
            return
        changed = label != self._bar.desc
        self._bar.set_description_str(label, refresh=False)
        self._bar.update(n - self._bar.n)
        if changed:
            self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
