"""Images per second of the full embedding pipeline (files -> vectors) against the network's
forward pass alone on already prepared tensors, same model, batch and precision, in one run.

A pipeline/forward ratio near 1 means decoding and resizing keep up with the network.
With several precisions or backends, it also prints how close their embeddings are (cosine to
the first).

    .venv/bin/python bench/embed_speed.py                      # 256 JPEGs, fp32 and bf16
    .venv/bin/python bench/embed_speed.py --n 512 --precision auto --num-workers 4
    .venv/bin/python bench/embed_speed.py --precision fp32 --backend torch openvino
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

from fiftyone_plugin.embeddings import embed_images, load_image, load_model
from fiftyone_plugin.embeddings.inference import forward_batch

PHOTOS = (
    "astronaut",
    "chelsea",
    "coffee",
    "rocket",
    "hubble_deep_field",
    "immunohistochemistry",
    "retina",
    "motorcycle",
)


def _photos() -> list[Image.Image]:
    photos = []
    for name in PHOTOS:
        img = data.stereo_motorcycle()[0] if name == "motorcycle" else getattr(data, name)()
        photos.append(Image.fromarray(img).convert("RGB"))
    return photos


_PHOTOS: list[Image.Image] = []


def _render(job: tuple[int, tuple[int, int, int, int], tuple[int, int], bool, str]) -> str:
    """Write one crop of a photo as a JPEG (in a worker process: photos loaded once each)."""
    photo_index, box, size, flip, path = job
    if not _PHOTOS:
        _PHOTOS.extend(_photos())
    img = _PHOTOS[photo_index].crop(box).resize(size, Image.BILINEAR)
    if flip:
        img = img.transpose(Image.FLIP_LEFT_RIGHT)
    img.save(path, quality=90)
    return path


def make_jpegs(
    folder: Path,
    n: int,
    size: tuple[int, int] = (640, 480),
    seed: int = 0,
    processes: int = 1,
) -> list[str]:
    """n photo-like JPEGs of `size`: random crops of skimage's photos, flipped at random;
    written by ``processes`` worker processes (the same files whatever their number)."""
    rng = np.random.default_rng(seed)
    sizes = [p.size for p in _photos()]
    jobs = []
    for i in range(n):
        w, h = sizes[i % len(sizes)]
        cw, ch = int(w * rng.uniform(0.5, 1.0)), int(h * rng.uniform(0.5, 1.0))
        x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
        flip = bool(rng.random() < 0.5)
        jobs.append(
            (i % len(sizes), (x, y, x + cw, y + ch), size, flip, str(folder / f"img_{i:05d}.jpg"))
        )
    if processes <= 1:
        return [_render(job) for job in jobs]
    from multiprocessing import get_context

    with get_context("fork").Pool(processes) as pool:
        return pool.map(_render, jobs, chunksize=64)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--model", default="efficientnet_lite0")
    parser.add_argument("--n", type=int, default=256, help="number of images")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--num-workers", type=int, default=2)
    parser.add_argument("--precision", nargs="+", default=["fp32", "bf16"])
    parser.add_argument("--backend", nargs="+", default=["auto"])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best one is printed")
    args = parser.parse_args()

    load = f"{os.getloadavg()[0]:.1f}"
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_jpegs(Path(tmp), args.n)
        print(f"{args.n} JPEGs 640x480, batch {args.batch_size}, {args.num_workers} workers")
        print(f"{'runtime':>14} {'pipeline img/s':>15} {'forward img/s':>14} {'ratio':>6}")
        first = None
        for precision, backend in [(p, b) for p in args.precision for b in args.backend]:
            model = load_model(args.model, args.device, precision=precision, backend=backend)
            runtime = f"{model.precision}/{model.backend}"
            batch = _prepared_batch(paths[: args.batch_size], model)
            forward_batch(model, batch)  # warm-up: oneDNN builds its kernels on first use
            n_forward = max(1, args.n // args.batch_size)
            forward_rate = pipeline_rate = 0.0
            for _ in range(args.repeat):  # interleaved; best of each, as others share the CPU
                t = time.perf_counter()
                for _ in range(n_forward):
                    forward_batch(model, batch)
                forward_rate = max(forward_rate, n_forward * len(batch) / (time.perf_counter() - t))

                t = time.perf_counter()
                result = embed_images(paths, model, args.batch_size, args.num_workers)
                pipeline_rate = max(pipeline_rate, args.n / (time.perf_counter() - t))
                assert all(e is None for e in result.errors), result.errors

            ratio = pipeline_rate / forward_rate
            print(f"{runtime:>14} {pipeline_rate:15.1f} {forward_rate:14.1f} {ratio:6.2f}")
            if first is None:
                first = (runtime, result.vectors)
            else:
                cos = _cosine(first[1], result.vectors)
                print(f"{'':>14} cosine to {first[0]}: mean {cos.mean():.4f}, min {cos.min():.4f}")
        print(
            f"load average before / after: {load} / {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)"
        )


def _prepared_batch(paths, model):
    import torch

    images = [load_image(p, min_size=model.transform.resize_size).image for p in paths]
    return torch.stack([model.transform.prepare(im) for im in images])


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


if __name__ == "__main__":
    main()
