"""Plan the curation of a run on objects: the synthetic images of the target, judged by the
objects the run analyzed (core/object_curation.py), read from the run's own Detections field
(object_results.py) and the object embeddings on the label field (objects.py).

A curation of a run on objects also puts the label tag ``curation:flagged:<reason>`` (prefixed
as the run's other tags) on the objects of the run's field it judged bad, in kept images too, so
that the App can show or leave out those objects; the user's label field is never tagged."""

from __future__ import annotations

import fiftyone as fo
import numpy as np
from fiftyone import ViewField as F

from .. import defaults
from ..core.curation import CurationConfig
from ..progress import Progress, report
from .curation_plan import CurationPlan, floats, stored_degenerate
from .objects import object_vectors
from .runs import RunNames, load_summary, owns_field
from .units import OBJECTS_FIELD, RunUnits, run_units

#: What is read of each object of the run's field, besides its id and domain.
ATTRIBUTES = ("cluster", "realism", "real_support", "image_issue")


def synthetic_images(samples: fo.core.collections.SampleCollection, units: RunUnits):
    """The images of ``samples`` holding a synthetic object that run ``units`` judged."""
    synthetic = (F(defaults.DOMAIN_FIELD) == defaults.SYNTHETIC) & F("realism").exists()
    return samples.match(F(f"{units.patches_field}.detections").filter(synthetic).length() > 0)


def plan_object_curation(
    samples: fo.core.collections.SampleCollection,
    run_key: str,
    budget: int | None = None,
    config: CurationConfig | None = None,
    progress: Progress | None = None,
):
    """The CurationPlan (curation_plan.py) of the synthetic images of ``samples`` by their objects
    judged by run on objects ``run_key``: at most ``budget`` images; ``clusters`` and the
    per-cluster figures are counted in objects; writes nothing."""
    from ..core.object_curation import curate_by_objects

    dataset = samples._dataset
    summary = load_summary(dataset, run_key)
    units = run_units(dataset, run_key, summary)
    field, info = units.patches_field, summary["objects"]
    lacking = [s for s in ("cluster", "realism") if not units.has(s)]
    if lacking:
        raise ValueError(
            f"Run '{run_key}' stored no {' or '.join(lacking)} on its objects ('{field}'): "
            "re-run the analysis on objects to curate by them"
        )
    report(progress, 0.0, "reading objects")
    stored = [s for s in ATTRIBUTES if units.has(s)]
    paths = [f"{field}.detections.{s}" for s in ("id", defaults.DOMAIN_FIELD, *stored)]
    image_ids, *columns = samples.exists(field).values(["id", *paths])
    rows = [
        (image_id, *(column[k][j] for column in columns))
        for k, image_id in enumerate(image_ids)
        for j in range(len(columns[0][k] or []))
    ]
    by_object = list(zip(*rows, strict=True)) if rows else [()] * (1 + len(columns))
    image_of, object_ids, domains, *values = by_object
    values = dict(zip(stored, values, strict=True))
    analyzed = np.asarray([c is not None for c in values["cluster"]], dtype=bool)
    clusters = np.asarray([-1 if c is None else c for c in values["cluster"]])
    domains = np.asarray(domains, dtype=object)
    is_real = (domains == defaults.REAL) & analyzed
    is_synth = (domains == defaults.SYNTHETIC) & analyzed
    if not is_synth.any():
        raise ValueError(f"Run '{run_key}' analyzed none of the synthetic objects given")

    vectors = _vectors(samples, info, np.asarray(object_ids, dtype=object), is_real | is_synth)
    labels, counts = np.unique(clusters[is_real], return_counts=True)
    real_counts = dict(zip(labels.tolist(), counts.tolist(), strict=True))
    support = floats(values["real_support"])[is_synth] if "real_support" in values else None
    notes = []
    degenerate = stored_degenerate(values, is_synth)
    if degenerate is None:
        notes.append(f"run '{run_key}' stored no checks of its objects' boxes (an older run): "
                     "blank or noise objects are not recognised; re-run the analysis")  # fmt: skip
    images = list(dict.fromkeys(np.asarray(image_of, dtype=object)[is_synth].tolist()))
    index = {image_id: i for i, image_id in enumerate(images)}
    image = np.asarray([index[i] for i in np.asarray(image_of, dtype=object)[is_synth]])
    n_without = samples.match(F(defaults.DOMAIN_FIELD) == defaults.SYNTHETIC).count() - len(images)
    if n_without:
        notes.append(f"{n_without} synthetic image(s) hold no object the run judged (no boxes, "
                     "or all under the minimum size): they are left untagged")  # fmt: skip

    report(progress, 0.1, "choosing synthetic images")
    result = curate_by_objects(
        vectors[is_synth], floats(values["realism"])[is_synth], clusters[is_synth], image,
        real_counts, budget, real=vectors[is_real], support=support, degenerate=degenerate,
        config=config,
    )  # fmt: skip
    cfg = config or CurationConfig()
    objects = {
        "n_objects": int(is_synth.sum()),
        "flagged": {r: n for r, n in result.flagged_counts().items() if n},
        "max_bad_object_share": cfg.max_bad_object_share,
    }
    synthetic_ids = np.asarray(object_ids, dtype=object)[is_synth].tolist()
    return CurationPlan(run_key, budget, images, clusters[is_synth], result, real_counts, notes,
                        objects, synthetic_ids)  # fmt: skip


