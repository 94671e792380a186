"""synthgap speed benchmarks: each figure is a ratio measured side by side in one run.

    .venv/bin/python bench/run.py --quick     # < 10 minutes on 2 CPU cores
    .venv/bin/python bench/run.py             # full sizes (adds the 1M-vector run and the plot)
    .venv/bin/python bench/run.py --tiny      # smoke run for CI: checks it runs, times mean nothing

The last line printed is one JSON object. Speedups are "their time / our time" (higher is
better); ``embed_vs_forward`` is our pipeline's images/s over the bare forward pass's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

SIZES = {  # name -> (images for embedding, images end to end, vectors per side, write-back samples)
    "tiny": dict(embed=64, e2e=64, analysis=2_000, prdc=1_000, writeback=500, save_loop=100),
    "quick": dict(
        embed=512, e2e=1_000, analysis=100_000, prdc=10_000, writeback=100_000, save_loop=1_000
    ),
    "full": dict(
        embed=2_048, e2e=3_000, analysis=100_000, prdc=10_000, writeback=100_000, save_loop=5_000
    ),
}


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - start, out


def _images(folder: Path, n: int) -> list[str]:
    """n photo-like 640x480 JPEGs (crops of scikit-image photos)."""
    from embed_speed import make_jpegs

    return make_jpegs(folder, n)


def _dataset(name: str, paths: list[str], domains: list[str] | None = None):
    import fiftyone as fo

    if fo.dataset_exists(name):
        fo.delete_dataset(name)
    dataset = fo.Dataset(name)
    domains = domains or ["real"] * len(paths)
    dataset.add_samples(
        [fo.Sample(filepath=p, domain=d) for p, d in zip(paths, domains, strict=False)],
        progress=False,
    )
    return dataset


class _SameTransform:
    """Our preprocessing (resize + centre crop + normalise) for FiftyOne's data loader."""

    def __init__(self, transform) -> None:
        self.transform = transform

    def __call__(self, image):
        from PIL import Image

        return self.transform(Image.fromarray(image) if isinstance(image, np.ndarray) else image)


def fiftyone_model():
    """FiftyOne's stock TorchImageModel around the same EfficientNet-Lite0 weights, in fp32 (its
    default), with our preprocessing so both sides compute the same embeddings."""
    import fiftyone.utils.torch as fout

    from fiftyone_plugin.embeddings import load_model

    fp32 = load_model("efficientnet_lite0", precision="fp32")
    config = {"model": fp32.module, "transforms": _SameTransform(fp32.transform),
              "ragged_batches": False, "as_feature_extractor": True,
              "device": fp32.device}  # fmt: skip
    return fout.TorchImageModel(fout.TorchImageModelConfig(config))


