"""Will a model trained on the synthetic images work on real ones? A linear probe answers.

The Classification Accuracy Score (Ravuri & Vinyals, NeurIPS 2019): train a classifier on the
synthetic images, test it on real ones, and compare with the same classifier trained on real
images. Here the classifier is a linear probe (multinomial logistic regression on standardised
features), cross-fitted over the real samples: in each of ``n_folds`` folds the held-out real
fold is predicted by three probes, trained on

* ``synthetic``: all synthetic samples (what a team that trains only on synthetic data gets),
* ``real``: the other real folds (the reference: what real training data gives),
* ``both``: the other real folds plus all synthetic samples (does adding synthetic data help?).

Every real sample is thus predicted once by each probe, by a probe that never saw it.

The analysis gives these probes the aligned features (pipeline: PCA, then the style shift
between the sides removed) and, given the raw embeddings too, trains two more,

* ``synthetic_raw``: all synthetic samples as they are (raw embeddings), tested on the real ones;
* ``synthetic_coral``: the same once what every synthetic sample shares is removed (the mean and
  covariance of the raw embeddings matched to the real ones, alignment.coral).

A network trained on synthetic images learns to look past what all of them share, but fails on
a real class whose synthetic images look different from the other classes' (a style of its own)
or lack part of its real variety (content). The raw probe also fails on the shared style, the
aligned one misses the style of a class (its correction is local), so a class's ``transfer`` is
the CORAL probe's accuracy (the aligned one's without raw embeddings); how closely it ranks
classes like a network fine-tuned on the synthetic images and tested on real ones is measured
by bench/labels_quality.py (figures in docs/BENCHMARKS.md). Accuracies
are shares of correctly classified real samples in [0, 1]: overall, per class (recall of the
class), and per gap region. ``ratio`` = transfer / real accuracy: 1 = synthetic training data
works as well as real, 0 = not at all; a class counts as ``works`` from WORKS_RATIO and ``fails``
under FAILS_RATIO. Each synthetic sample also gets ``label_support``: the probability a probe
trained on all real samples gives to its label (low = real data would not call it that class:
a wrong label or an unrealistic image).
"""

from __future__ import annotations

import warnings

import numpy as np

from ..progress import Progress, report
from ._validation import check_pair, check_positive_int
from .alignment import coral

TRAININGS = ("synthetic", "real", "both")
#: The probe trained on the raw synthetic embeddings (tested on the raw real ones).
RAW = "synthetic_raw"
#: The probe trained on the raw synthetic embeddings after CORAL (alignment.coral).
CORAL = "synthetic_coral"
#: Per-class verdicts by the synthetic / real accuracy ratio.
WORKS_RATIO = 0.9
FAILS_RATIO = 0.5
WORKS, PARTLY, FAILS = "works", "partly", "fails"
#: Each probe trains on at most this many random samples per side (the logistic regression's
#: cost grows with samples x dimensions x classes); predictions cover every sample.
MAX_TRAIN_PER_SIDE = 20000
#: Inverse L2 regularisation of the logistic regression (scikit-learn's default).
C = 1.0


def verdict(ratio: float | None) -> str | None:
    """works / partly / fails for a synthetic / real accuracy ratio (None when unknown)."""
    if ratio is None or not np.isfinite(ratio):
        return None
    return WORKS if ratio >= WORKS_RATIO else FAILS if ratio < FAILS_RATIO else PARTLY


