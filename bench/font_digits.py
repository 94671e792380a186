"""Sim-to-real digits: real handwritten digits against digits rendered from fonts.

bench/gap_quality.py builds its synthetic side from the other half of the same real images with a
style shift, so its content differs only where classes are withheld. Here the synthetic side is
made the way a team makes one: a renderer draws each digit from fonts (the DejaVu, STIX and
Computer Modern fonts that ship with matplotlib), turned, scaled, moved and stroked at random,
so handwriting against type is a real gap of style and shape everywhere, and the known missing
content is two classes withheld from the renders (drawn per seed, not chosen).

* real: scikit-learn's 1,797 handwritten digits, drawn as bench/gap_quality.py draws them (8x8
  scans of 16 grey levels, upsampled, dark ink on paper, 64 px).
* synthetic, two renderers: "scanned" renders each digit at 64 px and passes it through the real
  digits' acquisition (8x8, 16 grey levels, the same upsampling); "crisp" keeps the 64 px render.

Per seed and renderer, two scenarios: "gap" (the drawn pair of classes withheld from the renders)
and "nothing withheld". The second is no control: handwriting has shapes no font draws, and
what the analysis calls uncovered there is printed per class (the three classes it calls most)
and can be looked at (--figure). Each row is analysed as the product analyses each model's
embeddings (bench/gap_quality.evaluate, with the prdc-style baseline on the same embeddings).

    .venv/bin/python bench/font_digits.py                       # seeds 0 and 1, both models
    .venv/bin/python bench/font_digits.py --seed 2 --models efficientnet_lite0
    .venv/bin/python bench/font_digits.py --figure flagged.png  # and what the first model calls
    .venv/bin/python bench/font_digits.py --tiny                # smoke test

Prints a markdown table, then one JSON line per row.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from gap_quality import (  # noqa: E402
    CACHE,
    Embedder,
    Scenario,
    _f,
    _pct,
    digit_images,
    evaluate,
    recognition,
)

from fiftyone_plugin.core import AnalysisConfig  # noqa: E402
from fiftyone_plugin.defaults import CONTENT_MODEL, MODEL  # noqa: E402

#: Bump when the renders change, so stale embeddings are not reused.
VERSION = 2
RENDERERS = ("scanned", "crisp")
SIZES = {"full": dict(per_font=3, real=None), "tiny": dict(per_font=1, real=24)}


def fonts() -> list[Path]:
    """The text fonts that ship with matplotlib (symbol fonts and the display faces, which have
    no digits, left out)."""
    import matplotlib

    folder = Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf"
    skip = ("STIXSiz", "STIXNonUni", "LastResort", "cmex", "cmsy", "cmmi")
    return sorted(
        p for p in folder.glob("*.ttf") if not p.name.startswith(skip) and "Display" not in p.name
    )


def render(digit: int, font: Path, rng: np.random.Generator, big: int = 256) -> np.ndarray:
    """One digit drawn from ``font``: ink (1) on paper (0), turned, scaled, moved and stroked at
    random, as a float array of ``big`` x ``big``."""
    canvas = Image.new("L", (big, big), 0)
    font_px = int(big * rng.uniform(0.55, 0.8))
    face = ImageFont.truetype(str(font), font_px)
    draw = ImageDraw.Draw(canvas)
    box = draw.textbbox((0, 0), str(digit), font=face)
    w, h = box[2] - box[0], box[3] - box[1]
    x = (big - w) / 2 - box[0] + rng.uniform(-0.08, 0.08) * big
    y = (big - h) / 2 - box[1] + rng.uniform(-0.08, 0.08) * big
    draw.text((x, y), str(digit), fill=255, font=face)
    canvas = canvas.rotate(rng.uniform(-12, 12), resample=Image.BILINEAR)
    a = np.asarray(canvas, np.float64) / 255
    stroke = int(rng.integers(0, 3))
    if stroke:
        a = ndimage.grey_dilation(a, size=(2 * stroke * 4 + 1,) * 2)
    return a


def framed(ink: np.ndarray, side: int) -> np.ndarray:
    """The ink's bounding box centred in a square and resized to ``side`` px: digits fill their
    frame, as the real scans were normalised (their ink fills the 8x8 frame)."""
    rows, cols = np.flatnonzero(ink.max(axis=1) > 0.1), np.flatnonzero(ink.max(axis=0) > 0.1)
    box = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    n = max(box.shape)
    square = np.zeros((n, n))
    y, x = (n - box.shape[0]) // 2, (n - box.shape[1]) // 2
    square[y : y + box.shape[0], x : x + box.shape[1]] = box
    small = Image.fromarray((square * 255).astype(np.uint8)).resize((side, side), Image.BOX)
    return np.asarray(small, np.float64) / 255


def scanned(ink: np.ndarray, size: int = 64) -> np.ndarray:
    """The real digits' acquisition (gap_quality.digit_images): 8x8 of 16 grey levels inside the
    frame's margin, upsampled and smoothed the same way, dark ink on paper."""
    inner = size * 3 // 4
    cells = Image.fromarray((framed(ink, 8) * 255).astype(np.uint8))
    levels = np.round(np.asarray(cells, np.float64) / 255 * 16)
    a = Image.fromarray((levels * 255 / 16).astype(np.uint8)).resize((inner, inner), Image.BICUBIC)
    a = ndimage.gaussian_filter(np.asarray(a, np.float64), inner / 32)
    a = np.pad(a, (size - inner) // 2)
    return _paper(a / max(a.max(), 1) * 255)


def crisp(ink: np.ndarray, size: int = 64) -> np.ndarray:
    """The render framed like the scans but kept sharp: dark ink on paper."""
    inner = size * 3 // 4
    return _paper(np.pad(framed(ink, inner), (size - inner) // 2) * 255)


def _paper(ink255: np.ndarray) -> np.ndarray:
    gray = np.clip(255 - ink255, 0, 255).astype(np.uint8)
    return np.repeat(gray[..., None], 3, axis=2)


def renders(per_font: int, seed: int) -> tuple[dict[str, list[np.ndarray]], np.ndarray]:
    """Every digit from every font ``per_font`` times: images per renderer, and their digits."""
    rng = np.random.default_rng(seed + 100)
    inks, labels = [], []
    for font in fonts():
        for digit in range(10):
            for _ in range(per_font):
                inks.append(render(digit, font, rng))
                labels.append(digit)
    return {"scanned": [scanned(i) for i in inks], "crisp": [crisp(i) for i in inks]}, np.array(
        labels
    )


def embedded(mode: str, seed: int, embed) -> dict[str, np.ndarray]:
    """Embeddings of the real digits and of each renderer's images (cached in bench/.cache/)."""
    size = SIZES[mode]
    tag = f"{VERSION}-{mode}-{seed}-{embed.precision}-{embed.model}"
    path = CACHE / f"font-digits-{hashlib.sha1(tag.encode()).hexdigest()[:10]}.npz"
    if path.exists():
        return dict(np.load(path))
    real, real_labels, _ = digit_images(size["real"], np.random.default_rng(seed))
    images, labels = renders(size["per_font"], seed)
    arrays = {"real": embed(real, "real digits"), "real_labels": real_labels, "labels": labels}
    for name in RENDERERS:
        arrays[name] = embed(images[name], f"{name} renders")
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)
    return arrays


def scenarios(arrays: dict[str, np.ndarray], seed: int) -> list[Scenario]:
    rng = np.random.default_rng(seed + 200)
    withheld = np.sort(rng.choice(10, 2, replace=False))
    real, lr, ls = arrays["real"], arrays["real_labels"], arrays["labels"]
    out = []
    for name in RENDERERS:
        synth = arrays[name]
        kept, lost = recognition(real, synth, lr, ls)
        for kind in ("gap", "control"):
            keep = ~np.isin(ls, withheld) if kind == "gap" else np.ones(len(ls), bool)
            missing = np.isin(lr, withheld) if kind == "gap" else np.zeros(len(lr), bool)
            sc = Scenario(f"digits {withheld[0]}+{withheld[1]}", name, kind, real, synth[keep],
                          missing, np.zeros(int(keep.sum()), bool), lr.astype(object),
                          ls[keep].astype(object), kept, np.isin(lr, lost))  # fmt: skip
            out.append(sc)
    return out


def markdown(rows: list[dict]) -> str:
    lines = [
        "| model | seed | renderer | scenario | real / synth | recognizable | C2ST; mixing after alignment "
        "| gap AUROC (baseline) | uncovered precision / recall (baseline) | + underrepresented: "
        "precision / recall | score's recall at 5% FP | flagged uncovered / either | "
        "uncovered in the classes called most | diagnosis |",
        "|" + "---|" * 14,
    ]
    for r in rows:
        gap = r["kind"] == "gap"
        scenario = f"missing {r['dataset'].split()[1]}" if gap else "nothing withheld"
        most = sorted(r["flagged_by_class"].items(), key=lambda kv: -kv[1])[:3]
        cells = [
            r["model"], str(r["seed"]), r["shift"], scenario,
            f"{r['n_real']} / {r['n_synthetic']}", _pct(r["recognizable"]),
            f"{_f(r['c2st'])}; {_f(r['mixing_aligned'])}",
            f"{_f(r['auroc'])} ({_f(r['base_auroc'])})" if gap else "–",
            f"{_f(r['precision'])} / {_f(r['recall'])} ({_f(r['base_precision'])} / "
            f"{_f(r['base_recall'])})" if gap else "–",
            f"{_f(r['precision_either'])} / {_f(r['recall_either'])}" if gap else "–",
            _f(r["recall_at_fpr"]) if gap else "–",
            f"{_pct(r['flagged'])} / {_pct(r['flagged_either'])}",
            ", ".join(f"`{c}` {_pct(v)}" for c, v in most if v > 0) or "–",
            r["diagnosis"],
        ]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def figure(path: str, mode: str, seed: int, embed, n: int = 12) -> None:
    """What the analysis of ``embed``'s model calls uncovered among the real digits when the
    scanned renders withhold nothing: per class called most, ``n`` real digits called uncovered
    (left) and ``n`` not (right); the bottom row, that class's renders from ``n`` fonts."""
    from fiftyone_plugin.core import analyze_embeddings
    from fiftyone_plugin.embeddings.registry import feature_blocks, head_dims

    arrays = embedded(mode, seed, embed)
    result = analyze_embeddings(
        arrays["real"], arrays["scanned"], AnalysisConfig(seed=seed, project=False, kid_subsets=5),
        head_dims=head_dims(embed.model), blocks=feature_blocks(embed.model),
    )  # fmt: skip
    real, labels, _ = digit_images(SIZES[mode]["real"], np.random.default_rng(seed))
    images, render_labels = renders(SIZES[mode]["per_font"], seed)
    share = [result.uncovered[labels == c].mean() for c in range(10)]
    gap = np.full((64, 16, 3), 255, np.uint8)
    rows = []
    for c in np.argsort(share)[::-1][:3]:
        called = np.flatnonzero((labels == c) & result.uncovered)[:n]
        kept = np.flatnonzero((labels == c) & ~result.uncovered)[:n]
        fonts_c = np.flatnonzero(render_labels == c)[:: SIZES[mode]["per_font"]][:n]
        tiles = [[real[i] for i in called] + [gap] + [real[i] for i in kept],
                 [images["scanned"][i] for i in fonts_c]]  # fmt: skip
        for row in tiles:
            rows.append(np.pad(np.concatenate(row, axis=1), ((0, 4), (0, 0), (0, 0)),
                               constant_values=255))  # fmt: skip
    width = max(r.shape[1] for r in rows)
    rows = [np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in rows]
    Image.fromarray(np.concatenate(rows, axis=0)).save(path)
    print(f"figure: {path}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", default="0,1", help="comma-separated seeds")
    parser.add_argument("--models", default=f"{MODEL},{CONTENT_MODEL}")
    parser.add_argument("--tiny", action="store_true", help="smoke-test size")
    parser.add_argument("--figure", help="write what the first model calls (first seed) here")
    args = parser.parse_args(argv)
    mode = "tiny" if args.tiny else "full"
    rows = []
    for model in args.models.split(","):
        embed = Embedder("fp32", model)
        for seed in [int(s) for s in args.seed.split(",")]:
            config = AnalysisConfig(seed=seed, project=False, kid_subsets=5)
            for sc in scenarios(embedded(mode, seed, embed), seed):
                rows.append({**evaluate(sc, config, model), "model": model, "seed": seed})
                print(json.dumps(rows[-1], default=float), file=sys.stderr)
    if args.figure:
        first = args.models.split(",")[0]
        figure(args.figure, mode, int(args.seed.split(",")[0]), Embedder("fp32", first))
    print(markdown(rows))
    for r in rows:
        print(json.dumps(r, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
