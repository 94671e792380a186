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
    """

    def __init__(self, total: int = 1000) -> None:
        self._bar = None
        self._total = total

    def __call__(self, fraction: float, label: str) -> None:
        if self._bar is None:
            from tqdm.auto import tqdm

            fmt = "{desc:<34}{percentage:3.0f}%|{bar}| {elapsed}"
            self._bar = tqdm(total=self._total, bar_format=fmt)
        self._bar.set_description_str(label[:34], refresh=False)
        self._bar.update(round(fraction * self._total) - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
