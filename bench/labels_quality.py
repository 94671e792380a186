"""What do labels find that the label-blind analysis cannot, and does the probe predict training?

Known-answer scenarios built from REAL images that ship with scikit-learn / scikit-image:

* digits: scikit-learn's 1,797 handwritten digits (10 classes); their variety "mode" is rotation
  (a digit turned 60-120 degrees either way).
* crops: crops of 12 scikit-image photos (class = photo); the mode is a close-up (a crop of
  10-20% of the photo's side instead of 30-60%).
* scenes: a detection set (fiftyone_plugin.demo_objects): objects cut from 6 photos pasted on
  textures, 1-3 per image.

Each dataset is split in disjoint real / synthetic halves; 40% of the images of every class are
in the mode on both sides, and the synthetic side gets the "mild" style shift of
bench/gap_quality.py. Scenarios, each with one target class A:

* control: nothing changed (nothing should be found);
* withheld: A has no synthetic image;
* rarer: A keeps a fifth of its synthetic images (nothing is missing within A);
* lacks mode: A's synthetic images are never in the mode (found only within the class);
* smaller (scenes): A's synthetic objects have half the side (a quarter of the area);
* graded mode: class k of K (in the order listed) lacks a share k / (K - 1) of its synthetic mode
  images (class 0 lacks none, the last class all);
* graded style: class k's synthetic images get the style shift at 1 + k / (K - 1) times the mild
  strength (a shared style, plus more of it the further down the list).

The rank correlation needs classes whose transfer differs: in the first scenarios every class
but A is the same on both sides, so their order is mostly noise, while the graded scenarios
build a known order of difficulty (the same for every method compared, so it favours none).

For each, side by side in one run on the same embeddings: the label statistics (does a finding
name A, how many findings name other classes), the per-class analysis (A's status, AUROC of the
within-class gap score for the real images that lack synthetic counterparts, over every real
image and within A only, precision / recall
of class_uncovered, share of real images flagged) and the label-blind analysis (the same figures
from today's gap_score / uncovered), the probe (A's transfer, trained on synthetic, vs its
accuracy trained on real), and, for the classification scenarios, the rank correlation
(Spearman) across classes between the probe's per-class transfer (its probe on the raw
embeddings after CORAL, which the product ranks classes by) and the per-class
accuracy of EfficientNet-Lite0 fine-tuned on the synthetic images and tested on the real ones
(bench/finetune.py), next to the same for its probes on the raw embeddings as they are and on
the aligned features; then the same against
the mean of every fine-tune seed cached for the scenario (bench/probe_reference.py caches the
fine-tunes: a rerun reuses them; bench/probe_variants.py compares more probe variants).

    .venv/bin/python bench/labels_quality.py           # full: fine-tunes four scenarios per set
    .venv/bin/python bench/labels_quality.py --quick   # smaller sets, fine-tunes the graded rows
    .venv/bin/python bench/labels_quality.py --tiny    # smoke test, no fine-tuning
    .venv/bin/python bench/labels_quality.py --quick --datasets crops --no-finetune \
        --model efficientnet_lite0_content              # another model's embeddings

Prints a markdown table, then one JSON line with the key figures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import object_scenarios as OS  # noqa: E402
from gap_quality import (  # noqa: E402
    PHOTOS,
    STYLES,
    Embedder,
    _rgb,
    auroc,
    digit_images,
    precision_recall,
    stylize,
)
from probe_reference import per_class_accuracy, reference, reference_path  # noqa: E402
from probe_variants import load as load_references  # noqa: E402

from fiftyone_plugin.core import AnalysisConfig, analyze_embeddings  # noqa: E402
from fiftyone_plugin.core.labels import LabelSet, ObjectTable  # noqa: E402
from fiftyone_plugin.defaults import PRECISIONS  # noqa: E402
from fiftyone_plugin.embeddings.registry import (  # noqa: E402
    DEFAULT_MODEL,
    feature_blocks,
    head_dims,
)
from fiftyone_plugin.serialization import to_jsonable  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
#: Bump when the images change, so stale embeddings are not reused.
VERSION = 2
MODE_SHARE = 0.4
STYLE = STYLES["mild"]
TARGET = {"digits": "3", "crops": "coffee", "scenes": "cup"}
SIZES = {  # per mode: digits per class (None = all), crops per photo, photos, scenes per side,
    # the scenarios fine-tuned, KID subsets
    "full": dict(digits=None, crops=80, n_photos=12, scenes=300, kid=20,
                 finetune=("withheld", "lacks mode", "graded mode", "graded style")),
    "quick": dict(digits=None, crops=60, n_photos=10, scenes=160, kid=10,
                  finetune=("graded mode", "graded style")),
    "tiny": dict(digits=24, crops=24, n_photos=6, scenes=60, kid=5, finetune=()),
}  # fmt: skip
KINDS = ("control", "withheld", "rarer", "lacks mode", "graded mode", "graded style")
TARGETS = dict(class_auroc=0.9, class_precision=0.9, spearman=0.8, n_spearman=2)


# ---------------------------------------------------------------------------------------------
# Images: every base image in its plain and its mode variant, unstyled and styled


@dataclass
class Data:
    name: str
    classes: list[str]
    labels: np.ndarray  # (n,) class index of each base image
    images: dict[str, list[np.ndarray]]  # variant -> images (plain, mode, styled, styled_mode)
    emb: dict[str, np.ndarray]  # variant -> (n, d)


def _rotate(a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    angle = float(rng.uniform(60, 120)) * (1 if rng.random() < 0.5 else -1)
    return np.asarray(Image.fromarray(a).rotate(angle, fillcolor=(255, 255, 255)))


def _crop(photo: np.ndarray, lo: float, hi: float, rng: np.random.Generator, size: int = 96):
    h, w = photo.shape[:2]
    s = int(rng.uniform(lo, hi) * min(h, w))
    y, x = rng.integers(0, h - s + 1), rng.integers(0, w - s + 1)
    return np.asarray(Image.fromarray(photo[y : y + s, x : x + s]).resize((size, size)))


def digits_variants(per_class, rng):
    images, labels, classes = digit_images(per_class, rng)
    return classes, labels, {"plain": images, "mode": [_rotate(a, rng) for a in images]}


def crops_variants(per_class: int, n_photos: int, rng):
    from skimage import data

    names = [p for p in PHOTOS if p != "stereo_motorcycle"][:n_photos]
    if TARGET["crops"] not in names:
        names[-1] = TARGET["crops"]
    plain, mode, labels = [], [], []
    for c, name in enumerate(names):
        photo = getattr(data, name)()
        photo = _rgb(photo[0] if isinstance(photo, tuple) else photo)
        for _ in range(per_class):
            plain.append(_crop(photo, 0.3, 0.6, rng))
            mode.append(_crop(photo, 0.1, 0.2, rng))
            labels.append(c)
    return list(names), np.array(labels), {"plain": plain, "mode": mode}


def build(name: str, mode: str, seed: int, embed) -> Data:
    size = SIZES[mode]
    rng = np.random.default_rng(seed)
    if name == "digits":
        classes, labels, variants = digits_variants(size["digits"], rng)
    else:
        classes, labels, variants = crops_variants(size["crops"], size["n_photos"], rng)
    digits = name == "digits"
    variants["styled"] = [stylize(a, STYLE, rng, digits) for a in variants["plain"]]
    variants["styled_mode"] = [stylize(a, STYLE, rng, digits) for a in variants["mode"]]
    strength = 1 + labels / max(len(classes) - 1, 1)
    for src in ("plain", "mode"):
        variants[f"graded_{src}"] = [
            stylize(a, graded_style(s), rng, digits)
            for a, s in zip(variants[src], strength, strict=True)
        ]
    emb = _embed_cached(f"{name}-{mode}-{seed}", variants, embed)
    return Data(name, classes, labels, variants, emb)


def graded_style(strength: float) -> dict:
    """The mild style shift at ``strength`` times its size (1 = mild)."""
    return dict(
        noise=STYLE["noise"] * strength, tint=STYLE["tint"] * strength,
        blur=STYLE["blur"] * strength, contrast=1 - (1 - STYLE["contrast"]) * strength,
        jpeg=int(max(20, 100 - (100 - STYLE["jpeg"]) * strength)),
        thicken=int(round(1 + (STYLE["thicken"] - 1) * strength)),
    )  # fmt: skip


def _embed_cached(tag: str, variants: dict[str, list], embed) -> dict[str, np.ndarray]:
    model = "" if embed.model == DEFAULT_MODEL else f"-{embed.model}"
    key = hashlib.sha1(f"{VERSION}-{tag}-{embed.precision}{model}".encode()).hexdigest()[:10]
    path = CACHE / f"labels-{tag}-{key}.npz"
    if path.exists():
        z = np.load(path)
        return {k: z[k] for k in variants}
    emb = {k: embed(v, f"{tag} {k}") for k, v in variants.items()}
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, **emb)
    return emb


# ---------------------------------------------------------------------------------------------
# Classification scenarios


@dataclass
class Scenario:
    data: str
    kind: str  # control / withheld / rarer / lacks mode / smaller
    target: str
    real: np.ndarray
    synthetic: np.ndarray
    labels_real: LabelSet
    labels_synthetic: LabelSet
    positives: np.ndarray | None  # (n_real,) real images lacking synthetic counterparts
    real_images: list | None = None  # for fine-tuning
    synthetic_images: list | None = None


def classification_scenarios(d: Data, seed: int) -> list[Scenario]:
    rng = np.random.default_rng(seed + 1)
    ir, js = [], []
    for c in range(len(d.classes)):
        idx = rng.permutation(np.flatnonzero(d.labels == c))
        ir += list(idx[: len(idx) // 2])
        js += list(idx[len(idx) // 2 :])
    ir, js = np.array(ir), np.array(js)
    mode_r, mode_s = rng.random(len(ir)) < MODE_SHARE, rng.random(len(js)) < MODE_SHARE
    a = d.classes.index(TARGET[d.name])
    is_a_r, is_a_s = d.labels[ir] == a, d.labels[js] == a
    real = np.where(mode_r[:, None], d.emb["mode"][ir], d.emb["plain"][ir])
    real_images = [d.images["mode" if m else "plain"][i] for i, m in zip(ir, mode_r, strict=True)]
    names = np.array(d.classes, dtype=object)
    out = []
    share = d.labels[js] / max(len(d.classes) - 1, 1)  # graded: class k's share k / (K - 1)
    for kind in KINDS:
        keep = np.ones(len(js), bool)
        m_s = mode_s.copy()
        positives = np.zeros(len(ir), bool)
        plain, mode = "styled", "styled_mode"
        if kind == "withheld":
            keep &= ~is_a_s
            positives = is_a_r
        elif kind == "rarer":
            keep &= ~is_a_s | (np.cumsum(is_a_s) % 5 == 1)
        elif kind == "lacks mode":
            m_s[is_a_s] = False
            positives = is_a_r & mode_r
        elif kind == "graded mode":
            m_s &= rng.random(len(js)) >= share
        elif kind == "graded style":
            plain, mode = "graded_plain", "graded_mode"
        synthetic = np.where(m_s[:, None], d.emb[mode][js], d.emb[plain][js])[keep]
        synthetic_images = [
            d.images[mode if m else plain][j] for j, m, k in zip(js, m_s, keep, strict=True) if k
        ]
        out.append(
            Scenario(
                d.name,
                kind,
                TARGET[d.name],
                real,
                synthetic,
                LabelSet(names[d.labels[ir]]),
                LabelSet(names[d.labels[js][keep]]),
                positives if positives.any() else None,
                real_images,
                synthetic_images,
            )  # fmt: skip
        )
    return out


# ---------------------------------------------------------------------------------------------
# Detection scenarios


def scene_scenarios(mode: str, seed: int, embed) -> list[Scenario]:
    from fiftyone_plugin.demo_objects import OBJECTS, SceneMaker

    n = SIZES[mode]["scenes"]
    classes = list(OBJECTS)
    maker = SceneMaker()
    drawn: dict[str, list] = {"real": [], "synthetic": [], "smaller": []}
    boxes: dict[str, list] = {k: [] for k in drawn}
    for side, scale, offset in (("real", None, 0), ("synthetic", None, 1), ("smaller", 0.5, 1)):
        rng = np.random.default_rng(seed * 1000 + offset)  # smaller: the synthetic scenes again
        style_rng = np.random.default_rng(seed * 1000 + 7)
        for _ in range(n):
            im, bs = maker.scene(rng, classes, scale={TARGET["scenes"]: scale} if scale else None)
            a = np.asarray(im)
            drawn[side].append(a if side == "real" else stylize(a, STYLE, style_rng, False))
            boxes[side].append(bs)
    emb = _embed_cached(f"scenes-{mode}-{seed}", drawn, embed)

    def labels(side: str) -> LabelSet:
        rows = [(i, c, (x, y, w, h)) for i, bs in enumerate(boxes[side]) for c, x, y, w, h in bs]
        image, label, box = zip(*rows, strict=True)
        return LabelSet.from_objects(ObjectTable(image, label, box, len(boxes[side])))

    real = labels("real")
    contains_a = np.array([any(c == TARGET["scenes"] for c, *_ in bs) for bs in boxes["real"]])
    return [
        Scenario("scenes", "control", TARGET["scenes"], emb["real"], emb["synthetic"], real,
                 labels("synthetic"), None),
        Scenario("scenes", "smaller", TARGET["scenes"], emb["real"], emb["smaller"], real,
                 labels("smaller"), contains_a),
    ]  # fmt: skip


def object_row(kind: str, mode: str, seed: int, embed, config: AnalysisConfig) -> dict:
    """One detection scenario of bench/object_scenarios.py: A lacks the mode ``kind``."""
    drawn = OS.scenario(
        kind, TARGET["scenes"], SIZES[mode]["scenes"], MODE_SHARE, seed, _embed_cached, embed,
        lambda a, rng: stylize(a, STYLE, rng, False),
    )  # fmt: skip
    r = OS.evaluate(kind, TARGET["scenes"], drawn, config, auroc, precision_recall)
    print(f"  scenes  {r['kind']:10s} objects: status {r['status']} auroc {_f(r['auroc'])} "
          f"({_f(r['base_auroc'])}) prec {_f(r['precision'])}; images: auroc "
          f"{_f(r['image_auroc'])} ({_f(r['image_base_auroc'])}) [{r['seconds_analysis']:.0f} s]",
          file=sys.stderr, flush=True)  # fmt: skip
    return r


# ---------------------------------------------------------------------------------------------
# Scores


#: The label-statistics finding that names the target in each scenario.
EXPECTED_FINDING = {"withheld": "missing", "rarer": "rarer", "smaller": "class box size"}


def evaluate(
    sc: Scenario, config: AnalysisConfig, finetune: bool, mode: str, seed: int,
    model: str = DEFAULT_MODEL,
) -> dict:  # fmt: skip
    """One scenario's row, analysed as the product analyses embeddings of ``model``."""
    t = time.time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = analyze_embeddings(
            sc.real, sc.synthetic, config, labels_real=sc.labels_real,
            labels_synthetic=sc.labels_synthetic, head_dims=head_dims(model),
            blocks=feature_blocks(model),
        )  # fmt: skip
    lab = res.labeled
    findings = lab.label_stats["findings"]
    named = [f for f in findings if f["class"] == sc.target]
    expected = EXPECTED_FINDING.get(sc.kind)
    rows = {str(r["class"]): r for r in lab.table}
    row = dict(
        data=sc.data, kind=sc.kind, target=sc.target, n_real=len(sc.real),
        n_synthetic=len(sc.synthetic),
        stats_found=any(f["kind"] == expected for f in named) if expected else None,
        stats_other=sum(f["class"] not in (None, sc.target) for f in findings),
        stats_text=named[0]["text"] if named else "",
        status=rows[sc.target]["status"],
        flagged=float(lab.uncovered.mean()), base_flagged=float(res.uncovered.mean()),
        probe_target_synthetic=rows[sc.target]["probe_transfer"],
        probe_target_real=rows[sc.target]["probe_accuracy_real"],
        probe_synthetic=(lab.probe or {}).get("accuracy", {}).get("synthetic"),
        probe_real=(lab.probe or {}).get("accuracy", {}).get("real"),
    )  # fmt: skip
    if sc.positives is not None and sc.positives.any():
        score = np.nan_to_num(lab.gap_score, nan=0.0)
        row["auroc"] = auroc(score, sc.positives)
        in_a = sc.labels_real.classes == sc.target
        row["auroc_within"] = auroc(score[in_a], sc.positives[in_a])
        row["precision"], row["recall"] = precision_recall(lab.uncovered, sc.positives)
        row["base_auroc"] = auroc(res.gap_score, sc.positives)
        row["base_precision"], row["base_recall"] = precision_recall(res.uncovered, sc.positives)
    row["seconds_analysis"] = time.time() - t
    if finetune and sc.real_images is not None:
        row.update(compare_with_finetuning(sc, lab.probe, config, mode, seed))
    return row


