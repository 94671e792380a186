"""synthgap FiftyOne plugin entry point: registers the operators and panels in operators/."""

from .operators import register  # noqa: F401
