"""The two sides' labels compared: class frequencies and, for boxes, count, size, shape, place.

``compare_labels(real, synthetic)`` takes two :class:`~.labels.LabelSet` and needs no
embeddings. It returns a JSON-safe dict:

* ``kind`` ("classification" / "detection") and ``unit`` ("images" / "objects": what the class
  counts count).
* ``classes``: one row per class (n_real, n_synthetic, share of each side, ratio of shares,
  status: ok / rarer / more frequent / missing / synthetic only) and ``class_divergence``: the
  Jensen-Shannon divergence of the two class distributions (base 2: 0 = same, 1 = disjoint).
* for detections, one comparison per box property: ``objects_per_image``, ``box_area`` (share of
  the image), ``aspect_ratio`` (width / height) and ``position`` (box centres), and
  ``class_box_area`` (box area per class). Each comparison holds its divergence (Kolmogorov-
  Smirnov statistic for the numbers: the largest gap between the two cumulative distributions,
  in [0, 1]; Jensen-Shannon for the centre grid), the two medians and histograms of both sides
  (``bins`` and per side the share of its units in each bin) for plots.
* ``findings``: the differences worth acting on, most severe first, each {kind, class, text,
  severity}; ``readings``: their texts, or one sentence saying the labels agree.

A difference is a finding when it is both significant (a two-sided test at ``SIGNIFICANCE``:
Fisher's exact test for a class share, Kolmogorov-Smirnov for a distribution) and large enough to
matter (a factor of ``MIN_SHARE_RATIO`` in a class share, ``MIN_SIZE_RATIO`` in a median or mean,
``MIN_SHIFT`` of the image size in a median position). A class on one side only is always one.
"""

from __future__ import annotations

import math

import numpy as np

from .labels import LabelSet, ObjectTable

#: p-value under which a difference counts as real rather than sampling noise.
SIGNIFICANCE = 0.01
#: A class share this many times smaller or larger on the synthetic side is a finding.
MIN_SHARE_RATIO = 2.0
#: A median (box area, aspect ratio) or mean (objects per image) this many times apart is one.
MIN_SIZE_RATIO = 1.25
#: A median box centre moved by this share of the image size is one.
MIN_SHIFT = 0.05
#: Fewest boxes per side for a per-class box size comparison.
MIN_OBJECTS = 5
#: Cells per side of the grid the box centres are counted in.
POSITION_GRID = 8

OK, RARER, MORE, MISSING, SYNTHETIC_ONLY = (
    "ok", "rarer", "more frequent", "missing", "synthetic only",
)  # fmt: skip


def js_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon divergence (base 2) of two count or probability vectors, in [0, 1]:
    0 = same distribution, 1 = no overlap. NaN if either is all zero."""
    p, q = np.asarray(p, dtype=np.float64).ravel(), np.asarray(q, dtype=np.float64).ravel()
    if p.sum() <= 0 or q.sum() <= 0:
        return float("nan")
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / 2

    def kl(a: np.ndarray) -> float:
        nz = a > 0
        return float(np.sum(a[nz] * np.log2(a[nz] / m[nz])))

    return float(np.clip((kl(p) + kl(q)) / 2, 0.0, 1.0))


def _ks(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(KS statistic in [0, 1], two-sided p-value); (NaN, NaN) if a side is empty."""
    from scipy.stats import ks_2samp

    if len(a) == 0 or len(b) == 0:
        return float("nan"), float("nan")
    res = ks_2samp(a, b)
    return float(res.statistic), float(res.pvalue)


def _times(ratio: float) -> str:
    """'3.1x' / '0.26x (3.8x smaller)' for a ratio of synthetic to real."""
    if ratio >= 1:
        return f"{ratio:.2g}x"
    return f"{ratio:.2g}x ({1 / ratio:.2g}x smaller)" if ratio > 0 else "0x"


def _name(c) -> str:
    return f"`{c}`"


def _set_reading(comparison: dict, otherwise: str) -> None:
    """A comparison's one-line reading: its most severe finding, else ``otherwise``."""
    found = sorted(comparison["findings"], key=_severity)
    comparison["reading"] = found[0]["text"] if found else otherwise