def _vectors(samples, info: dict, object_ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The embeddings of the ``wanted`` objects (rows of ``object_ids``); zeros elsewhere.
    ValueError when some are gone from the label field."""
    label_field, path = info["label_field"], info["embeddings_field"]
    by_id = object_vectors(samples, label_field, path.rsplit(".", 1)[1])
    missing = [i for i in object_ids[wanted] if by_id.get(i) is None]
    if missing:
        raise ValueError(
            f"{len(missing)} object(s) the run analyzed have no embedding in '{path}' any more: "
            "re-run the analysis on objects"
        )
    dim = len(next(iter(by_id.values()))) if by_id else 0
    out = np.zeros((len(object_ids), dim), dtype=np.float32)
    for row in np.flatnonzero(wanted):
        out[row] = by_id[object_ids[row]]
    return out


# ---------------------------------------------------------------------------------------------
# The label tags of the objects a curation judged bad


def flagged_tag(names: RunNames, reason: str) -> str:
    """Label tag of the objects a curation of run ``names`` judged bad for ``reason``."""
    return names.field(f"curation:flagged:{reason}")


def _run_field(dataset: fo.Dataset, names: RunNames) -> str | None:
    field = names.field(OBJECTS_FIELD)
    return field if owns_field(dataset, names, field) else None


def tag_flagged_objects(dataset: fo.Dataset, names: RunNames, plan: CurationPlan) -> list[str]:
    """Tag the objects ``plan`` judged bad in the run's field; the tags used."""
    from ..core.object_curation import OBJECT_REASONS

    field, used = _run_field(dataset, names), []
    ids = np.asarray(plan.object_ids, dtype=object)
    for reason in OBJECT_REASONS:
        chosen = ids[plan.result.object_reasons == reason].tolist()
        if field and chosen:
            used.append(flagged_tag(names, reason))
            dataset.select_labels(ids=chosen, fields=field).tag_labels(used[-1], field)
    return used


def untag_flagged_objects(dataset: fo.Dataset, names: RunNames) -> None:
    """Take the tags of tag_flagged_objects off the objects of run ``names``."""
    from ..core.object_curation import OBJECT_REASONS

    field = _run_field(dataset, names)
    if field:
        dataset.untag_labels([flagged_tag(names, r) for r in OBJECT_REASONS], field)


def move_flagged_objects(dataset: fo.Dataset, old: RunNames, new: RunNames) -> None:
    """After run ``old`` was renamed ``new`` (its field too), rename its objects' flagged tags."""
    from ..core.object_curation import OBJECT_REASONS

    field = _run_field(dataset, new)
    for reason in OBJECT_REASONS if field else ():
        tagged = dataset.select_labels(tags=flagged_tag(old, reason), fields=field)
        if len(tagged):
            tagged.tag_labels(flagged_tag(new, reason), field)
            tagged.untag_labels(flagged_tag(old, reason), field)
