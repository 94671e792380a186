"""synthgap speed benchmarks: each figure is a ratio measured side by side in one run.

    .venv/bin/python bench/run.py --quick     # 2 CPU cores: 4-9 min (AVX-512 EPYC 4 min 15 s, AVX2 9 min)
    .venv/bin/python bench/run.py             # full sizes, plus the scaling series up to 1M
    #                                            synthetic vectors and its plot (bench/out/)
    .venv/bin/python bench/run.py --tiny      # smoke run for CI: checks it runs, times mean nothing

The last line printed is one JSON object. Speedups are "their time / our time" (higher is
better); ``embed_vs_forward`` is our pipeline's images/s over the bare forward pass's; the
``objects_*`` figures compare embedding every labeled object with embedding the images
(bench/objects_speed.py).
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
    "tiny": dict(
        embed=64, e2e=64, analysis=2_000, prdc=1_000, writeback=500, save_loop=100, objects=16
    ),
    "quick": dict(
        embed=512,
        e2e=1_000,
        analysis=100_000,
        prdc=20_000,
        writeback=100_000,
        save_loop=1_000,
        objects=256,
    ),
    "full": dict(
        embed=2_048,
        e2e=3_000,
        analysis=100_000,
        prdc=30_000,
        writeback=100_000,
        save_loop=5_000,
        objects=1_024,
    ),
}  # objects: detection scenes whose objects and images are embedded side by side
# prdc holds about three float32 n x n distance matrices at once: 5.1 GB peak at 20k vectors per
# side, about 11.5 GB at 30k (the most that fits beside everything else in 24 GB), ~20 GB at 40k.


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


def fiftyone_model():
    """FiftyOne's stock TorchImageModel around the same EfficientNet-Lite0 weights: fp32 (its
    default) and the torchvision preprocessing FiftyOne's zoo models use (Resize of the shorter
    side, CenterCrop, ToTensor, Normalize) with our model's sizes, mean and std."""
    import fiftyone.utils.torch as fout
    import torchvision.transforms as T

    from fiftyone_plugin.embeddings import load_model

    fp32 = load_model("efficientnet_lite0", precision="fp32", backend="torch")
    t = fp32.transform
    transforms = T.Compose([T.Resize(t.resize_size), T.CenterCrop(t.crop_size), T.ToTensor(),
                            T.Normalize(t.mean, t.std)])  # fmt: skip
    config = {"model": fp32.module, "transforms": transforms, "ragged_batches": False,
              "as_feature_extractor": True, "device": fp32.device}  # fmt: skip
    return fout.TorchImageModel(fout.TorchImageModelConfig(config))