def compare_with_finetuning(
    sc: Scenario, probe: dict, config: AnalysisConfig, mode: str, seed: int
) -> dict:
    """Spearman across real classes between the fine-tuned network's per-class accuracy (seed 0,
    cached by bench/probe_reference.py) and the probe's: its transfer (what the product ranks
    classes by) and its probes on raw embeddings and aligned features; the same against
    the mean of every fine-tune seed cached for the scenario."""
    from scipy.stats import spearmanr

    ref = reference(sc, config, reference_path(CACHE, sc.data, sc.kind, mode, seed, 0))
    classes = ref["classes"].tolist()
    rows = {str(r["class"]): r for r in probe["per_class"]}
    runs = load_references(CACHE, mode, seed)[(sc.data, sc.kind)]
    tuned = {
        s: per_class_accuracy(r["finetuned"], r["y_real"], len(classes)) for s, r in runs.items()
    }
    out = dict(
        finetuned_accuracy=float(np.mean(ref["finetuned"] == ref["y_real"])),
        finetuned_target=float(tuned[0][classes.index(sc.target)]),
        seconds_finetune=float(ref["seconds_finetune"]),
        n_finetune_seeds=len(runs),
    )
    for suffix, key in (
        ("", "transfer"),
        ("_raw", "accuracy_synthetic_raw"),
        ("_aligned", "accuracy_synthetic"),
    ):
        score = [rows[c][key] for c in classes]
        out[f"spearman{suffix}"] = float(spearmanr(score, tuned[0])[0])
        out[f"spearman{suffix}_seeds"] = float(
            spearmanr(score, np.mean(list(tuned.values()), 0))[0]
        )
    return out  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Report