def _finding(kind: str, text: str, severity: float, cls=None) -> dict:
    return {"kind": kind, "class": cls, "text": text, "severity": float(severity)}


# ---------------------------------------------------------------------------------------------
# Classes


def class_frequencies(real: np.ndarray, synthetic: np.ndarray, unit: str = "images") -> dict:
    """Compare the class of every unit (image or object; None = unlabeled, not counted):
    {"classes": rows, "class_divergence": JS, "findings": [...]}."""
    from scipy.stats import fisher_exact

    real = [c for c in np.asarray(real, dtype=object) if c is not None]
    synthetic = [c for c in np.asarray(synthetic, dtype=object) if c is not None]
    names = sorted(set(real) | set(synthetic), key=str)
    count_r = {c: 0 for c in names}
    count_s = dict(count_r)
    for c in real:
        count_r[c] += 1
    for c in synthetic:
        count_s[c] += 1
    n_r, n_s = len(real), len(synthetic)
    rows, findings = [], []
    for c in names:
        a, b = count_r[c], count_s[c]
        share_r, share_s = a / max(n_r, 1), b / max(n_s, 1)
        ratio = share_s / share_r if share_r > 0 else float("inf") if share_s > 0 else float("nan")
        status = OK
        if a and not b and n_s:
            status = MISSING
            findings.append(
                _finding(
                    MISSING,
                    f"Class {_name(c)} has 0 synthetic {unit} ({a} real, {100 * share_r:.1f}% "
                    "of the real ones): nothing teaches a model this class.",
                    10 + share_r,
                    c,
                )
            )
        elif b and not a and n_r:
            status = SYNTHETIC_ONLY
            findings.append(
                _finding(
                    SYNTHETIC_ONLY,
                    f"Class {_name(c)} appears only in the synthetic labels ({b} {unit}); map it "
                    "to a real class (class map) or check the class names.",
                    5 + share_s,
                    c,
                )
            )
        elif a and b:
            p = fisher_exact([[a, n_r - a], [b, n_s - b]])[1]
            if p < SIGNIFICANCE and max(ratio, 1 / ratio) >= MIN_SHARE_RATIO:
                status = RARER if ratio < 1 else MORE
                how = "rarer" if ratio < 1 else "more frequent"
                factor = 1 / ratio if ratio < 1 else ratio
                findings.append(
                    _finding(
                        status,
                        f"Class {_name(c)} is {factor:.1f}x {how} in the synthetic {unit} "
                        f"({100 * share_s:.1f}% vs {100 * share_r:.1f}% of the real ones).",
                        abs(math.log2(ratio)),
                        c,
                    )
                )
        rows.append(
            {
                "class": c,
                "n_real": a,
                "n_synthetic": b,
                "share_real": share_r,
                "share_synthetic": share_s,
                "share_ratio": ratio,
                "status": status,
            }
        )
    divergence = js_divergence([count_r[c] for c in names], [count_s[c] for c in names])
    return {"classes": rows, "class_divergence": divergence, "findings": findings}


# ---------------------------------------------------------------------------------------------
# Boxes


def _histogram(real: np.ndarray, synthetic: np.ndarray, bins: np.ndarray) -> dict:
    """Bins and each side's share of values per bin (values outside go to the end bins)."""
    out = {"bins": bins.tolist()}
    for side, x in (("real", real), ("synthetic", synthetic)):
        x = np.clip(x[np.isfinite(x)], bins[0], bins[-1])
        counts = np.histogram(x, bins)[0].astype(np.float64)
        out[side] = (counts / max(counts.sum(), 1)).tolist()
    return out


