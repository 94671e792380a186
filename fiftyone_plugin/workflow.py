"""The main job: two folders in, a FiftyOne dataset with every result plus files out."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from . import defaults
from .progress import Progress, span


@dataclass
class FolderAnalysis:
    """What ``analyze_folders`` produced."""

    dataset_name: str
    outcome: object  # fo.analysis.AnalysisOutcome
    files: dict[str, str]
    n_failed: int


def default_dataset_name(real: str, synthetic: str) -> str:
    """A stable dataset name for a pair of folders, so reruns update the same dataset."""

    def slug(path: str) -> str:
        name = os.path.basename(os.path.normpath(os.path.abspath(path))) or "root"
        return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "images"

    return f"synthgap-{slug(real)}-vs-{slug(synthetic)}"


def analyze_folders(
    real: str,
    synthetic: str,
    dataset: str | None = None,
    out: str | None = None,
    model: str = defaults.MODEL,
    device: str = defaults.DEVICE,
    batch_size: int = defaults.BATCH_SIZE,
    num_workers: int = defaults.NUM_WORKERS,
    precision: str = "auto",
    seed: int = defaults.SEED,
    run_key: str = defaults.RUN_KEY,
    progress: Progress | None = None,
) -> FolderAnalysis:
    """Import both folders into dataset ``dataset``, embed, analyze, and write files to ``out``.

    Reruns on the same folders add no samples, reuse stored embeddings and replace run
    ``run_key``'s results. ``out`` defaults to ``./synthgap-out/<dataset>``.
    """
    from .core.pipeline import AnalysisConfig
    from .fo.analysis import analyze, umap_points
    from .fo.embeddings import compute_embeddings
    from .fo.samples import domain_view, import_images, list_images, load_or_create_dataset
    from .report.files import Failure, write_outputs

    if batch_size < 1 or num_workers < 0:
        raise ValueError("batch size must be >= 1 and num_workers >= 0")
    real_paths, synthetic_paths = list_images(real), list_images(synthetic)
    for side, paths, folder in (("real", real_paths, real), ("synthetic", synthetic_paths, synthetic)):
        if not paths:
            raise ValueError(f"No images found in the {side} folder {folder!r}")
    overlap = set(real_paths) & set(synthetic_paths)
    if overlap:
        raise ValueError(
            f"{len(overlap)} file(s) are in both folders (e.g. {sorted(overlap)[0]!r}); "
            "a sample is either real or synthetic"
        )
    name = dataset or default_dataset_name(real, synthetic)
    ds = load_or_create_dataset(name)
    import_images(ds, real_paths, defaults.REAL, span(progress, 0.0, 0.01))
    import_images(ds, synthetic_paths, defaults.SYNTHETIC, span(progress, 0.01, 0.02))
    wanted = ds.select_by("filepath", real_paths + synthetic_paths)
    summary = compute_embeddings(
        domain_view(wanted),
        model=model,
        device=device,
        batch_size=batch_size,
        num_workers=num_workers,
        precision=precision,
        progress=span(progress, 0.02, 0.6),
    )
    outcome = analyze(
        wanted,
        embeddings_field=summary.field,
        run_key=run_key,
        config=AnalysisConfig(seed=seed),
        overwrite=True,
        progress=span(progress, 0.6, 0.95),
    )
    failed_view = wanted.exists(defaults.ERROR_FIELD)
    failures = [
        Failure(p, d, e)
        for p, d, e in zip(*failed_view.values(["filepath", defaults.DOMAIN_FIELD, defaults.ERROR_FIELD]))
    ]
    out_dir = out or os.path.join("synthgap-out", name)
    files = write_outputs(outcome, umap_points(outcome), failures, out_dir)
    span(progress, 0.95, 1.0)(1.0, "done")
    return FolderAnalysis(name, outcome, files, len(failures))
