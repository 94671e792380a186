"""synthgap FiftyOne plugin entry point: registers the operators and panels in operators/."""

# FiftyOne imports this file as a package. pytest imports it too, as the package of the checkout's
# root, and when the checkout's folder name is no valid module name (e.g. "synthgap-main") it does
# so without a parent package, where the relative import cannot work and is not needed.
if __package__:
    from .operators import register  # noqa: F401