def _compare_sizes(
    name: str, what: str, real: np.ndarray, synthetic: np.ndarray, bins: np.ndarray, kind: str
) -> dict:
    """Compare a positive size-like quantity (area, aspect ratio) by medians and KS."""
    real, synthetic = real[np.isfinite(real)], synthetic[np.isfinite(synthetic)]
    d, p = _ks(np.log(np.maximum(real, 1e-12)), np.log(np.maximum(synthetic, 1e-12)))
    med_r = float(np.median(real)) if len(real) else float("nan")
    med_s = float(np.median(synthetic)) if len(synthetic) else float("nan")
    ratio = med_s / med_r if med_r > 0 else float("nan")
    out = {
        "divergence": d,
        "divergence_name": "Kolmogorov-Smirnov statistic",
        "p_value": p,
        "median_real": med_r,
        "median_synthetic": med_s,
        "ratio": ratio,
        **_histogram(real, synthetic, bins),
        "findings": [],
    }
    if p < SIGNIFICANCE and np.isfinite(ratio) and max(ratio, 1 / ratio) >= MIN_SIZE_RATIO:
        out["findings"].append(
            _finding(
                kind,
                f"{name} have a median {what} {_times(ratio)} the real one "
                f"({med_s:.3g} vs {med_r:.3g}).",
                abs(math.log2(ratio)),
            )
        )
    _set_reading(out, f"{name} match the real ones in {what}: median {med_s:.3g} vs {med_r:.3g}.")
    return out


#: Bins of the plots: box area as a share of the image (log scale), aspect ratio (log scale).
AREA_BINS = np.logspace(-4, 0, 21)
ASPECT_BINS = np.logspace(-3, 3, 25, base=2)


def objects_per_image(real: ObjectTable, synthetic: ObjectTable) -> dict:
    """Compare the number of boxes per image (images without boxes count as 0)."""
    a, b = real.per_image().astype(np.float64), synthetic.per_image().astype(np.float64)
    d, p = _ks(a, b)
    mean_r, mean_s = float(a.mean()), float(b.mean())
    top = int(max(a.max(initial=0), b.max(initial=0), 1))
    bins = np.arange(-0.5, min(top, 30) + 1.5)
    out = {
        "divergence": d,
        "divergence_name": "Kolmogorov-Smirnov statistic",
        "p_value": p,
        "mean_real": mean_r,
        "mean_synthetic": mean_s,
        "median_real": float(np.median(a)),
        "median_synthetic": float(np.median(b)),
        **_histogram(a, b, bins),
        "findings": [],
    }
    ratio = mean_s / mean_r if mean_r > 0 else float("inf")
    if p < SIGNIFICANCE and max(ratio, 1 / max(ratio, 1e-12)) >= MIN_SIZE_RATIO:
        out["findings"].append(
            _finding(
                "objects per image",
                f"Synthetic images hold {mean_s:.2g} objects on average, real ones {mean_r:.2g}.",
                abs(math.log2(max(ratio, 1e-6))),
            )
        )
    _set_reading(
        out, f"Synthetic and real images hold alike numbers of objects ({mean_s:.2g} vs "
        f"{mean_r:.2g} on average).",
    )  # fmt: skip
    return out


def position(real: ObjectTable, synthetic: ObjectTable) -> dict:
    """Compare where boxes sit: a grid of box centres (Jensen-Shannon divergence, heat maps)
    and findings for a shift left/right, up/down or towards the centre."""
    cr, cs = real.centre, synthetic.centre
    edges = np.linspace(0, 1, POSITION_GRID + 1)

    def grid(c: np.ndarray) -> np.ndarray:
        counts = np.histogram2d(c[:, 1], c[:, 0], [edges, edges])[0]  # rows = y (top first)
        return counts / max(counts.sum(), 1)

    g_r, g_s = grid(cr), grid(cs)
    out = {
        "divergence": js_divergence(g_r, g_s),
        "divergence_name": "Jensen-Shannon divergence",
        "grid": POSITION_GRID,
        "real": g_r.tolist(),
        "synthetic": g_s.tolist(),
        "findings": [],
    }
    axes = (
        ("distance to the image centre", np.linalg.norm(cr - 0.5, axis=1),
         np.linalg.norm(cs - 0.5, axis=1), ("nearer the image centre", "further from the centre")),
        ("horizontal centre", cr[:, 0], cs[:, 0], ("further left", "further right")),
        ("vertical centre", cr[:, 1], cs[:, 1], ("higher in the image", "lower in the image")),
    )  # fmt: skip
    for what, a, b, (less, more) in axes:
        if not len(a) or not len(b):
            continue
        d, p = _ks(a, b)
        shift = float(np.median(b) - np.median(a))
        out[what.replace(" ", "_")] = {"median_real": float(np.median(a)),
                                       "median_synthetic": float(np.median(b)), "ks": d}  # fmt: skip
        if p < SIGNIFICANCE and abs(shift) >= MIN_SHIFT:
            out["findings"].append(
                _finding(
                    "position",
                    f"Synthetic boxes sit {less if shift < 0 else more}: median {what} "
                    f"{np.median(b):.2f} vs {np.median(a):.2f} of the image size.",
                    abs(shift) / MIN_SHIFT / 4,
                )
            )
    _set_reading(out, "Synthetic boxes sit where the real ones do (no shift beyond noise).")
    return out