def _f(x, digits: int = 2) -> str:
    return "–" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.{digits}f}"


def _pct(x) -> str:
    return "–" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{100 * x:.0f}%"


def _seconds(row: dict, prefix: str, key: str) -> str:
    return f"{prefix}{row[key]:.0f} s" if key in row else ""


def markdown(rows: list[dict]) -> str:
    lines = [
        "| data | scenario (class A) | label statistics: names A (other classes named) | "
        "per-class: A's status | gap AUROC per-class (blind) | gap AUROC within A | uncovered precision per-class "
        "(blind) | uncovered recall per-class (blind) | real flagged per-class (blind) | "
        "probe on A: synthetic→real (real→real) | Spearman probe vs fine-tuned: transfer (raw / "
        "aligned) | the same vs the mean of n fine-tune seeds |",
        "|" + "---|" * 12,
    ]
    for r in rows:
        found = {True: "yes", False: "**no**", None: "–"}[r["stats_found"]]
        lines.append(
            f"| {r['data']} | {r['kind']} (`{r['target']}`) | {found} ({r['stats_other']}) | "
            f"{r['status']} | {_f(r.get('auroc'))} ({_f(r.get('base_auroc'))}) | "
            f"{_f(r.get('auroc_within'))} | "
            f"{_f(r.get('precision'))} ({_f(r.get('base_precision'))}) | "
            f"{_f(r.get('recall'))} ({_f(r.get('base_recall'))}) | "
            f"{_pct(r['flagged'])} ({_pct(r['base_flagged'])}) | "
            f"{_pct(r['probe_target_synthetic'])} ({_pct(r['probe_target_real'])}) | "
            f"{_f(r.get('spearman'))} ({_f(r.get('spearman_raw'))} / "
            f"{_f(r.get('spearman_aligned'))}) | "
            + (f"n={r['n_finetune_seeds']}: {_f(r['spearman_seeds'])} "
               f"({_f(r['spearman_raw_seeds'])} / {_f(r['spearman_aligned_seeds'])}) |"
               if "spearman_seeds" in r else "– |")
        )  # fmt: skip
    return "\n".join(lines)