def _forward_images_per_s(model, batch, n_images: int) -> float:
    """Images/s of the forward pass alone, on one prepared batch run for about n_images."""
    from fiftyone_plugin.embeddings.inference import forward_batch

    n_batches = max(2, n_images // len(batch))
    seconds, _ = _timed(lambda: [forward_batch(model, batch) for _ in range(n_batches)])
    return n_batches * len(batch) / seconds


def bench_embedding(paths: list[str], batch_size: int, num_workers: int) -> dict:
    """Our embedding pipeline (default runtime: OpenVINO on a CPU) vs its bare forward
    pass, vs the torch network's forward (for reference), and vs FiftyOne's compute_embeddings."""
    from embed_speed import _cosine, _prepared_batch

    from fiftyone_plugin.embeddings import load_model
    from fiftyone_plugin.embeddings.inference import forward_batch
    from fiftyone_plugin.fo.embeddings import compute_embeddings
    from fiftyone_plugin.options import EmbeddingOptions

    n = len(paths)
    model = load_model("efficientnet_lite0")
    batch = _prepared_batch(paths[:batch_size], model)
    forward_batch(model, batch)  # warm-up
    forward_ips = _forward_images_per_s(model, batch, n)

    dataset = _dataset("bench-embed", paths)
    t_ours, _ = _timed(  # the loaded model, as FiftyOne's side gets its model loaded
        compute_embeddings,
        dataset,
        model,
        field="emb_ours",
        options=EmbeddingOptions(batch_size=batch_size, num_workers=num_workers),
    )
    ours_ips = n / t_ours

    eager = load_model("efficientnet_lite0", precision=model.precision, backend="torch")
    forward_batch(eager, batch)  # after our pipeline: nothing of torch's runs before it
    torch_ips = _forward_images_per_s(eager, batch, n)

    stock = fiftyone_model()
    t_stock, _ = _timed(
        dataset.compute_embeddings, stock, embeddings_field="emb_stock",
        batch_size=batch_size, num_workers=num_workers, progress=False,
    )  # fmt: skip
    compiled = _bench_compiled(paths, batch, batch_size, num_workers)
    bf16 = _bench_bf16(dataset, batch, batch_size, num_workers, t_stock)
    cosine = _cosine(np.stack(dataset.values("emb_ours")), np.stack(dataset.values("emb_stock")))
    return {
        "embed_images_per_s": round(ours_ips, 1),
        "forward_images_per_s": round(forward_ips, 1),
        "fiftyone_images_per_s": round(n / t_stock, 1),
        "precision": model.precision,
        "backend": model.backend,
        "forward_torch_images_per_s": round(torch_ips, 1),
        "embed_vs_forward": round(ours_ips / forward_ips, 3),
        "embed_vs_fiftyone": round(t_stock / t_ours, 2),
        "embed_cosine_to_fiftyone_fp32_mean": round(float(cosine.mean()), 4),
        "embed_cosine_to_fiftyone_fp32_min": round(float(cosine.min()), 4),
        **compiled,
        **bf16,
    }


def _bench_compiled(paths: list[str], batch, batch_size: int, num_workers: int) -> dict:
    """The same model with ``compile=True`` (the CLI's --compile): the one-off compilation, then
    the forward pass alone and the pipeline from files to vectors (no database), both warm."""
    from fiftyone_plugin.embeddings import embed_images, load_model
    from fiftyone_plugin.embeddings.inference import forward_batch

    model = load_model("efficientnet_lite0", compile=True)
    t_compile, _ = _timed(forward_batch, model, batch)
    t_pipeline, _ = _timed(embed_images, paths, model, batch_size, num_workers)
    return {
        "compile_s": round(t_compile, 1),
        "forward_compiled_images_per_s": round(_forward_images_per_s(model, batch, len(paths)), 1),
        "embed_compiled_images_per_s": round(len(paths) / t_pipeline, 1),
    }


def _bench_bf16(dataset, batch, batch_size: int, num_workers: int, t_stock: float) -> dict:
    """The pipeline and forward pass at --precision bf16 (opt-in: it moves borderline gap
    results), on a CPU with native bfloat16; {} elsewhere. Same work as the default's."""
    from embed_speed import _cosine

    from fiftyone_plugin.embeddings import load_model
    from fiftyone_plugin.embeddings.inference import forward_batch
    from fiftyone_plugin.embeddings.registry import cpu_has_native_bf16, resolve_device
    from fiftyone_plugin.fo.embeddings import compute_embeddings
    from fiftyone_plugin.options import EmbeddingOptions

    if resolve_device("auto") != "cpu" or not cpu_has_native_bf16():
        return {}
    model = load_model("efficientnet_lite0", precision="bf16")
    forward_batch(model, batch)  # warm-up
    t_bf16, _ = _timed(
        compute_embeddings, dataset, model, field="emb_bf16",
        options=EmbeddingOptions(batch_size=batch_size, num_workers=num_workers),
    )  # fmt: skip
    cosine = _cosine(np.stack(dataset.values("emb_ours")), np.stack(dataset.values("emb_bf16")))
    return {
        "embed_bf16_images_per_s": round(len(dataset) / t_bf16, 1),
        "forward_bf16_images_per_s": round(_forward_images_per_s(model, batch, len(dataset)), 1),
        "embed_bf16_vs_fiftyone": round(t_stock / t_bf16, 2),
        "bf16_cosine_to_fp32_mean": round(float(cosine.mean()), 4),
        "bf16_cosine_to_fp32_min": round(float(cosine.min()), 4),
    }


def bench_writeback(n: int, n_loop: int) -> dict:
    """Writing all result fields for n samples as the analysis does (fo/bulk.py) vs a per-sample
    save() loop, timed on n_loop samples and scaled to n."""
    import fiftyone as fo

    from fiftyone_plugin.fo.bulk import write_columns
    from fiftyone_plugin.fo.runs import RESULT_FIELDS

    dataset = _dataset("bench-writeback", [f"/bench/img_{i}.jpg" for i in range(n)])
    ids = dataset.values("id")
    rng = np.random.default_rng(0)
    column = {  # a plausible column of each field type, for every field a run writes
        fo.IntField: lambda: rng.integers(0, 50, n).tolist(),
        fo.FloatField: lambda: rng.random(n).tolist(),
        fo.BooleanField: lambda: (rng.random(n) < 0.1).tolist(),
        fo.StringField: lambda: [None] * n,
    }
    values = {name: column[ftype]() for name, ftype in RESULT_FIELDS.items()}
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


def _mixture(n: int, dim: int, seed: int, shift: float = 0.0, chunk: int = 65536) -> np.ndarray:
    """n points of a 40-component Gaussian mixture in ``dim`` dimensions (non-negative, like CNN
    features), optionally shifted as a global style change; built ``chunk`` rows at a time."""
    rng = np.random.default_rng(seed)
    centers = np.random.default_rng(123).normal(0, 1, (40, dim)).astype(np.float32)
    x = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, chunk):
        part = x[start : start + chunk]
        part[:] = centers[rng.integers(0, 40, len(part))]
        part += rng.standard_normal(part.shape, dtype=np.float32) * 0.7
        part += shift
        np.maximum(part, 0, out=part)
    return x


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


