"""synthgap's App operators and panels: one module per user task."""


def register(plugin) -> None:
    """Register every synthgap operator and panel with FiftyOne's plugin ``plugin``."""
