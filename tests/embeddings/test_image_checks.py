"""Images without content: blank frames and pure noise, told apart from photographs (real
photos from scikit-image, with and without sensor noise)."""

from __future__ import annotations

import numpy as np
import pytest
import skimage.data
from PIL import Image

from fiftyone_plugin.embeddings.image_checks import (
    BLANK,
    NOISE,
    box_issues,
    file_issues,
    image_issue,
)


@pytest.fixture(scope="module")
def rng():
    return np.random.default_rng(0)


def test_a_flat_frame_is_blank_and_pure_noise_is_noise(rng):
    assert image_issue(np.full((64, 64), 93.0)) == BLANK
    assert image_issue(np.full((64, 64), 93.0) + rng.normal(0, 0.3, (64, 64))) == BLANK
    assert image_issue(rng.integers(0, 256, (128, 128))) == NOISE
    assert image_issue(rng.normal(128, 5, (300, 200))) == NOISE


@pytest.mark.parametrize("name", ["camera", "moon", "coins", "hubble_deep_field", "gravel"])
def test_photographs_hold_content_even_with_sensor_noise(rng, name):
    grey = np.asarray(Image.fromarray(getattr(skimage.data, name)()).convert("L"), dtype=float)
    assert image_issue(grey) is None
    noisy = np.clip(grey + rng.normal(0, 8, grey.shape), 0, 255)
    assert image_issue(noisy) is None


def test_a_photo_with_a_flat_part_is_not_blank():
    grey = np.asarray(Image.fromarray(skimage.data.camera()).convert("L"), dtype=float).copy()
    grey[100:] = 0  # a broken render: most of the frame black
    assert image_issue(grey) is None


def test_too_small_to_tell_is_left_alone(rng):
    assert image_issue(rng.integers(0, 256, (8, 8))) is None


def test_files_are_checked_and_unreadable_ones_left_to_the_embedding_step(tmp_path, rng):
    Image.new("RGB", (40, 30), (200, 10, 10)).save(tmp_path / "blank.png")
    Image.fromarray(rng.integers(0, 256, (2000, 1500, 3), dtype=np.uint8)).save(tmp_path / "n.png")
    Image.fromarray(skimage.data.astronaut()).save(tmp_path / "photo.jpg")
    (tmp_path / "broken.png").write_bytes(b"not an image")
    paths = [tmp_path / n for n in ("blank.png", "n.png", "photo.jpg", "broken.png")]
    assert file_issues(paths) == [BLANK, NOISE, None, None]


def test_boxes_are_checked_inside_their_image(tmp_path, rng):
    scene = np.asarray(Image.fromarray(skimage.data.astronaut()).resize((400, 400))).copy()
    scene[20:120, 20:120] = (90, 160, 30)  # an object that did not render: a flat box
    scene[200:300, 250:350] = rng.integers(0, 256, (100, 100, 3))  # one rendered as noise
    Image.fromarray(scene).save(tmp_path / "scene.png")
    (tmp_path / "broken.png").write_bytes(b"not an image")
    boxes = np.array([[0.05, 0.05, 0.25, 0.25], [0.625, 0.5, 0.25, 0.25],
                      [0.4, 0.05, 0.3, 0.4], [0.5, 0.5, 0.0, 0.0]])  # fmt: skip
    found = box_issues([tmp_path / "scene.png", tmp_path / "broken.png"], [boxes, boxes[:1]])
    assert found == [[BLANK, NOISE, None, None], [None]]  # the face holds content
