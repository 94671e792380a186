"""Object crops: one decode per image, the same vectors as the crop saved as its own image, small
objects and bad images recorded per object, batching and workers change nothing."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from fiftyone_plugin.embeddings import embed_images
from fiftyone_plugin.embeddings import objects as O


def test_crop_squares_centre_on_the_box_and_stay_inside():
    boxes = np.array([
        [0.4, 0.4, 0.2, 0.1],  # inside: side 0.2 * 100 * 1.2 = 24 around the centre (50, 40.5)
        [0.0, 0.0, 0.1, 0.1],  # at the corner: pushed inside
        [0.1, 0.0, 0.9, 0.9],  # larger than the image's shorter side: cut to it
    ])  # fmt: skip
    out = O.crop_squares(boxes, 100, 90, margin=0.1)
    assert out[0].tolist() == [38, 28, 24]
    assert out[1].tolist() == [0, 0, 12]
    assert out[2].tolist() == [10, 0, 90]
    assert O.crop_squares(boxes[:1], 100, 90, 0.1, enlarge=2.0)[0].tolist() == [26, 16, 48]


@pytest.fixture(scope="module")
def scene(tmp_path_factory, photo_paths):
    """A 320 x 240 PNG whose two objects are the photos chelsea and coffee, and its boxes."""
    folder = tmp_path_factory.mktemp("scene")
    canvas = Image.new("RGB", (320, 240), (90, 120, 60))
    cat = Image.open(photo_paths[0]).resize((120, 100))
    cup = Image.open(photo_paths[1]).resize((90, 80))
    canvas.paste(cat, (20, 30))
    canvas.paste(cup, (200, 140))
    path = str(folder / "scene.png")
    canvas.save(path)
    boxes = np.array([[20 / 320, 30 / 240, 120 / 320, 100 / 240],
                      [200 / 320, 140 / 240, 90 / 320, 80 / 240]])  # fmt: skip
    return path, boxes


def _cosine(a, b):
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_an_object_embeds_like_its_crop_saved_as_an_image(tmp_path, lite0, scene):
    path, boxes = scene
    result = O.embed_objects([path], [boxes], lite0, num_workers=0, margin=0.1)
    assert result.errors == [None, None] and result.vectors.shape == (2, 1280)
    t = lite0.transform
    squares = O.crop_squares(boxes, 320, 240, 0.1, t.resize_size / t.crop_size)
    image = Image.open(path)
    crops = []
    for k, (left, top, side) in enumerate(squares):
        crops.append(str(tmp_path / f"crop{k}.png"))
        image.crop((left, top, left + side, top + side)).save(crops[-1])
    reference = embed_images(crops, lite0, num_workers=0, decoder="pillow").vectors
    np.testing.assert_allclose(result.vectors, reference, rtol=1e-3, atol=1e-4)
    assert _cosine(result.vectors[:1], result.vectors[1:])[0] < 0.9  # two different objects


def test_each_image_is_decoded_once_for_all_its_objects(monkeypatch, lite0, scene):
    path, boxes = scene
    calls, original = [], O.load_image

    def counted(p, **kw):
        calls.append(p)
        return original(p, **kw)

    monkeypatch.setattr(O, "load_image", counted)
    many = np.repeat(boxes, 5, axis=0)  # 10 objects in one image
    result = O.embed_objects([path, path], [many, boxes], lite0, batch_size=4, num_workers=0)
    assert result.ok.all() and len(result.errors) == 12
    assert calls == [path, path]  # one decode per image, not one per object
    np.testing.assert_allclose(result.vectors[10:], result.vectors[[0, 5]], rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("workers, overlap", [(0, None), (2, False), (2, True)])
def test_small_objects_and_bad_images_are_recorded_per_object(
    tmp_path, lite0, scene, workers, overlap
):
    path, boxes = scene
    (tmp_path / "empty.png").write_bytes(b"")
    tiny = np.array([[0.5, 0.5, 10 / 320, 20 / 240]])  # sqrt(10 x 20) = 14 px: under 16
    result = O.embed_objects(
        [path, str(tmp_path / "empty.png"), path, path],
        [np.vstack([tiny, boxes]), boxes, np.zeros((0, 4)), tiny],
        lite0, batch_size=3, num_workers=workers, overlap=overlap, min_size=16,
    )  # fmt: skip
    assert result.errors == [
        "object smaller than 16 px", None, None,
        "image: zero-byte file", "image: zero-byte file",
        "object smaller than 16 px",
    ]  # fmt: skip
    assert result.n_small == 2 and list(result.ok) == [False, True, True, False, False, False]
    assert (
        np.isnan(result.vectors[~result.ok]).all() and np.isfinite(result.vectors[result.ok]).all()
    )
    alone = O.embed_objects([path], [boxes], lite0, num_workers=0).vectors
    np.testing.assert_allclose(result.vectors[1:3], alone, rtol=1e-3, atol=1e-4)


def test_a_large_jpeg_is_decoded_at_reduced_scale_with_the_same_crops(
    monkeypatch, tmp_path, lite0, photo_paths
):
    big = Image.open(photo_paths[3]).resize((2048, 2048))  # astronaut
    path = str(tmp_path / "big.jpg")
    big.save(path, quality=95)
    boxes = np.array([[0.3, 0.1, 0.4, 0.4], [0.05, 0.6, 0.3, 0.3]])
    sizes, original = [], O.load_image

    def recorded(p, **kw):
        loaded = original(p, **kw)
        sizes.append(loaded.image.size)
        return loaded

    monkeypatch.setattr(O, "load_image", recorded)
    drafted = O.embed_objects([path], [boxes], lite0, num_workers=0).vectors
    assert sizes == [(1024, 1024)]  # the smallest crop still has 1024 * 0.36 > 256 pixels
    t = lite0.transform
    crops = []
    full = Image.open(path).convert("RGB")
    for k, (left, top, side) in enumerate(
        O.crop_squares(boxes, 2048, 2048, 0.1, t.resize_size / t.crop_size)
    ):
        crops.append(str(tmp_path / f"crop{k}.png"))
        full.crop((left, top, left + side, top + side)).save(crops[-1])
    reference = embed_images(crops, lite0, num_workers=0, decoder="pillow").vectors
    assert (_cosine(drafted, reference) > 0.99).all()


def test_bad_arguments_say_what_to_pass(lite0):
    with pytest.raises(ValueError, match="margin must be a number in"):
        O.embed_objects([], [], lite0, margin=-1)
    with pytest.raises(ValueError, match="min_size must be a whole number"):
        O.embed_objects([], [], lite0, min_size=0)
    with pytest.raises(ValueError, match="boxes for 0 images but 1 paths"):
        O.embed_objects(["a.png"], [], lite0)
    assert O.embed_objects([], [], lite0).vectors.shape == (0, 1280)
