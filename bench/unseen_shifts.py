"""Held out: digits under kinds of shift that nothing in the product was chosen on.

bench/gap_quality.py shifts its synthetic side by noise, tint, blur, contrast, JPEG and thicker
strokes, and always withholds the 3s and 7s. Here each seed draws its own withheld pair of
digits, and the synthetic side gets one of five other shifts:

* invert: light ink on dark paper, slightly blurred, with noise;
* colour: each image's ink and paper a random colour;
* geom: turned up to 12 degrees, scaled 0.85-1.1, moved up to 4 px;
* pixel: rendered at 20 x 20 px and blown up (blocky), with noise;
* texture: a smooth random texture over the paper.

Real side: scikit-learn's handwritten digits as bench/gap_quality.py draws them (60 a class, the
same halves). Per seed and shift, a "gap" row (the pair withheld) and a "control" (nothing
withheld). Embedded with the product's default choice of model ("auto"), cached like
bench/gap_quality.py's; analysed by bench/gap_quality.evaluate.

    .venv/bin/python bench/unseen_shifts.py --seed 0,1,2
    .venv/bin/python bench/unseen_shifts.py --seed 0 --shifts invert,geom

Prints one line per row, then the JSON rows.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import gap_quality as g  # noqa: E402

from fiftyone_plugin.core import AnalysisConfig  # noqa: E402
from fiftyone_plugin.defaults import AUTO_MODEL  # noqa: E402

SHIFTS = ("invert", "colour", "geom", "pixel", "texture")
#: Bump when the shifts change, so stale embeddings are not reused.
VERSION = 1


def shift(image: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    """``image`` (dark ink on white, HxWx3 uint8) under shift ``kind``."""
    a = image.astype(np.float32)
    if kind == "invert":
        a = ndimage.gaussian_filter(255 - a, (0.5, 0.5, 0)) + rng.normal(0, 6, a.shape)
    elif kind == "colour":
        ink, paper = rng.uniform(0, 120, 3), rng.uniform(150, 255, 3)
        t = a[..., :1] / 255.0
        a = t * paper + (1 - t) * ink
    elif kind == "geom":
        w = a.shape[0]
        turned = Image.fromarray(image).rotate(
            rng.uniform(-12, 12), resample=Image.BILINEAR, fillcolor=(255, 255, 255)
        )
        s = int(w * rng.uniform(0.85, 1.1))
        canvas = Image.new("RGB", (w, w), (255, 255, 255))
        x, y = (w - s) // 2 + rng.integers(-4, 5, 2)
        canvas.paste(turned.resize((s, s), Image.BILINEAR), (int(x), int(y)))
        a = np.asarray(canvas, np.float32)
    elif kind == "pixel":
        small = Image.fromarray(image).resize((20, 20), Image.NEAREST)
        a = np.asarray(small.resize(image.shape[:2], Image.NEAREST), np.float32)
        a = a + rng.normal(0, 4, a.shape)
    elif kind == "texture":
        texture = ndimage.gaussian_filter(rng.normal(0, 40, a.shape[:2]), 3)[..., None]
        a = np.minimum(a, 255 + texture * (a > 128))
    else:
        raise ValueError(f"unknown shift {kind!r}; one of {', '.join(SHIFTS)}")
    return np.clip(a, 0, 255).astype(np.uint8)


def embedded(images: list, embed: g.Embedder, key: str) -> np.ndarray:
    path = g.CACHE / f"unseen-{hashlib.sha1(key.encode()).hexdigest()[:10]}.npz"
    if path.exists():
        return np.load(path)["x"]
    x = embed(images, key)
    g.CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, x=x)
    return x


def rows_for_seed(seed: int, shifts: list[str]) -> list[dict]:
    rng = np.random.default_rng(100 + seed)
    images, labels, classes = g.digit_images(60, rng)
    embed, _ = g.Embedder("fp32", AUTO_MODEL).for_images(images)
    tag = f"{VERSION}-{seed}-{embed.model}"
    real = embedded(images, embed, f"{tag}-real")
    pair = rng.choice(len(classes), 2, replace=False)
    ir, js = g.split(g.Dataset("digits", labels, classes, real, {}, {}), seed)
    missing = np.isin(labels[ir], pair)
    config = AnalysisConfig(seed=seed, project=False, kid_subsets=5)
    rows = []
    for kind in shifts:
        shifted = [shift(im, kind, rng) for im in images]
        x = embedded(shifted, embed, f"{tag}-{kind}")
        kept, lost = g.recognition(real[ir], x[js], labels[ir], labels[js])
        for what in ("gap", "control"):
            keep = js if what == "control" else js[~np.isin(labels[js], pair)]
            sc = g.Scenario(
                "digits", kind, what, real[ir], x[keep],
                missing if what == "gap" else np.zeros(len(ir), bool),
                np.zeros(len(keep), bool), labels[ir].astype(object),
                labels[keep].astype(object), kept, np.isin(labels[ir], lost),
            )  # fmt: skip
            row = g.evaluate(sc, config, embed.model)
            row.update(seed=seed, withheld=sorted(int(c) for c in pair))
            rows.append(row)
            print(
                f"{seed} {kind:8s} {what:8s} withheld {row['withheld']} recognizable "
                f"{g._pct(kept)} gap AUROC {g._f(row.get('auroc'))} precision / recall (either "
                f"tier) {g._f(row.get('precision_either'))} / {g._f(row.get('recall_either'))} "
                f"flagged {g._pct(row['flagged_either'])} C2ST {g._f(row['c2st'])} mixing "
                f"{g._f(row['mixing_aligned'])} {row['diagnosis']}",
                flush=True,
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", default="0", help="seed, or comma-separated seeds")
    parser.add_argument("--shifts", default=",".join(SHIFTS), help="comma-separated subset")
    args = parser.parse_args(argv)
    rows = []
    for seed in (int(s) for s in args.seed.split(",")):
        rows += rows_for_seed(seed, args.shifts.split(","))
    for row in rows:
        print(json.dumps({k: v for k, v in row.items() if k != "flagged_by_class"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
