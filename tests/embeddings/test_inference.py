"""Batched embedding of files: bad files recorded per sample, batching and workers change
nothing, bf16 stays close to fp32, preprocessing matches torchvision's."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision import transforms

from fiftyone_plugin.embeddings import embed_images


@pytest.fixture(scope="module")
def reference(lite0, photo_paths):
    """fp32 embeddings of the photos, one batch, no workers."""
    return embed_images(photo_paths, lite0, batch_size=len(photo_paths), num_workers=0).vectors


def _cosine(a, b):
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_vectors_and_errors(lite0, photo_paths, reference):
    assert reference.dtype == np.float32 and reference.shape == (len(photo_paths), 1280)
    assert np.isfinite(reference).all()
    assert not np.allclose(reference[0], reference[1])


def test_batched_equals_one_by_one(lite0, photo_paths, reference):
    paths = photo_paths[:4]
    one_by_one = np.stack([embed_images([p], lite0, num_workers=0).vectors[0] for p in paths])
    in_threes = embed_images(paths, lite0, batch_size=3, num_workers=0).vectors
    np.testing.assert_allclose(one_by_one, reference[:4], rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(in_threes, reference[:4], rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize(
    "decoder, overlap",
    [("pillow", False), ("pillow", True), ("device", None)],
    ids=["decode-threads", "decode-processes", "decode-on-device"],
)
def test_bad_files_are_recorded_and_the_rest_embedded(
    tmp_path, lite0, photo_paths, reference, decoder, overlap
):
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "notes.jpg").write_text("not an image")
    good = Image.open(photo_paths[0])
    for ext in ("jpg", "png"):
        good.save(tmp_path / f"whole.{ext}")
        data = (tmp_path / f"whole.{ext}").read_bytes()
        (tmp_path / f"cut.{ext}").write_bytes(data[: len(data) // 2])
    Image.new("RGB", (1500, 1500)).save(tmp_path / "huge.png")  # 2.25 MP

    bad = {
        "empty.png": "zero-byte file",
        "notes.jpg": "not an image",
        "cut.jpg": "truncated JPEG",
        "cut.png": "truncated PNG",
        "huge.png": "decompression bomb (2250000 px)",
        "missing.png": "file not found",
    }
    paths = [str(tmp_path / name) for name in bad]
    interleaved = zip(photo_paths[: len(paths)], paths, strict=True)
    mixed = [p for pair in interleaved for p in pair] + photo_paths[len(paths) :]
    # The largest photo, retina.png, has 1.99 MP.
    result = embed_images(
        mixed,
        lite0,
        batch_size=4,
        num_workers=2,
        max_pixels=2_100_000,
        overlap=overlap,
        decoder=decoder,
    )

    expected_errors = [bad.get(p.rsplit("/", 1)[-1]) for p in mixed]
    assert result.errors == expected_errors
    failed = ~result.ok
    assert np.isnan(result.vectors[failed]).all()
    np.testing.assert_allclose(result.vectors[~failed], reference, rtol=1e-3, atol=1e-4)


def test_unicode_and_spaces_in_paths(tmp_path, lite0, photo_paths, reference):
    folder = tmp_path / "my photos ünïcødé"
    folder.mkdir()
    names = ["chat noir 猫.png", "café ☕ (1).png", "ракета #2.png"]
    paths = [
        shutil.copy(src, folder / name) for src, name in zip(photo_paths[:3], names, strict=True)
    ]
    result = embed_images(paths, lite0, num_workers=0)
    assert result.errors == [None] * 3
    np.testing.assert_allclose(result.vectors, reference[:3], rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("model_fixture", ["lite0_bf16", "lite0_openvino_bf16"])
def test_bf16_is_close_to_fp32_on_real_photos(request, model_fixture, photo_paths, reference):
    model = request.getfixturevalue(model_fixture)
    assert model.precision == "bf16"
    bf16 = embed_images(photo_paths, model, num_workers=0).vectors
    assert bf16.dtype == np.float32
    assert _cosine(bf16, reference).min() > 0.97


def test_progress_is_reported_per_batch(lite0, photo_paths):
    calls = []
    embed_images(
        photo_paths, lite0, batch_size=3, num_workers=0, progress=lambda f, s: calls.append((f, s))
    )
    fractions = [f for f, _ in calls]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions) and len(fractions) == 1 + 3  # start + 3 batches of <= 3
    assert all(isinstance(label, str) and label for _, label in calls)


def test_no_paths(lite0):
    result = embed_images([], lite0)
    assert result.vectors.shape == (0, 1280) and result.errors == []


def test_invalid_batch_size(lite0, photo_paths):
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        embed_images(photo_paths, lite0, batch_size=0)


def test_preprocessing_matches_torchvision_resize_and_center_crop(lite0, photo_paths):
    t = lite0.transform
    image = Image.open(photo_paths[3]).convert("RGB")  # astronaut, 512 x 512
    image = image.crop((0, 0, 512, 380))  # not square
    ours = t.prepare(image).numpy().astype(int)
    theirs = transforms.Compose(
        [transforms.Resize(t.resize_size), transforms.CenterCrop(t.crop_size)]
    )
    theirs = np.asarray(theirs(image)).astype(int)
    assert ours.shape == theirs.shape == (224, 224, 3)
    assert np.abs(ours - theirs).mean() < 3.0


def test_transform_gives_one_normalised_input(lite0, photo_paths):
    x = lite0.transform(Image.open(photo_paths[0]).convert("RGB"))
    assert x.shape == (3, 224, 224) and x.dtype == torch.float32
    assert -1.01 <= x.min() and x.max() <= 1.01  # (pixel - 127) / 128


@pytest.mark.slow
def test_compiled_model_matches_eager_and_pads_short_batches(photo_paths, reference):
    from fiftyone_plugin.embeddings import load_model

    compiled = load_model("efficientnet_lite0", device="cpu", precision="fp32", compile=True)
    assert compiled.compiled and "compiled=True" in repr(compiled)
    # 3 + 3 + the rest: the last batch is padded to the compiled shape, outputs cut back
    result = embed_images(photo_paths[:7], compiled, batch_size=3, num_workers=1)
    assert result.errors == [None] * 7
    np.testing.assert_allclose(result.vectors, reference[:7], rtol=1e-3, atol=1e-3)
