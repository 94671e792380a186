"""compute_embeddings: model, device, batch size, a validated target field, recompute."""

from __future__ import annotations

import fiftyone as fo
import numpy as np
import pytest

from fiftyone_plugin.fo.fields import field_meta


@pytest.mark.parametrize("delegated", [False, True], ids=["immediate", "delegated"])
def test_embeds_then_skips_what_is_done(run_op, small, delegated):
    params = {"model": "efficientnet_lite0", "field": "emb", "batch_size": 4, "device": "cpu"}
    first = run_op("compute_embeddings", small.name, params, delegated=delegated)
    assert first.result == {"field": "emb", "computed": 12, "skipped": 0, "failed": 0}
    small.reload()
    vectors = np.stack(small.values("emb"))
    assert vectors.shape == (12, 1280) and np.isfinite(vectors).all()
    assert field_meta(small, "emb")["model"] == "efficientnet_lite0"

    again = run_op("compute_embeddings", small.name, params, delegated=delegated)
    assert again.result["computed"] == 0 and again.result["skipped"] == 12


def test_embeds_only_the_current_view(run_op, small):
    result = run_op("compute_embeddings", small.name, {"target": "CURRENT_VIEW"},
                    view=small.limit(3))  # fmt: skip
    assert result.result["field"] == "emb_efficientnet_lite0"
    assert small.exists("emb_efficientnet_lite0").count() == 3


def test_flags_bad_names_models_and_user_fields(run_op, small):
    lite0 = {"model": "efficientnet_lite0"}  # a field is chosen with a model, not with "auto"
    run_op.rejects("compute_embeddings", small.name, {**lite0, "field": "my emb"},
                   "Invalid field name")  # fmt: skip
    run_op.rejects("compute_embeddings", small.name, {"model": "no_such_net"}, "Unknown model")
    run_op.rejects("compute_embeddings", small.name, {"batch_size": 0}, "at least 1")
    small.add_sample_field("features", fo.VectorField)
    run_op.rejects("compute_embeddings", small.name, {**lite0, "field": "features"},
                   "not created by synthgap")  # fmt: skip
    assert not small.exists("features").count()


def test_overwrite_allows_writing_a_user_field(run_op, small):
    small.add_sample_field("features", fo.VectorField)
    params = {"model": "efficientnet_lite0", "field": "features", "overwrite": True}
    result = run_op("compute_embeddings", small.name, params, view=small.limit(2))
    assert result.result["computed"] == 2
    assert small.exists("features").count() == 2
    assert field_meta(small, "features")["model"] == "efficientnet_lite0"


def test_a_field_of_another_model_needs_recompute(run_op, small):
    params = {"model": "efficientnet_lite0", "field": "emb"}
    run_op("compute_embeddings", small.name, params, view=small.limit(2))
    small.get_field("emb").info = {"synthgap": {"model": "resnet18", "dim": 512}}
    small.get_field("emb").save()
    run_op.rejects("compute_embeddings", small.name, params, "Recompute")


def test_auto_takes_the_content_model_for_digits_and_lite0_for_photos(run_op, small, tmp_path):
    """The form's default model "auto" takes efficientnet_lite0_content for real images in a
    fixed layout (digits on paper) and efficientnet_lite0 for photos (``small``)."""
    from PIL import Image
    from sklearn.datasets import load_digits

    paths = []
    for i, digit in enumerate(load_digits().images[:24]):
        grey = (255 - digit * 255 / 16).astype(np.uint8)
        path = str(tmp_path / f"{i}.png")
        Image.fromarray(grey).resize((48, 48)).convert("RGB").save(path)
        paths.append(path)
    on_photos = run_op("compute_embeddings", small.name, {}, view=small.limit(2))
    assert on_photos.result["field"] == "emb_efficientnet_lite0"
    digits = fo.Dataset(small.name + "-digits")
    try:
        digits.add_samples([fo.Sample(filepath=p, domain="real") for p in paths])
        on_digits = run_op("compute_embeddings", digits.name, {"batch_size": 4})
        assert on_digits.result["field"] == "emb_efficientnet_lite0_content"
        assert digits.exists("emb_efficientnet_lite0_content").count() == 24
    finally:
        digits.delete()
