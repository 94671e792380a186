"""The numeric core: numpy, scipy, scikit-learn, umap, and torch's tensor kernels (the k-NN search
of neighbors.py and the transport of transport.py run as torch matrix products and reductions; no
network, no autograd). It knows nothing of FiftyOne (tests/test_boundaries.py checks it).

    from fiftyone_plugin.core import analyze_embeddings, AnalysisConfig
    result = analyze_embeddings(real, synthetic, AnalysisConfig(seed=0), progress=None)

One-shot functions per step (each wraps an estimator of the same module): ``knn``
(neighbors), ``project`` (projection), ``cluster_embeddings`` (clustering), ``align``
(alignment), ``detect_gaps`` (coverage), ``score_realism`` (realism), ``compute_metrics``
(metrics); ``readings`` and ``grade`` say what a metric value means (readings).
"""

from .alignment import DomainAligner, align
from .clustering import DomainClusterer, cluster_embeddings
from .config import AnalysisConfig
from .coverage import GapDetector, detect_gaps
from .metrics import compute_metrics
from .neighbors import knn
from .pipeline import analyze_embeddings
from .projection import FeatureReducer, Projector, project
from .readings import grade, readings
from .realism import RealismScorer, score_realism
from .result import AnalysisResult

__all__ = [
    "AnalysisConfig",
    "AnalysisResult",
    "DomainAligner",
    "DomainClusterer",
    "FeatureReducer",
    "GapDetector",
    "Projector",
    "RealismScorer",
    "align",
    "analyze_embeddings",
    "cluster_embeddings",
    "compute_metrics",
    "detect_gaps",
    "grade",
    "knn",
    "project",
    "readings",
    "score_realism",
]