def class_box_area(real: ObjectTable, synthetic: ObjectTable) -> list[dict]:
    """Per class with at least MIN_OBJECTS boxes on each side: median box area per side, their
    ratio, the KS statistic, and a finding where they differ."""
    rows = []
    for c in sorted(set(real.label.tolist()) & set(synthetic.label.tolist()), key=str):
        a, b = real.area[real.label == c], synthetic.area[synthetic.label == c]
        if min(len(a), len(b)) < MIN_OBJECTS:
            continue
        cmp = _compare_sizes(
            f"Synthetic {_name(c)} boxes", "area", a, b, AREA_BINS, "class box size"
        )
        for f in cmp["findings"]:
            f["class"] = c
        rows.append(
            {
                "class": c,
                "n_real": len(a),
                "n_synthetic": len(b),
                **{k: cmp[k] for k in ("median_real", "median_synthetic", "ratio", "divergence")},
                "p_value": cmp["p_value"],
                "findings": cmp["findings"],
            }
        )
    return rows


def compare_objects(real: ObjectTable, synthetic: ObjectTable) -> dict:
    """All box comparisons (see the module docstring); findings gathered under "findings"."""
    out = {
        "objects_per_image": objects_per_image(real, synthetic),
        "box_area": _compare_sizes(
            "Synthetic boxes", "area (share of the image)", real.area, synthetic.area,
            AREA_BINS, "box area",
        ),
        "aspect_ratio": _compare_sizes(
            "Synthetic boxes", "aspect ratio (width / height)", real.aspect_ratio,
            synthetic.aspect_ratio, ASPECT_BINS, "aspect ratio",
        ),
        "position": position(real, synthetic),
        "class_box_area": class_box_area(real, synthetic),
    }  # fmt: skip
    findings = [f for key, v in out.items() if key != "class_box_area" for f in v["findings"]]
    findings += [f for row in out["class_box_area"] for f in row["findings"]]
    out["findings"] = findings
    return out


# ---------------------------------------------------------------------------------------------
# Both


def compare_labels(real: LabelSet, synthetic: LabelSet) -> dict:
    """Compare the labels of the two sides; see the module docstring for what comes back."""
    detection = real.objects is not None and synthetic.objects is not None
    if detection:
        out = class_frequencies(real.objects.label, synthetic.objects.label, "objects")
        boxes = compare_objects(real.objects, synthetic.objects)
        findings = out.pop("findings") + boxes.pop("findings")
        out.update(boxes)
    else:
        out = class_frequencies(real.classes, synthetic.classes, "images")
        findings = out.pop("findings")
    out["kind"] = "detection" if detection else "classification"
    out["unit"] = "objects" if detection else "images"
    out["n_images"] = {"real": len(real.classes), "synthetic": len(synthetic.classes)}
    out["n_unlabeled"] = {"real": real.n_unlabeled, "synthetic": synthetic.n_unlabeled}
    for side, labels in (("real", real), ("synthetic", synthetic)):
        n = len(labels.classes)
        if n and labels.n_unlabeled:
            findings.append(
                _finding(
                    "unlabeled",
                    f"{labels.n_unlabeled} of {n} {side} images "
                    f"({100 * labels.n_unlabeled / n:.0f}%) have no label; they are left out of "
                    "the per-class figures.",
                    labels.n_unlabeled / n,
                )
            )
    out["findings"] = sorted(findings, key=_severity)
    out["readings"] = [f["text"] for f in out["findings"]] or [
        "The labels of the two sides agree: no class, box size, shape or position differs "
        "beyond sampling noise."
    ]
    return out


def _severity(f: dict) -> float:
    return -f["severity"]