def summary(rows: list[dict]) -> dict:
    mode_rows = [r for r in rows if r["kind"] == "lacks mode"]
    rhos = [r["spearman"] for r in rows if "spearman" in r]
    return {
        "lacks_mode_auroc": {r["data"]: r.get("auroc") for r in mode_rows},
        "lacks_mode_auroc_within": {r["data"]: r.get("auroc_within") for r in mode_rows},
        "lacks_mode_base_auroc": {r["data"]: r.get("base_auroc") for r in mode_rows},
        "lacks_mode_precision": {r["data"]: r.get("precision") for r in mode_rows},
        "stats_found": {f"{r['data']}/{r['kind']}": r["stats_found"] for r in rows
                        if r["stats_found"] is not None},  # fmt: skip
        "stats_false_findings": sum(r["stats_other"] for r in rows),
        "control_flagged": {r["data"]: r["flagged"] for r in rows if r["kind"] == "control"},
        "spearman": {f"{r['data']}/{r['kind']}": r["spearman"] for r in rows if "spearman" in r},
        **{key: {f"{r['data']}/{r['kind']}": r[key] for r in rows if key in r}
           for key in ("spearman_raw", "spearman_aligned", "spearman_seeds",
                       "spearman_raw_seeds", "spearman_aligned_seeds")},
        "meets_targets": {
            "class_auroc": all((r.get("auroc") or 0) >= TARGETS["class_auroc"] for r in mode_rows),
            "class_precision": all(
                (r.get("precision") or 0) >= TARGETS["class_precision"] for r in mode_rows
            ),
            "spearman": sum(x >= TARGETS["spearman"] for x in rhos) >= TARGETS["n_spearman"]
            if rhos else None,
        },
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smaller sets")
    size.add_argument("--tiny", action="store_true", help="smoke-test size, no fine-tuning")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--datasets", default="digits,crops,scenes")
    parser.add_argument("--no-finetune", action="store_true", help="skip the fine-tuned network")
    parser.add_argument("--precision", default="auto", choices=PRECISIONS)
    parser.add_argument(
        "--model", default=DEFAULT_MODEL, help="embedding model (digits and crops only)"
    )
    args = parser.parse_args(argv)
    if args.model != DEFAULT_MODEL and "scenes" in args.datasets.split(","):
        parser.error("--model other than the default: pass --datasets digits,crops")
    mode = "tiny" if args.tiny else "quick" if args.quick else "full"
    config = AnalysisConfig(seed=args.seed, project=False, kid_subsets=SIZES[mode]["kid"])
    tune = () if args.no_finetune else SIZES[mode]["finetune"]

    t0 = time.time()
    embed = Embedder(args.precision, args.model)
    rows = []
    for name in args.datasets.split(","):
        if name == "scenes":
            found = scene_scenarios(mode, args.seed, embed)
        else:
            found = classification_scenarios(build(name, mode, args.seed, embed), args.seed)
        for sc in found:
            rows.append(evaluate(sc, config, sc.kind in tune, mode, args.seed, args.model))
            r = rows[-1]
            print(
                f"  {r['data']:7s} {r['kind']:10s} stats {r['stats_found']} "
                f"status {r['status']:14s} auroc {_f(r.get('auroc'))} ({_f(r.get('base_auroc'))}) "
                f"within {_f(r.get('auroc_within'))} "
                f"prec {_f(r.get('precision'))} flagged {_pct(r['flagged'])} "
                f"probe {_pct(r['probe_target_synthetic'])} rho {_f(r.get('spearman'))} "
                f"({_f(r.get('spearman_raw'))} / {_f(r.get('spearman_aligned'))}) "
                f"[{r['seconds_analysis']:.0f} s"
                f"{_seconds(r, ', fine-tune ', 'seconds_finetune')}]",
                file=sys.stderr,
                flush=True,
            )
    object_rows = []
    if "scenes" in args.datasets.split(","):
        object_rows = [object_row(m, mode, args.seed, embed, config) for m in OS.MODES]
    print(f"\n### Labels: per-class analysis, label statistics, probe ({mode}, seed {args.seed}, "
          f"{embed.precision})\n")  # fmt: skip
    print(markdown(rows))
    if object_rows:
        print("\n### Objects: a class lacking a mode, per object vs per image\n")
        print(OS.markdown(object_rows, _f))
    result = summary(rows)
    result["objects"] = {r["kind"]: {k: r[k] for k in OS.KEY_FIGURES} for r in object_rows}
    result["meets_targets"]["object_auroc"] = (
        all(r["auroc"] >= TARGETS["class_auroc"] for r in object_rows) if object_rows else None
    )
    result.update(mode=mode, seed=args.seed, seconds=round(time.time() - t0, 1))
    print()
    print(json.dumps(to_jsonable(result)))  # NaN (no such figure) as null
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
