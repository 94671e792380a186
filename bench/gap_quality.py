"""Does synthgap find the real content that synthetic data misses, despite a style shift?

Scenarios are built from REAL images that ship with scikit-learn / scikit-image, so the right
answer is known:

* digits: scikit-learn's 1,797 handwritten digits, rendered as dark ink on paper; content = digit.
* crops: random crops of 21 scikit-image photos; content = the photo a crop comes from.
* faces: scikit-image's lfw_subset, 100 faces and 100 non-faces; content = face / non-face.

Each dataset is split in two disjoint halves: the real side, and the synthetic side from which
some content classes are withheld (known missing content) and whose images get a style shift at
three strengths (none / mild / strong: Gaussian noise, colour tint, blur, contrast, JPEG, and
thicker strokes for digits). Controls: the same with nothing withheld (nothing should be flagged),
and a junk set (the mild control plus pure-noise, blank, broken-texture and glitched renders,
styled like the rest: they should rank least realistic).

Everything is embedded with efficientnet_lite0 via fiftyone_plugin.embeddings, or the model
--model names (``auto``: the one the product's default choice takes for each dataset's real images;
cached in bench/.cache/) and analysed with
`analyze_embeddings` (the UMAP map is skipped: it does not change any number below). The baseline, computed in the same run
on the same embeddings, is prdc-style per-sample coverage (Naeem et al. 2020): a real sample is
covered when a synthetic sample lies within its 5-NN real radius; its gap score is the distance to
the nearest synthetic sample over that radius, and its realism the negative distance of a
synthetic sample to the nearest real sample over that sample's radius.

    .venv/bin/python bench/gap_quality.py            # full size
    .venv/bin/python bench/gap_quality.py --quick    # smaller sets, a few minutes on 2 cores
    .venv/bin/python bench/gap_quality.py --tiny     # smoke test (< 60 s once embedded)
    .venv/bin/python bench/gap_quality.py --quick --seed 0,1,2   # adds the spread over seeds
    .venv/bin/python bench/gap_quality.py --quick --model efficientnet_lite0_content
    .venv/bin/python bench/gap_quality.py --quick --model auto   # the product's default choice

A strong style shift can make the synthetic images of some content unrecognizable as it (the
"recognizable" column: a classifier trained on the real images' content labels): the real images
of such content are then not represented for a model either, and calling them is not wholly
false. The "where recognizable" columns count the calls again without the classes whose
synthetic images are mostly (over half) not recognised.

Prints a markdown table, then one JSON line with the key figures.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fiftyone_plugin.core import AnalysisConfig, analyze_embeddings  # noqa: E402
from fiftyone_plugin.core.neighbors import knn  # noqa: E402
from fiftyone_plugin.defaults import AUTO_MODEL, PRECISIONS  # noqa: E402
from fiftyone_plugin.embeddings.registry import (  # noqa: E402
    DEFAULT_MODEL,
    available_models,
    feature_blocks,
    head_dims,
)

CACHE = ROOT / "bench" / ".cache"
#: Bump when the images of a scenario change, so stale embeddings are not reused.
VERSION = 3

PHOTOS = (
    "astronaut", "brick", "camera", "cell", "chelsea", "clock", "coffee", "coins", "colorwheel",
    "grass", "gravel", "horse", "hubble_deep_field", "immunohistochemistry", "logo", "moon",
    "page", "retina", "rocket", "stereo_motorcycle", "text",
)  # fmt: skip
WITHHELD = {
    "digits": ("3", "7"),
    "crops": ("brick", "coffee", "hubble_deep_field", "retina"),
    "faces": ("non-face",),
}
STYLES = {
    "none": None,
    "mild": dict(noise=0.03, tint=0.08, blur=0.6, contrast=0.9, jpeg=70, thicken=3),
    "strong": dict(noise=0.08, tint=0.2, blur=1.2, contrast=0.7, jpeg=35, thicken=5),
}
SIZES = {  # per mode: images per content class (None = all), photo classes, junk images, and
    # KID subsets (KID is reported by the analysis but not scored here: fewer subsets save time)
    "full": dict(digits=None, crops=60, n_photos=21, junk=40, kid_subsets=100),
    "quick": dict(digits=60, crops=30, n_photos=21, junk=24, kid_subsets=20),
    "tiny": dict(digits=24, crops=16, n_photos=12, junk=12, kid_subsets=5),
}
TARGETS = dict(gap_auroc=0.95, uncovered_precision=0.9, control_flagged=0.05, junk_auroc=0.95)
#: Recall target (uncovered + underrepresented), on gap rows whose ranking allows it (gap AUROC
#: at least RANKED_AUROC); and the false-positive rate of the score's own operating point.
RECALL_TARGET, RANKED_AUROC, SCORE_FPR = 0.7, 0.9, 0.05


# ---------------------------------------------------------------------------------------------
# Real images


def _rgb(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype == bool:
        a = a.astype(np.uint8) * 255
    elif a.dtype != np.uint8:
        a = np.clip(a * (255 if a.max() <= 1 else 1), 0, 255).astype(np.uint8)
    if a.ndim == 2:
        a = np.repeat(a[..., None], 3, axis=2)
    return a[..., :3]


def digit_images(per_class: int | None, rng: np.random.Generator, size: int = 64):
    """Digits as dark ink on white paper with a margin, (images, labels, class names)."""
    from sklearn.datasets import load_digits

    d = load_digits()
    idx = np.arange(len(d.target))
    if per_class is not None:
        idx = np.concatenate(
            [rng.permutation(np.flatnonzero(d.target == c))[:per_class] for c in range(10)]
        )
    inner = size * 3 // 4
    images = []
    for im in d.images[idx]:
        a = Image.fromarray((im * 255 / 16).astype(np.uint8)).resize((inner, inner), Image.BICUBIC)
        a = ndimage.gaussian_filter(np.asarray(a, np.float64), inner / 32)
        a = np.pad(a, (size - inner) // 2)
        images.append(_rgb(np.clip(255 - a * 255 / max(a.max(), 1), 0, 255).astype(np.uint8)))
    return images, d.target[idx].astype(int), [str(c) for c in range(10)]


def photo_crops(per_class: int, n_photos: int, rng: np.random.Generator, size: int = 96):
    """Random square crops (30-60% of the shorter side) of scikit-image photos."""
    from skimage import data

    names = PHOTOS[:n_photos]
    images, labels = [], []
    for c, name in enumerate(names):
        photo = getattr(data, name)()
        photo = _rgb(photo[0] if isinstance(photo, tuple) else photo)
        h, w = photo.shape[:2]
        for _ in range(per_class):
            s = int(rng.uniform(0.3, 0.6) * min(h, w))
            y, x = rng.integers(0, h - s + 1), rng.integers(0, w - s + 1)
            crop = Image.fromarray(photo[y : y + s, x : x + s]).resize((size, size), Image.BILINEAR)
            images.append(np.asarray(crop))
            labels.append(c)
    return images, np.array(labels), list(names)


def face_images(size: int = 64):
    from skimage import data

    x = data.lfw_subset()
    images = [
        _rgb(np.asarray(Image.fromarray((i * 255).astype(np.uint8)).resize((size, size))))
        for i in x
    ]
    return images, np.r_[np.zeros(100, int), np.ones(100, int)], ["face", "non-face"]


def stylize(image: np.ndarray, style: dict | None, rng: np.random.Generator, thicken: bool):
    """The synthetic side's global style shift (None = unchanged)."""
    if style is None:
        return image
    a = image.astype(np.float32)
    if thicken:  # dark ink spreads
        a = ndimage.grey_erosion(a, size=(style["thicken"], style["thicken"], 1))
    a = ndimage.gaussian_filter(a, sigma=(style["blur"], style["blur"], 0))
    a = (a - 128) * style["contrast"] + 128
    t = style["tint"]
    a = a * np.array([1 + t, 1.0, 1 - t], np.float32) + 255 * t * 0.3
    a = a + rng.normal(0, style["noise"] * 255, a.shape)
    buf = io.BytesIO()
    Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=style["jpeg"])
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def junk_images(n: int, size: int, base: list[np.ndarray], rng: np.random.Generator):
    """Broken synthetic output: pure noise, blank, magenta/black stripes (missing texture),
    and glitched renders (rows shifted, a dead block) of real images."""
    out = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            a = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
        elif kind == 1:
            a = np.full((size, size, 3), rng.integers(0, 256, 3), np.uint8)
        elif kind == 2:
            a = np.zeros((size, size, 3), np.uint8)
            a[..., 0] = a[..., 2] = 255
            a[(np.arange(size) // 8 % 2 == 0)] = 0
        else:
            a = base[rng.integers(len(base))].copy()
            for r in range(0, size, 4):
                a[r : r + 4] = np.roll(a[r : r + 4], rng.integers(-size // 2, size // 2), axis=1)
            y = rng.integers(0, size // 2)
            a[y : y + size // 2] = (255, 0, 255)
        out.append(a)
    return out


# ---------------------------------------------------------------------------------------------
# Embeddings (cached)


@dataclass
class Dataset:
    name: str
    labels: np.ndarray  # content class of each base image
    classes: list[str]
    real: np.ndarray  # (n, d) embeddings of the unchanged images
    styled: dict[str, np.ndarray]  # strength -> (n, d) embeddings of the styled images
    junk: dict[str, np.ndarray]  # strength -> (n_junk, d)
    model: str = DEFAULT_MODEL  # that made the embeddings
    layout_share: float | None = None  # of the images, where "auto" chose the model


def build_dataset(name: str, mode: str, seed: int, embed: Embedder) -> Dataset:
    """Dataset ``name`` at size ``mode`` and ``seed``, embedded by ``embed`` (under "auto", by
    the model the product takes for its unchanged images)."""
    size = SIZES[mode]
    rng = np.random.default_rng(seed)
    if name == "digits":
        images, labels, classes = digit_images(size["digits"], rng)
    elif name == "crops":
        images, labels, classes = photo_crops(size["crops"], size["n_photos"], rng)
    else:
        images, labels, classes = face_images()
    embed, share = embed.for_images(images)
    made_by = dict(model=embed.model, layout_share=share)
    tag = f"{VERSION}-{name}-{mode}-{seed}-{embed.precision}"
    if embed.model != DEFAULT_MODEL:
        tag += f"-{embed.model}"
    key = hashlib.sha1(tag.encode()).hexdigest()[:10]
    path = CACHE / f"{name}-{mode}-{key}.npz"
    if path.exists():
        z = np.load(path)
        return Dataset(
            name,
            labels,
            classes,
            z["real"],
            {s: z[f"styled_{s}"] for s in STYLES if s != "none"},
            {s: z[f"junk_{s}"] for s in STYLES},
            **made_by,
        )
    junk = junk_images(size["junk"], images[0].shape[0], images, rng)
    batches = {"real": images}
    for s, style in STYLES.items():
        if style is not None:
            batches[f"styled_{s}"] = [stylize(i, style, rng, name == "digits") for i in images]
        batches[f"junk_{s}"] = [stylize(i, style, rng, False) for i in junk]
    arrays = {k: embed(v, f"{name} {k}") for k, v in batches.items()}
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)
    return Dataset(
        name,
        labels,
        classes,
        arrays["real"],
        {s: arrays[f"styled_{s}"] for s in STYLES if s != "none"},
        {s: arrays[f"junk_{s}"] for s in STYLES},
        **made_by,
    )


class Embedder:
    """images (uint8 HxWx3 arrays) -> (n, d) embeddings by ``model``, written to files and read
    back as the product reads them, on the CPU at ``precision`` (the resolved one of
    ``load_model``'s values). The network is loaded on first use (not at all when everything is
    cached). ``model`` "auto" (defaults.AUTO_MODEL) stands for the product's default choice:
    :meth:`for_images` gives the embedder of the model it takes for a dataset's real images."""

    def __init__(self, precision: str = "auto", model: str = DEFAULT_MODEL):
        from fiftyone_plugin.embeddings.registry import resolve_precision

        self.precision = resolve_precision(precision, "cpu")
        self.model = model
        self._network = None
        self._chosen: dict[str, Embedder] = {}

    def for_images(self, images: list[np.ndarray]) -> tuple[Embedder, float | None]:
        """(embedder, layout share): this embedder, or under "auto" the one of the model the
        product takes for real images ``images`` with their layout share (embeddings/layout.py,
        on a random sample of at most MAX_IMAGES of them; None when not measured)."""
        if self.model != AUTO_MODEL:
            return self, None
        from fiftyone_plugin.embeddings.layout import (
            MAX_IMAGES,
            layout_share,
            model_for,
            thumbnail,
        )

        chosen = np.random.default_rng(0).permutation(len(images))[:MAX_IMAGES]
        share = layout_share(np.stack([thumbnail(Image.fromarray(images[i])) for i in chosen]))
        model = model_for(share)
        return self._chosen.setdefault(model, Embedder(self.precision, model)), share

    def __call__(self, images: list[np.ndarray], what: str) -> np.ndarray:
        from fiftyone_plugin.embeddings import embed_images, load_model

        if self.model == AUTO_MODEL:
            raise ValueError("'auto' embeds nothing itself: embed with for_images(images)")
        self._network = self._network or load_model(self.model, "cpu", precision=self.precision)
        t = time.time()
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for i, a in enumerate(images):
                p = Path(tmp) / f"{i:05d}.png"
                Image.fromarray(a).save(p)
                paths.append(p)
            result = embed_images(paths, self._network, batch_size=64, num_workers=2)
        bad = [e for e in result.errors if e]
        if bad:
            raise RuntimeError(f"{len(bad)} images failed to embed, e.g. {bad[0]}")
        print(
            f"  embedded {what}: {len(images)} images in {time.time() - t:.0f} s", file=sys.stderr
        )
        return result.vectors


# ---------------------------------------------------------------------------------------------
# Scenarios and scores


@dataclass
class Scenario:
    dataset: str
    shift: str  # none / mild / strong
    kind: str  # gap / control / junk
    real: np.ndarray
    synthetic: np.ndarray
    missing: np.ndarray  # (n_real,) bool: real samples whose content is withheld
    junk: np.ndarray  # (n_synthetic,) bool
    labels_real: np.ndarray
    labels_synthetic: np.ndarray
    recognizable: float  # see recognition()
    #: (n_real,) bool: real samples of a class whose synthetic images (all of them, before any
    #: is withheld) are mostly not recognised as it after the style shift (see recognition())
    unrecognizable: np.ndarray


def split(ds: Dataset, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Disjoint real / synthetic halves, stratified by content class."""
    rng = np.random.default_rng(seed + 1)
    real, synth = [], []
    for c in np.unique(ds.labels):
        idx = rng.permutation(np.flatnonzero(ds.labels == c))
        real.append(idx[: len(idx) // 2])
        synth.append(idx[len(idx) // 2 :])
    return np.concatenate(real), np.concatenate(synth)


def scenarios(ds: Dataset, seed: int) -> list[Scenario]:
    ir, js = split(ds, seed)
    withheld = [ds.classes.index(c) for c in WITHHELD[ds.name] if c in ds.classes]
    missing = np.isin(ds.labels[ir], withheld)
    out = []
    for shift in STYLES:
        x = ds.real if shift == "none" else ds.styled[shift]
        kept, lost = recognition(ds.real[ir], x[js], ds.labels[ir], ds.labels[js])
        for kind in ("gap", "control", "junk"):
            if kind == "control" and shift == "none":
                continue  # identical style and content: nothing to test
            if kind == "junk" and shift != "mild":
                continue
            keep = js if kind != "gap" else js[~np.isin(ds.labels[js], withheld)]
            synth = x[keep]
            junk = np.zeros(len(keep), bool)
            labels_s = ds.labels[keep].astype(object)
            if kind == "junk":
                synth = np.vstack([synth, ds.junk[shift]])
                junk = np.r_[junk, np.ones(len(ds.junk[shift]), bool)]
                labels_s = np.r_[labels_s, np.full(len(ds.junk[shift]), "junk", object)]
            out.append(
                Scenario(
                    ds.name,
                    shift,
                    kind,
                    ds.real[ir],
                    synth,
                    missing if kind == "gap" else np.zeros(len(ir), bool),
                    junk,
                    ds.labels[ir].astype(object),
                    labels_s,
                    kept,
                    np.isin(ds.labels[ir], lost),
                )
            )
    return out


def auroc(score: np.ndarray, positive: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    if positive.all() or not positive.any():
        return float("nan")
    return float(roc_auc_score(positive, score))


def precision_recall(flagged: np.ndarray, positive: np.ndarray) -> tuple[float, float]:
    tp = int((flagged & positive).sum())
    precision = tp / flagged.sum() if flagged.any() else float("nan")
    return precision, tp / max(positive.sum(), 1)


def recall_at_fpr(score: np.ndarray, positive: np.ndarray, fpr: float = SCORE_FPR) -> float:
    """Share of positives scored above the ``1 - fpr`` quantile of the negatives' scores: what a
    threshold on the score alone would catch at that false-positive rate."""
    if positive.all() or not positive.any():
        return float("nan")
    return float(np.mean(score[positive] > np.quantile(score[~positive], 1.0 - fpr)))


def baseline(real: np.ndarray, synthetic: np.ndarray, k: int = 5):
    """prdc-style: (gap score, uncovered, realism) on the raw embeddings."""
    radius = knn(real, None, k)[0][:, -1]
    d_rs = knn(real, synthetic, 1)[0][:, 0]
    d_sr, i_sr = knn(synthetic, real, 1)
    return d_rs / radius, d_rs > radius, -d_sr[:, 0] / radius[i_sr[:, 0]]


def recognition(
    real: np.ndarray, synthetic: np.ndarray, labels_real, labels_synthetic
) -> tuple[float, list]:
    """(share, lost): the share of synthetic images that a classifier trained on the real images'
    content labels still recognises after centring each side (all content present on both sides):
    how much content survives the style shift in the embedding space, the ceiling any
    unsupervised alignment works under; and the classes whose synthetic images it mostly (over
    half) does not recognise."""
    from sklearn.linear_model import LogisticRegression

    from fiftyone_plugin.core.projection import FeatureReducer

    red = FeatureReducer(64).fit(real, synthetic)
    r, s = red.transform(real), red.transform(synthetic)
    clf = LogisticRegression(max_iter=2000).fit(r - r.mean(0), labels_real)
    seen = clf.predict(s - s.mean(0)) == np.asarray(labels_synthetic)
    classes = np.unique(labels_synthetic)
    return float(seen.mean()), [c for c in classes if seen[labels_synthetic == c].mean() < 0.5]


def evaluate(sc: Scenario, config: AnalysisConfig, model: str = DEFAULT_MODEL) -> dict:
    """One scenario's row, analysed as the product analyses embeddings of ``model`` (its realism
    columns and blocks from the registry)."""
    t = time.time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = analyze_embeddings(
            sc.real,
            sc.synthetic,
            config,
            labels_real=sc.labels_real,
            labels_synthetic=sc.labels_synthetic,
            head_dims=head_dims(model),
            blocks=feature_blocks(model),
        )
    seconds = time.time() - t
    b_gap, b_unc, b_real = baseline(sc.real, sc.synthetic)
    row = dict(
        dataset=sc.dataset,
        shift=sc.shift,
        kind=sc.kind,
        n_real=len(sc.real),
        n_synthetic=len(sc.synthetic),
        n_missing=int(sc.missing.sum()),
        recognizable=sc.recognizable,
        c2st=res.metrics["c2st_auc"],
        mixing_aligned=res.metrics["mixing_auc_aligned"],
        model=model,
        diagnosis=res.diagnosis["kind"],
        flagged=float(res.uncovered.mean()),
        flagged_either=float((res.uncovered | res.underrepresented).mean()),
        expected_fp=res.expected_false_positive.get("uncovered", float("nan")),
        expected_fp_either=sum(res.expected_false_positive.values()),
        base_flagged=float(b_unc.mean()),
        flagged_recognizable=float(
            (res.uncovered | res.underrepresented)[~sc.unrecognizable].mean()
        )
        if (~sc.unrecognizable).any()
        else float("nan"),
        flagged_by_class={
            str(c): float(res.uncovered[sc.labels_real == c].mean())
            for c in np.unique(sc.labels_real)
        },
        seconds=seconds,
    )
    if sc.kind == "gap":
        row["auroc"] = auroc(res.gap_score, sc.missing)
        row["base_auroc"] = auroc(b_gap, sc.missing)
        row["precision"], row["recall"] = precision_recall(res.uncovered, sc.missing)
        row["precision_recognizable"] = precision_recall(
            res.uncovered & ~sc.unrecognizable, sc.missing
        )[0]
        row["precision_either"], row["recall_either"] = precision_recall(
            res.uncovered | res.underrepresented, sc.missing
        )
        row["recall_at_fpr"] = recall_at_fpr(res.gap_score, sc.missing)
        row["base_precision"], row["base_recall"] = precision_recall(b_unc, sc.missing)
    if sc.kind == "junk":
        row["junk_auroc"] = auroc(-res.realism, sc.junk)
        row["base_junk_auroc"] = auroc(-b_real, sc.junk)
    return row


# ---------------------------------------------------------------------------------------------
# Report


def _f(x, digits: int = 2) -> str:
    return "–" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.{digits}f}"


def _pct(x) -> str:
    return "–" if x is None or np.isnan(x) else f"{100 * x:.0f}%"


def _scenario(r: dict) -> str:
    return {"gap": "missing " + "+".join(WITHHELD[r["dataset"]]), "control": "no gap",
            "junk": "no gap + junk"}[r["kind"]]  # fmt: skip


def markdown(rows: list[dict]) -> str:
    lines = [
        "| data | shift | scenario | real / synth | recognizable | C2ST; mixing after alignment | "
        "gap AUROC (baseline) | uncovered precision (baseline) | uncovered recall (baseline) | "
        "+ underrepresented: precision / recall | score's recall at 5% FP | "
        "flagged uncovered / either (baseline) | where recognizable: uncovered precision, "
        "flagged either | junk AUROC (baseline) | diagnosis |",
        "|" + "---|" * 15,
    ]
    for r in rows:
        lines.append(
            f"| {r['dataset']} | {r['shift']} | {_scenario(r)} | {r['n_real']} / "
            f"{r['n_synthetic']} | {_pct(r['recognizable'])} | {_f(r['c2st'])}; "
            f"{_f(r['mixing_aligned'])} | {_f(r.get('auroc'))} ({_f(r.get('base_auroc'))}) | "
            f"{_f(r.get('precision'))} ({_f(r.get('base_precision'))}) | "
            f"{_f(r.get('recall'))} ({_f(r.get('base_recall'))}) | "
            f"{_f(r.get('precision_either'))} / {_f(r.get('recall_either'))} | "
            f"{_f(r.get('recall_at_fpr'))} | "
            f"{_pct(r['flagged'])} / {_pct(r['flagged_either'])} ({_pct(r['base_flagged'])}) | "
            f"{_f(r.get('precision_recognizable'))}, {_pct(r['flagged_recognizable'])} | "
            f"{_f(r.get('junk_auroc'))} ({_f(r.get('base_junk_auroc'))}) | {r['diagnosis']} |"
        )
    return "\n".join(lines)


#: Figures of the spread table (several seeds): row key -> column title.
SPREAD = {
    "auroc": "gap AUROC", "precision": "uncovered precision", "recall": "uncovered recall",
    "precision_either": "+ underrep. precision", "recall_either": "+ underrep. recall",
    "recall_at_fpr": "score's recall at 5% FP", "flagged": "flagged uncovered",
    "flagged_either": "flagged either",
    "precision_recognizable": "uncovered precision where recognizable",
    "flagged_recognizable": "flagged either where recognizable", "junk_auroc": "junk AUROC",
}  # fmt: skip


def spread(rows: list[dict]) -> str:
    """Per scenario over the seeds run: mean [min, max] of each figure."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["dataset"], r["shift"], r["kind"]), []).append(r)
    lines = [
        "| data | shift | scenario | seeds | " + " | ".join(SPREAD.values()) + " |",
        "|" + "---|" * (4 + len(SPREAD)),
    ]
    for (dataset, shift, _), rs in groups.items():
        cells = []
        for key in SPREAD:
            v = np.array([r[key] for r in rs if key in r and not np.isnan(r[key])])
            cells.append("–" if not len(v) else f"{_f(v.mean())} [{_f(v.min())}, {_f(v.max())}]")
        lines.append(
            f"| {dataset} | {shift} | {_scenario(rs[0])} | {len(rs)} | " + " | ".join(cells) + " |"
        )
    return "\n".join(lines)


def summary(rows: list[dict]) -> dict:
    gap = [r for r in rows if r["kind"] == "gap"]
    control = [r for r in rows if r["kind"] == "control"]
    junk = [r for r in rows if r["kind"] == "junk"]
    ranked = [r for r in gap if r.get("auroc", 0.0) >= RANKED_AUROC]

    def worst(rs, key, fn=min):
        """None (JSON null) where no row has the figure, e.g. precision when nothing was called."""
        vals = [r[key] for r in rs if key in r and not np.isnan(r[key])]
        return fn(vals) if vals else None

    def mean(rs, key):
        return float(np.nanmean([r[key] for r in rs])) if rs else None

    def fails(rs, key, ok):
        return [
            f"{r['dataset']}/{r['shift']}" + (f"/{r['seed']}" if "seed" in r else "")
            for r in rs
            if not ok(r.get(key, float("nan")))
        ]

    return {
        "min_gap_auroc": worst(gap, "auroc"),
        "min_base_gap_auroc": worst(gap, "base_auroc"),
        "mean_gap_auroc": mean(gap, "auroc"),
        "mean_base_gap_auroc": mean(gap, "base_auroc"),
        "min_uncovered_precision": worst(gap, "precision"),
        "mean_uncovered_recall": mean(gap, "recall"),
        "min_either_precision": worst(gap, "precision_either"),
        "mean_either_recall": mean(gap, "recall_either"),
        "mean_recall_at_5fp": mean(gap, "recall_at_fpr"),
        "mean_either_recall_ranked": mean(ranked, "recall_either"),
        "mean_recall_at_5fp_ranked": mean(ranked, "recall_at_fpr"),
        "max_control_flagged": worst(control, "flagged", max),
        "max_control_flagged_either": worst(control, "flagged_either", max),
        "max_base_control_flagged": worst(control, "base_flagged", max),
        "min_uncovered_precision_recognizable": worst(gap, "precision_recognizable"),
        "max_control_flagged_recognizable": worst(control, "flagged_recognizable", max),
        "min_junk_auroc": worst(junk, "junk_auroc"),
        "min_base_junk_auroc": worst(junk, "base_junk_auroc"),
        "below_target": {
            "gap_auroc": fails(gap, "auroc", lambda v: v >= TARGETS["gap_auroc"]),
            "uncovered_precision": fails(
                gap, "precision", lambda v: v >= TARGETS["uncovered_precision"]
            ),
            "recall": fails(ranked, "recall_either", lambda v: v >= RECALL_TARGET),
            "control_flagged": fails(
                control, "flagged_either", lambda v: v <= TARGETS["control_flagged"]
            ),
            "junk_auroc": fails(junk, "junk_auroc", lambda v: v >= TARGETS["junk_auroc"]),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smaller sets (a few minutes)")
    size.add_argument("--tiny", action="store_true", help="smoke-test size (CI)")
    parser.add_argument(
        "--seed", default="0", help="seed, or comma-separated seeds (adds a spread table)"
    )
    parser.add_argument(
        "--datasets", default="digits,crops,faces", help="comma-separated subset to run"
    )
    parser.add_argument(
        "--precision", default="auto", choices=PRECISIONS, help="of the embedding network"
    )
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        choices=[AUTO_MODEL, *available_models()],
        help=f"embedding model ({AUTO_MODEL}: the product's default choice, per dataset)",
    )
    args = parser.parse_args(argv)
    mode = "tiny" if args.tiny else "quick" if args.quick else "full"
    seeds = [int(v) for v in args.seed.split(",")]

    t0 = time.time()
    embed = Embedder(args.precision, args.model)
    rows, chosen = [], {}
    for seed in seeds:
        config = AnalysisConfig(seed=seed, project=False, kid_subsets=SIZES[mode]["kid_subsets"])
        for name in args.datasets.split(","):
            ds = build_dataset(name, mode, seed, embed)
            if args.model == AUTO_MODEL:
                chosen[name] = f"{name} {ds.model} (layout share {ds.layout_share:.2f})"
                print(f"  {chosen[name]}", file=sys.stderr)
            for sc in scenarios(ds, seed):
                rows.append(evaluate(sc, config, ds.model))
                r = rows[-1]
                if len(seeds) > 1:
                    r["seed"] = seed
                print(
                    f"  {seed} {r['dataset']:6s} {r['shift']:6s} {r['kind']:7s} "
                    f"auroc {_f(r.get('auroc'))} ({_f(r.get('base_auroc'))}) "
                    f"prec {_f(r.get('precision'))} rec {_f(r.get('recall'))} "
                    f"+under {_f(r.get('precision_either'))}/{_f(r.get('recall_either'))} "
                    f"rec@5%FP {_f(r.get('recall_at_fpr'))} flagged {_pct(r['flagged'])}/"
                    f"{_pct(r['flagged_either'])} where recognizable "
                    f"{_f(r.get('precision_recognizable'))}/{_pct(r['flagged_recognizable'])} "
                    f"junk {_f(r.get('junk_auroc'))} "
                    f"{r['diagnosis']} [{r['seconds']:.1f} s]",
                    file=sys.stderr,
                    flush=True,
                )
    print(
        f"\n### Gap detection quality ({mode}, seed {args.seed}, {args.model}, {embed.precision})\n"
    )
    if chosen:
        print(f"{AUTO_MODEL} took (seed {seeds[-1]}): " + "; ".join(chosen.values()) + "\n")
    print(markdown(rows))
    if len(seeds) > 1:
        print(f"\n### Spread over seeds {args.seed} ({mode})\n")
        print(spread(rows))
    result = summary(rows)
    result.update(
        mode=mode,
        seed=seeds[0] if len(seeds) == 1 else seeds,
        precision=embed.precision,
        model=args.model,
        seconds=round(time.time() - t0, 1),
    )
    print()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
