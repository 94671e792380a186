"""synthgap's App operators: one module per user task, each parsing its form and making one call
into the fiftyone_plugin library."""

from __future__ import annotations

import os
import sys

try:
    import fiftyone_plugin  # noqa: F401
except ImportError:  # the plugin was installed without `pip install -e .`: use the copy beside it
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from .add_images import AddImages
from .analyze_gap import AnalyzeGap
from .compute_embeddings import ComputeEmbeddings
from .curate_synthetic import CurateSynthetic
from .embeddings_panel import OpenEmbeddings
from .manage_runs import ManageRuns
from .mark_domain import MarkDomain
from .metrics_report import MetricsReport
from .panel import SynthGapPanel
from .repair_counts import RepairCounts
from .show_region import ShowRegion

OPERATORS = (
    AddImages,
    MarkDomain,
    ComputeEmbeddings,
    AnalyzeGap,
    ShowRegion,
    ManageRuns,
    CurateSynthetic,
    MetricsReport,
    OpenEmbeddings,
    RepairCounts,
)


def register(plugin) -> None:
    """Register every synthgap operator and the panel with FiftyOne's plugin ``plugin``."""
    for operator in OPERATORS:
        plugin.register(operator)
    plugin.register(SynthGapPanel)