#: (real, synthetic) vectors per analysis in the scaling series of the full mode; the last one
#: is the 1M-synthetic-vector run.
SCALING = ((10_000, 10_000), (30_000, 30_000), (100_000, 100_000), (100_000, 1_000_000))


def bench_scaling(points, plot: Path) -> dict:
    """The whole analysis at growing sizes, each in a fresh process; time and peak memory against
    size, plotted to ``plot``."""
    runs = []
    for n_real, n_synthetic in points:
        out = bench_analysis(n_real, n_synthetic)
        runs.append({"n_real": n_real, "n_synthetic": n_synthetic,
                     "seconds": round(out["seconds"], 1), "peak_gb": round(out["peak_gb"], 2)})  # fmt: skip
        print(runs[-1], flush=True)
    _plot_scaling(runs, plot)
    last = runs[-1]
    return {"scaling": runs, "scaling_plot": str(plot),
            f"analysis_{last['n_synthetic'] // 1000}k_synthetic_s": last["seconds"],
            f"analysis_{last['n_synthetic'] // 1000}k_synthetic_peak_gb": last["peak_gb"]}  # fmt: skip


def _plot_scaling(runs: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    total = [r["n_real"] + r["n_synthetic"] for r in runs]
    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(9, 3.4))
    for ax, key, label in ((ax_t, "seconds", "time (s)"), (ax_m, "peak_gb", "peak memory (GB)")):
        ax.plot(total, [r[key] for r in runs], "o-", color="#1f77b4")
        for x, r in zip(total, runs, strict=True):
            ax.annotate(f"{r['n_real'] // 1000}k+{r['n_synthetic'] // 1000}k", (x, r[key]),
                        textcoords="offset points", xytext=(4, -12), fontsize=7)  # fmt: skip
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("vectors analysed (real + synthetic, 1280-d)")
        ax.set_ylabel(label)
        ax.grid(True, which="both", alpha=0.3)
    fig.suptitle(f"Whole analysis on {os.cpu_count()} CPU cores (bench/run.py)", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def bench_vs_prdc(n: int, dim: int = 1280) -> dict:
    """Our gap computation as the analysis runs it on raw embeddings (PCA, style test, alignment,
    GapDetector: core.steps.find_gaps) vs the prdc package's compute_prdc, same vectors."""
    from prdc import compute_prdc

    from fiftyone_plugin.core.config import AnalysisConfig
    from fiftyone_plugin.core.steps import find_gaps

    real, synthetic = _mixture(n, dim, 1), _mixture(n, dim, 2, shift=0.2)
    t_prdc, _ = _timed(compute_prdc, real, synthetic, nearest_k=5)
    t_ours, _ = _timed(find_gaps, real, synthetic, AnalysisConfig())
    return {"prdc_n": n, "prdc_s": round(t_prdc, 2), "gap_s": round(t_ours, 2),
            "analysis_vs_prdc": round(t_prdc / t_ours, 2)}  # fmt: skip


def _warm_up_numba() -> None:
    """Compile UMAP's and pynndescent's numba code once, so that neither side of a comparison pays
    the one-off JIT compilation (about a minute on 2 cores) for the other."""
    import umap
    from pynndescent import NNDescent

    x = _mixture(600, 16, 0)
    umap.UMAP(random_state=0).fit(x[:300]).transform(x[300:])
    NNDescent(x, n_neighbors=15, random_state=0).query(x[:10], k=2)


def bench_e2e(paths: list[str], batch_size: int, num_workers: int) -> dict:
    """Embed + full analysis + write-back (ours) vs compute_embeddings + UMAP visualization, both
    after the numba warm-up."""
    import fiftyone.brain as fob

    from fiftyone_plugin.fo.analysis import analyze
    from fiftyone_plugin.fo.embeddings import compute_embeddings
    from fiftyone_plugin.options import EmbeddingOptions

    domains = ["real" if i % 2 else "synthetic" for i in range(len(paths))]
    ours = _dataset("bench-e2e-ours", paths, domains)
    theirs = _dataset("bench-e2e-fiftyone", paths, domains)

    def ours_job():
        summary = compute_embeddings(
            ours, options=EmbeddingOptions(batch_size=batch_size, num_workers=num_workers)
        )
        analyze(ours, embeddings_field=summary.field, overwrite=True)

    stock = fiftyone_model()

    def fiftyone_job():
        theirs.compute_embeddings(stock, embeddings_field="emb", batch_size=batch_size,
                                  num_workers=num_workers, progress=False)  # fmt: skip
        fob.compute_visualization(theirs, embeddings="emb", method="umap", brain_key="umap",
                                  progress=False)  # fmt: skip

    _warm_up_numba()
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
        "--only",
        nargs="+",
        choices=["embed", "writeback", "analysis", "prdc", "e2e", "objects", "scaling"],
    )
    parser.add_argument("--plot", type=Path, default=HERE / "out" / "analysis_scaling.png",
                        help="where the full mode's time/memory plot goes")  # fmt: skip
    args = parser.parse_args()
    mode = "tiny" if args.tiny else "quick" if args.quick else "full"
    sizes = SIZES[mode]
    os.environ.setdefault("FIFTYONE_DATABASE_VALIDATION", "false")
    if not os.environ.get("FIFTYONE_DATABASE_URI"):  # a throwaway database, not the user's
        os.environ["FIFTYONE_DATABASE_DIR"] = tempfile.mkdtemp(prefix="synthgap-bench-db-")
    every = ["embed", "writeback", "analysis", "prdc", "e2e", "objects"] + (
        ["scaling"] if mode == "full" else []
    )
    want = set(args.only or every)
    results: dict = {"mode": mode, "load_before": round(os.getloadavg()[0], 2)}
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
            print(results, flush=True)
        if "objects" in want:
            from objects_speed import bench_objects

            scenes = os.path.join(tmp, "scenes")
            results.update(
                bench_objects(scenes, sizes["objects"], args.batch_size, args.num_workers)
            )
            print(results, flush=True)
        if "scaling" in want:
            points = SCALING if mode == "full" else ((500, 500), (1_000, 2_000))
            results.update(bench_scaling(points, args.plot))
    results["load_after"] = round(os.getloadavg()[0], 2)  # 1-min load average: others' work
    print(json.dumps(results))


if __name__ == "__main__":
    main()
