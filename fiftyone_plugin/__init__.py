"""synthgap: do your synthetic images stand in for your real ones, and where do they not?

The Python API, one function per capability (each imports its implementation on first use, so
``import fiftyone_plugin`` stays cheap):

    analyze_folders(real, synthetic, ...)   the whole job: folders in, dataset + files out
    EmbeddingOptions / AnalysisConfig       how images are embedded / analysis parameters
    build_demo(root)                        the bundled demo folders
    import_images / mark_domain             put samples on the real or synthetic side
    compute_embeddings(samples, model)      embeddings into a sample field (resumable)
    analyze(samples, ...)                   gap analysis of a FiftyOne collection, stored on it
    analyze_embeddings(real, synthetic)     the numeric core on plain arrays (no FiftyOne)
    load_model / embed_images               embeddings of image files (no FiftyOne)
    plan_curation / curate_synthetic        which synthetic samples (images, by their objects for a
                                            run on objects) to keep: previewed / tagged, exported
    CurationConfig                          the curation's strategies and parameters
    write_run_report / run_history          reports and history of stored runs
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_API = {
    "analyze_folders": ".workflow",
    "build_demo": ".demo",
    "import_images": ".fo.samples",
    "list_images": ".fo.samples",
    "mark_domain": ".fo.samples",
    "compute_embeddings": ".fo.embeddings",
    "analyze": ".fo.analysis",
    "list_analyses": ".fo.runs",
    "analyze_embeddings": ".core.pipeline",
    "AnalysisConfig": ".core.config",
    "EmbeddingOptions": ".options",
    "load_model": ".embeddings",
    "embed_images": ".embeddings",
    "plan_curation": ".fo.curation",
    "curate_synthetic": ".fo.curation",
    "CurationConfig": ".core.curation",
    "write_run_report": ".fo.report",
    "run_history": ".fo.report",
}

__all__ = sorted(_API)


def __getattr__(name: str):
    if name not in _API:
        raise AttributeError(f"module 'fiftyone_plugin' has no attribute {name!r}")
    return getattr(importlib.import_module(_API[name], __name__), name)
