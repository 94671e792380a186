"""synthgap FiftyOne plugin entry point: registers the operators and panels in operators/."""


def register(p):
    """Called by FiftyOne with the plugin's context: registers every operator and panel.

    The operators, and FiftyOne with them, load here rather than when this file is imported:
    pytest imports this file too, as the package of the checkout's root (or, where the checkout's
    folder name is no valid module name, as a lone module, where a relative import cannot work).
    """
    from .operators import register as register_all

    register_all(p)