def bench_embedding(paths: list[str], batch_size: int, num_workers: int) -> dict:
    """Our embedding pipeline vs the bare forward pass, and vs FiftyOne's compute_embeddings."""
    from embed_speed import _prepared_batch

    from fiftyone_plugin.embeddings import load_model
    from fiftyone_plugin.embeddings.inference import forward_batch
    from fiftyone_plugin.fo.embeddings import compute_embeddings

    n = len(paths)
    model = load_model("efficientnet_lite0")
    batch = _prepared_batch(paths[:batch_size], model)
    forward_batch(model, batch)  # warm-up
    n_batches = max(2, n // batch_size)
    t_forward, _ = _timed(lambda: [forward_batch(model, batch) for _ in range(n_batches)])
    forward_ips = n_batches * batch_size / t_forward

    dataset = _dataset("bench-embed", paths)
    t_ours, _ = _timed(
        compute_embeddings,
        dataset,
        field="emb_ours",
        batch_size=batch_size,
        num_workers=num_workers,
    )
    ours_ips = n / t_ours

    stock = fiftyone_model()
    t_stock, _ = _timed(
        dataset.compute_embeddings, stock, embeddings_field="emb_stock",
        batch_size=batch_size, num_workers=num_workers, progress=False,
    )  # fmt: skip
    ours = np.stack(dataset.values("emb_ours"))
    theirs = np.stack(dataset.values("emb_stock"))
    cosine = (ours * theirs).sum(1) / np.linalg.norm(ours, axis=1) / np.linalg.norm(theirs, axis=1)
    return {
        "embed_images_per_s": round(ours_ips, 1),
        "forward_images_per_s": round(forward_ips, 1),
        "fiftyone_images_per_s": round(n / t_stock, 1),
        "precision": model.precision,
        "embed_vs_forward": round(ours_ips / forward_ips, 3),
        "embed_vs_fiftyone": round(t_stock / t_ours, 2),
        "embed_cosine_to_fiftyone_fp32_mean": round(float(cosine.mean()), 4),
        "embed_cosine_to_fiftyone_fp32_min": round(float(cosine.min()), 4),
    }


def bench_writeback(n: int, n_loop: int) -> dict:
    """Writing all result fields for n samples as the analysis does (fo/bulk.py) vs a per-sample
    save() loop, timed on n_loop samples and scaled to n."""
    import fiftyone as fo

    from fiftyone_plugin.fo.analysis import RESULT_FIELDS
    from fiftyone_plugin.fo.bulk import write_columns

    dataset = _dataset("bench-writeback", [f"/bench/img_{i}.jpg" for i in range(n)])
    ids = dataset.values("id")
    rng = np.random.default_rng(0)
    values = {
        "cluster": rng.integers(0, 50, n).tolist(),
        "gap_score": rng.random(n).tolist(),
        "uncovered": (rng.random(n) < 0.1).tolist(),
        "gap_region": [None] * n,
        "realism": rng.random(n).tolist(),
    }
    for name, ftype in RESULT_FIELDS.items():
        dataset.add_sample_field(name, ftype)

    def bulk():
        write_columns(dataset, ids, values)

    def loop():
        for i, sample in enumerate(dataset.limit(n_loop).iter_samples(progress=False)):
            for name in RESULT_FIELDS:
                sample[name] = values[name][i]
            sample.save()

    t_bulk, _ = _timed(bulk)
    t_loop, _ = _timed(loop)
    fo.delete_dataset(dataset.name)
    per_sample_loop = t_loop / n_loop
    return {
        "writeback_bulk_s": round(t_bulk, 2),
        "writeback_loop_s_per_sample": round(per_sample_loop, 5),
        "writeback_vs_save": round(per_sample_loop * n / t_bulk, 1),
    }


def _mixture(n: int, dim: int, seed: int, shift: float = 0.0) -> np.ndarray:
    """n points of a 40-component Gaussian mixture in ``dim`` dimensions (non-negative, like CNN
    features), optionally shifted as a global style change."""
    rng = np.random.default_rng(seed)
    centers = np.random.default_rng(123).normal(0, 1, (40, dim)).astype(np.float32)
    x = centers[rng.integers(0, 40, n)] + rng.normal(0, 0.7, (n, dim)).astype(np.float32)
    return np.maximum(x + shift, 0).astype(np.float32)


def analysis_job(n_real: int, n_synthetic: int, dim: int) -> dict:
    """Run the whole core analysis once on mixture data (called in a child process)."""
    from fiftyone_plugin.core.pipeline import analyze_embeddings

    real, synthetic = _mixture(n_real, dim, 1), _mixture(n_synthetic, dim, 2, shift=0.2)
    seconds, result = _timed(analyze_embeddings, real, synthetic)
    return {"seconds": seconds, "n_uncovered": int(result.uncovered.sum())}


def bench_analysis(n_real: int, n_synthetic: int, dim: int = 1280) -> dict:
    """Whole analysis time and peak memory, measured in a fresh child process."""
    code = (
        f"import json,resource,sys; sys.path.insert(0, {str(HERE)!r}); import run; "
        f"out = run.analysis_job({n_real}, {n_synthetic}, {dim}); "
        "out['peak_gb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20; "
        "print(json.dumps(out))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_vs_prdc(n: int, dim: int = 1280) -> dict:
    """Our per-sample coverage/gap computation vs the prdc package's compute_prdc, same data."""
    from prdc import compute_prdc

    from fiftyone_plugin.core.coverage import GapDetector

    real, synthetic = _mixture(n, dim, 1), _mixture(n, dim, 2, shift=0.2)
    t_prdc, _ = _timed(compute_prdc, real, synthetic, nearest_k=5)
    t_ours, _ = _timed(lambda: GapDetector().fit(real, synthetic))
    return {"prdc_n": n, "prdc_s": round(t_prdc, 2), "gap_s": round(t_ours, 2),
            "analysis_vs_prdc": round(t_prdc / t_ours, 2)}  # fmt: skip


def bench_e2e(paths: list[str], batch_size: int, num_workers: int) -> dict:
    """Embed + full analysis + write-back (ours) vs compute_embeddings + UMAP visualization."""
    import fiftyone.brain as fob

    from fiftyone_plugin.fo.analysis import analyze
    from fiftyone_plugin.fo.embeddings import compute_embeddings

    domains = ["real" if i % 2 else "synthetic" for i in range(len(paths))]
    ours = _dataset("bench-e2e-ours", paths, domains)
    theirs = _dataset("bench-e2e-fiftyone", paths, domains)

    def ours_job():
        summary = compute_embeddings(ours, batch_size=batch_size, num_workers=num_workers)
        analyze(ours, embeddings_field=summary.field, overwrite=True)

    stock = fiftyone_model()

    def fiftyone_job():
        theirs.compute_embeddings(stock, embeddings_field="emb", batch_size=batch_size,
                                  num_workers=num_workers, progress=False)  # fmt: skip
        fob.compute_visualization(theirs, embeddings="emb", method="umap", brain_key="umap",
                                  progress=False)  # fmt: skip

    t_ours, _ = _timed(ours_job)
    t_theirs, _ = _timed(fiftyone_job)
    return {"e2e_images": len(paths), "e2e_ours_s": round(t_ours, 1),
            "e2e_fiftyone_s": round(t_theirs, 1), "e2e_vs_fiftyone": round(t_theirs / t_ours, 2)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true")
    size.add_argument("--tiny", action="store_true")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--num-workers", type=int, default=2)
    parser.add_argument(
        "--only", nargs="+", choices=["embed", "writeback", "analysis", "prdc", "e2e"]
    )
    args = parser.parse_args()
    mode = "tiny" if args.tiny else "quick" if args.quick else "full"
    sizes = SIZES[mode]
    os.environ.setdefault("FIFTYONE_DATABASE_VALIDATION", "false")
    if not os.environ.get("FIFTYONE_DATABASE_URI"):  # a throwaway database, not the user's
        os.environ["FIFTYONE_DATABASE_DIR"] = tempfile.mkdtemp(prefix="synthgap-bench-db-")
    want = set(args.only or ["embed", "writeback", "analysis", "prdc", "e2e"])
    results: dict = {"mode": mode}
    with tempfile.TemporaryDirectory() as tmp:
        images = _images(Path(tmp), max(sizes["embed"], sizes["e2e"]))
        if "embed" in want:
            results.update(
                bench_embedding(images[: sizes["embed"]], args.batch_size, args.num_workers)
            )
            print(results, flush=True)
        if "writeback" in want:
            results.update(bench_writeback(sizes["writeback"], sizes["save_loop"]))
            print(results, flush=True)
        if "analysis" in want:
            n = sizes["analysis"]
            out = bench_analysis(n, n)
            results.update({"analysis_n_per_side": n, "analysis_100k_s": round(out["seconds"], 1),
                            "analysis_100k_peak_gb": round(out["peak_gb"], 2)})  # fmt: skip
            print(results, flush=True)
        if "prdc" in want:
            results.update(bench_vs_prdc(sizes["prdc"]))
            print(results, flush=True)
        if "e2e" in want:
            results.update(bench_e2e(images[: sizes["e2e"]], args.batch_size, args.num_workers))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
