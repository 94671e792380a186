"""The layout share of real images: digits drawn in a frame hold about half their pixel variance as a
fixed layout, crops of photos almost none; files are read as the analysis reads them."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from fiftyone_plugin.embeddings.layout import SIDE, file_layout_share, layout_share


def _digits() -> np.ndarray:
    from sklearn.datasets import load_digits

    return 255 - load_digits().images[:300] * 255 / 16  # dark ink on paper, 8 x 8


def _photo_crops(rng: np.random.Generator, n: int = 200, side: int = 48) -> np.ndarray:
    import skimage.data

    photos = [np.asarray(Image.fromarray(getattr(skimage.data, name)()).convert("L"))
              for name in ("astronaut", "chelsea", "coffee", "camera", "rocket", "brick")]  # fmt: skip
    crops = []
    for i in range(n):
        photo = photos[i % len(photos)]
        y, x = rng.integers(0, photo.shape[0] - side), rng.integers(0, photo.shape[1] - side)
        crops.append(photo[y : y + side, x : x + side])
    return np.stack(crops).astype(np.float64)


def test_digits_in_a_frame_have_a_layout_and_photo_crops_none():
    digits, crops = layout_share(_digits()), layout_share(_photo_crops(np.random.default_rng(0)))
    assert digits > 0.4 and crops < 0.01  # 0.50 and 0.001 here


def test_known_answers():
    same = np.repeat(np.arange(16.0).reshape(1, 4, 4), 5, axis=0)
    assert layout_share(same) == 1.0  # every image the same picture
    flat = np.stack([np.full((4, 4), float(v)) for v in range(5)])
    assert layout_share(flat) == 0.0  # images differ, no pixel differs on average
    assert layout_share(np.zeros((3, 4, 4))) == 0.0
    with pytest.raises(ValueError, match=r"must be \(n, h, w\) with n >= 2"):
        layout_share(np.zeros((1, 4, 4)))


def test_files_are_read_as_thumbnails_and_unreadable_ones_skipped(tmp_path):
    paths = []
    for i, digit in enumerate(_digits()[:40]):
        path = tmp_path / f"{i}.png"
        Image.fromarray(digit.astype(np.uint8)).resize((64, 64)).save(path)
        paths.append(str(path))
    (tmp_path / "broken.png").write_bytes(b"not an image")
    share = file_layout_share([*paths, str(tmp_path / "broken.png"), str(tmp_path / "gone.png")])
    thumbs = [np.asarray(Image.open(p).convert("L").resize((SIDE, SIDE)), float) for p in paths]
    assert share == pytest.approx(layout_share(np.stack(thumbs) / 255), abs=0.05) and share > 0.5
    assert file_layout_share(paths[:1]) is None
    assert file_layout_share(paths, max_images=10) == pytest.approx(share, abs=0.15)


def test_the_sample_follows_the_files_not_their_order_and_changed_files_are_read_again(tmp_path):
    paths = []
    for i, digit in enumerate(_digits()[:30]):
        path = tmp_path / f"{i}.png"
        Image.fromarray(digit.astype(np.uint8)).resize((32, 32)).save(path)
        paths.append(str(path))
    share = file_layout_share(paths, max_images=12)
    assert file_layout_share(paths[::-1], max_images=12) == share
    assert share > 0.3
    rng = np.random.default_rng(0)
    for path in paths:  # the same files, now noise: no layout
        Image.fromarray(rng.integers(0, 256, (32, 32), dtype=np.uint8)).save(path)
    assert file_layout_share(paths, max_images=12) < share / 2