class LinearProbe:
    """Cross-fitted train-on-X, test-on-real linear probes (module docstring); ``unit``: what the
    samples are in the reading ("images" or "objects").

    Fitted attributes: ``classes_`` (sorted class names), ``trainings_`` (the probes trained:
    TRAININGS, then RAW and CORAL when raw embeddings were given), ``prediction_`` {training: (n_real,)
    object, the class each real sample was given, None for unlabeled samples},
    ``accuracy_`` {training: share of labeled real samples classified right},
    ``balanced_accuracy_`` {training: mean of the per-class accuracies over the real classes},
    ``per_class_`` (rows: class, n_real, n_synthetic, accuracy per training, transfer, ratio,
    verdict), ``per_region_`` (the same per gap region, when regions were given), ``label_support_``
    (n_synthetic,) float in [0, 1] (NaN for unlabeled synthetic samples), ``reading_``.
    """

    def __init__(
        self,
        n_folds: int = 5,
        max_train: int = MAX_TRAIN_PER_SIDE,
        seed: int = 0,
        unit: str = "images",
    ):
        self.n_folds = n_folds
        self.max_train = max_train
        self.seed = seed
        self.unit = unit

    def fit(
        self,
        real: np.ndarray,
        synthetic: np.ndarray,
        labels_real: np.ndarray,
        labels_synthetic: np.ndarray,
        regions: np.ndarray | None = None,
        progress: Progress | None = None,
        real_raw: np.ndarray | None = None,
        synthetic_raw: np.ndarray | None = None,
    ) -> LinearProbe:
        """``real`` / ``synthetic``: (aligned) features; ``labels_*``: a class per sample (None =
        unlabeled, left out); ``regions`` (n_real,): a gap region name per real sample or None
        (e.g. the label-blind analysis's regions), for per-region accuracies;
        ``real_raw`` / ``synthetic_raw``: the same samples' raw embeddings, for the
        ``synthetic_raw`` and ``synthetic_coral`` probes (both or neither)."""
        from sklearn.model_selection import KFold, StratifiedKFold

        check_positive_int(self.n_folds, "n_folds", minimum=2)
        check_positive_int(self.max_train, "max_train", minimum=2)
        real, synthetic = check_pair(real, synthetic)
        if (real_raw is None) != (synthetic_raw is None):
            raise ValueError("Pass both real_raw and synthetic_raw, or neither")
        if real_raw is not None:
            real_raw, synthetic_raw = check_pair(real_raw, synthetic_raw)
            if len(real_raw) != len(real) or len(synthetic_raw) != len(synthetic):
                raise ValueError(
                    "real_raw / synthetic_raw need one row per real / synthetic sample"
                )
        y_r = np.asarray(labels_real, dtype=object)
        y_s = np.asarray(labels_synthetic, dtype=object)
        if len(y_r) != len(real) or len(y_s) != len(synthetic):
            raise ValueError("labels_real / labels_synthetic need one class per sample")
        lab_r = np.flatnonzero([c is not None for c in y_r])
        lab_s = np.flatnonzero([c is not None for c in y_s])
        if len(lab_r) < self.n_folds or len(set(y_s[lab_s].tolist())) < 2:
            raise ValueError(
                f"The probe needs at least {self.n_folds} labeled real samples and two "
                "synthetic classes; label more samples"
            )
        self.classes_ = sorted(set(y_r[lab_r].tolist()) | set(y_s[lab_s].tolist()), key=str)
        rng = np.random.default_rng(self.seed)
        self.trainings_ = TRAININGS + ((RAW, CORAL) if real_raw is not None else ())
        pred = {t: np.full(len(real), None, dtype=object) for t in self.trainings_}

        report(progress, 0.0, "probe: training on the synthetic images")
        synth_probe = self._train(synthetic[lab_s], y_s[lab_s], rng)
        pred["synthetic"][lab_r] = synth_probe.predict(real[lab_r])
        if real_raw is not None:
            raw_probe = self._train(synthetic_raw[lab_s], y_s[lab_s], rng)
            pred[RAW][lab_r] = raw_probe.predict(real_raw[lab_r])
            moved, target = coral(synthetic_raw[lab_s], real_raw[lab_r])
            pred[CORAL][lab_r] = self._train(moved, y_s[lab_s], rng).predict(target)
        counts = np.unique(y_r[lab_r].astype(str), return_counts=True)[1]
        split = (
            StratifiedKFold(self.n_folds, shuffle=True, random_state=self.seed)
            if counts.min() >= self.n_folds
            else KFold(self.n_folds, shuffle=True, random_state=self.seed)
        )
        folds = list(split.split(lab_r, y_r[lab_r].astype(str)))
        for f, (train, test) in enumerate(folds):
            report(progress, 0.1 + 0.8 * f / len(folds), f"probe: real fold {f + 1}/{len(folds)}")
            tr, te = lab_r[train], lab_r[test]
            if len(set(y_r[tr].tolist())) < 2:
                continue  # one class only: nothing to learn in this fold
            pred["real"][te] = self._train(real[tr], y_r[tr], rng).predict(real[te])
            both = self._train(
                np.vstack([real[tr], synthetic[lab_s]]), np.r_[y_r[tr], y_s[lab_s]], rng
            )
            pred["both"][te] = both.predict(real[te])

        report(progress, 0.9, "probe: scoring the synthetic labels")
        self.label_support_ = np.full(len(synthetic), np.nan, dtype=np.float32)
        if len(set(y_r[lab_r].tolist())) >= 2:
            real_probe = self._train(real[lab_r], y_r[lab_r], rng)
            proba = real_probe.predict_proba(synthetic[lab_s])
            column = {c: j for j, c in enumerate(real_probe.classes_)}
            self.label_support_[lab_s] = [
                proba[i, column[c]] if c in column else 0.0 for i, c in enumerate(y_s[lab_s])
            ]
        self.prediction_ = pred
        right = {t: pred[t][lab_r] == y_r[lab_r] for t in self.trainings_}
        self.accuracy_ = {t: float(right[t].mean()) for t in self.trainings_}
        self.per_class_ = self._per_class(y_r, y_s, lab_r, right)
        real_rows = [r for r in self.per_class_ if r["n_real"]]
        self.balanced_accuracy_ = {
            t: float(np.mean([r[f"accuracy_{t}"] for r in real_rows])) for t in self.trainings_
        }
        self.per_region_ = [] if regions is None else self._per_region(regions, lab_r, right)
        self.reading_ = self._reading()
        report(progress, 1.0, "probe done")
        return self

    def _train(self, x: np.ndarray, y: np.ndarray, rng: np.random.Generator):
        """A standardised logistic regression fitted on at most max_train random rows."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        if len(x) > self.max_train:
            keep = np.sort(rng.choice(len(x), self.max_train, replace=False))
            x, y = x[keep], y[keep]
        model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=1000))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence warnings: the probe is good enough
            model.fit(x, y.astype(str))
        return _StrLabels(model, {str(c): c for c in y.tolist()})

    def _per_class(self, y_r, y_s, lab_r, right) -> list[dict]:
        rows = []
        for c in self.classes_:
            mine = y_r[lab_r] == c
            row = {"class": c, "n_real": int(mine.sum()), "n_synthetic": int((y_s == c).sum())}
            for t in self.trainings_:
                row[f"accuracy_{t}"] = float(right[t][mine].mean()) if mine.any() else None
            row.update(self._transfer(row))
            row["verdict"] = verdict(row["ratio"])
            rows.append(row)
        return rows

    def _per_region(self, regions, lab_r, right) -> list[dict]:
        regions = np.asarray(regions, dtype=object)[lab_r]
        rows = []
        for name in sorted({r for r in regions.tolist() if r is not None}, key=str):
            mine = regions == name
            row = {"region": name, "n_real": int(mine.sum())}
            for t in self.trainings_:
                row[f"accuracy_{t}"] = float(right[t][mine].mean())
            row.update(self._transfer(row))
            rows.append(row)
        return rows

    def _transfer(self, accuracy: dict) -> dict:
        """transfer (the CORAL probe's accuracy, else the aligned one's) and ratio, from
        ``accuracy_*``."""
        transfer = accuracy[f"accuracy_{CORAL if CORAL in self.trainings_ else 'synthetic'}"]
        return {"transfer": transfer, "ratio": _ratio(transfer, accuracy["accuracy_real"])}

    def _reading(self) -> str:
        acc = self.accuracy_
        worst = sorted((r for r in self.per_class_ if r["n_real"]), key=lambda r: r["transfer"])[:3]
        worst_text = ", ".join(f"`{r['class']}` {100 * r['transfer']:.0f}%" for r in worst)
        unit = self.unit
        synthetic = (
            f"{100 * acc[CORAL]:.0f}% of the real {unit} once what all synthetic {unit} share "
            f"is corrected ({100 * acc[RAW]:.0f}% as they are)"
            if CORAL in acc
            else f"{100 * acc['synthetic']:.0f}% of the real {unit}"
        )
        return (
            f"Trained on your synthetic {unit}, a linear probe recognises {synthetic}; trained "
            f"on real {unit}, {100 * acc['real']:.0f}% (real and synthetic together: "
            f"{100 * acc['both']:.0f}%). Classes least likely to work: {worst_text}."
        )

    def to_dict(self) -> dict:
        """The fitted figures as a JSON-safe dict (no per-sample arrays)."""
        balanced = {f"accuracy_{t}": a for t, a in self.balanced_accuracy_.items()}
        transfer = self._transfer(balanced)
        return {
            "accuracy": self.accuracy_,
            "balanced_accuracy": self.balanced_accuracy_,
            "transfer": transfer["transfer"],
            "ratio": transfer["ratio"],
            "verdict": verdict(transfer["ratio"]),
            "per_class": self.per_class_,
            "per_region": self.per_region_,
            "reading": self.reading_,
            "n_folds": self.n_folds,
        }


class _StrLabels:
    """A fitted model trained on str(labels), predicting the original label objects."""

    def __init__(self, model, originals: dict):
        self.model, self.originals = model, originals
        self.classes_ = [originals[c] for c in model.classes_]

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.array([self.originals[c] for c in self.model.predict(x)], dtype=object)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return self.model.predict_proba(x)


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b <= 0:
        return None
    return a / b


def probe(
    real: np.ndarray,
    synthetic: np.ndarray,
    labels_real: np.ndarray,
    labels_synthetic: np.ndarray,
    n_folds: int = 5,
    seed: int = 0,
) -> dict:
    """One-shot :class:`LinearProbe`: its figures as a dict (see ``LinearProbe.to_dict``)."""
    return (
        LinearProbe(n_folds, seed=seed)
        .fit(real, synthetic, labels_real, labels_synthetic)
        .to_dict()
    )
