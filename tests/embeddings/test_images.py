"""Loading one image file as upright RGB: every Pillow mode, EXIF orientation, bad files."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from fiftyone_plugin.embeddings import load_image
from fiftyone_plugin.embeddings.images import to_rgb

RED, WHITE = (255, 0, 0), (255, 255, 255)


def _save(tmp_path, name, image, **kwargs) -> str:
    path = tmp_path / name
    image.save(path, **kwargs)
    return str(path)


def _loaded(path, **kwargs) -> Image.Image:
    image, error = load_image(path, **kwargs)
    assert error is None and image is not None, error
    assert image.mode == "RGB"
    return image


def _pixel(image, xy=(0, 0)):
    return image.getpixel(xy)


# --- modes: (file name, image, expected RGB of pixel (0, 0)) -------------------------------------


def _gray16():
    return Image.fromarray(np.full((8, 8), 32896, dtype=np.uint16))  # 32896 = 128 * 257


def _palette_with_transparency():
    im = Image.new("P", (8, 8), 1)
    im.putpalette([0, 0, 0] + list(RED) + [0, 0, 255] * 254)
    im.info["transparency"] = 1  # palette index 1 (red) is transparent
    return im


CASES = {
    "L": ("l.png", Image.new("L", (8, 8), 77), (77, 77, 77)),
    "LA transparent": ("la.png", Image.new("LA", (8, 8), (0, 0)), WHITE),
    "P": ("p.gif", Image.new("RGB", (8, 8), RED).convert("P"), RED),
    "P with transparency": ("pt.png", _palette_with_transparency(), WHITE),
    "RGBA transparent": ("rgba.png", Image.new("RGBA", (8, 8), (0, 0, 0, 0)), WHITE),
    "RGBA opaque": ("rgbao.png", Image.new("RGBA", (8, 8), (*RED, 255)), RED),
    "RGBA half": ("rgbah.png", Image.new("RGBA", (8, 8), (0, 0, 0, 128)), (127, 127, 127)),
    "CMYK": ("cmyk.jpg", Image.new("CMYK", (8, 8), (0, 255, 255, 0)), RED),
    "I;16": ("i16.png", _gray16(), (128, 128, 128)),
    "I": ("i32.tif", Image.fromarray(np.full((8, 8), 65535, dtype=np.int32)), WHITE),
    "F": ("f.tif", Image.fromarray(np.full((8, 8), 0.5, dtype=np.float32)), (128, 128, 128)),
    "1": ("bilevel.png", Image.new("1", (8, 8), 1), WHITE),
    "RGB": ("rgb.png", Image.new("RGB", (8, 8), RED), RED),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_mode_loads_as_rgb(tmp_path, case):
    name, image, expected = CASES[case]
    path = _save(tmp_path, name, image)
    assert Image.open(path).mode == image.mode  # the file really holds that mode
    loaded = _loaded(path)
    assert loaded.size == (8, 8)
    assert np.allclose(_pixel(loaded), expected, atol=2), _pixel(loaded)


def test_sixteen_bit_is_scaled_not_clipped(tmp_path):
    ramp = np.linspace(0, 65535, 256).astype(np.uint16).reshape(16, 16)
    loaded = np.asarray(_loaded(_save(tmp_path, "ramp.png", Image.fromarray(ramp))))[..., 0]
    assert loaded.min() == 0 and loaded.max() == 255
    assert len(np.unique(loaded)) > 200  # clipping at 255 would leave almost everything white
    assert np.all(np.diff(loaded.ravel().astype(int)) >= 0)


def test_rgba_background_can_be_chosen():
    image = to_rgb(Image.new("RGBA", (2, 2), (0, 0, 0, 0)), background=(0, 0, 0))
    assert _pixel(image) == (0, 0, 0)


def test_animated_gif_gives_its_first_frame(tmp_path):
    frames = [Image.new("RGB", (8, 8), c) for c in (RED, (0, 0, 255), (0, 255, 0))]
    path = str(tmp_path / "anim.gif")
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=50, loop=0)
    assert Image.open(path).n_frames == 3
    assert _pixel(_loaded(path)) == RED


def test_exif_orientation_is_applied(tmp_path):
    """Stored 40 wide x 20 high with a red top-left corner; orientation 6 means "rotate 90
    degrees clockwise to display": shown 20 wide x 40 high with the red corner at the top right."""
    stored = Image.new("RGB", (40, 20), WHITE)
    stored.paste(RED, (0, 0, 10, 10))
    exif = Image.Exif()
    exif[0x0112] = 6
    path = _save(tmp_path, "rotated.jpg", stored, exif=exif, quality=95)
    loaded = _loaded(path)
    assert loaded.size == (20, 40)
    r, g, b = _pixel(loaded, (15, 4))
    assert r > 200 and g < 60 and b < 60
    assert min(_pixel(loaded, (4, 4))) > 200  # the top left is white


def test_large_jpeg_is_decoded_at_reduced_scale_but_not_below_min_size(tmp_path):
    path = _save(tmp_path, "big.jpg", Image.new("RGB", (2000, 1000), RED))
    image = _loaded(path, min_size=256)
    assert 256 <= min(image.size) < 1000
    assert image.size[0] == 2 * image.size[1]
    assert _loaded(path).size == (2000, 1000)  # without min_size: full resolution


# --- bad files -----------------------------------------------------------------------------------


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG file whose header declares width x height (its pixel data is empty)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def _noise(size=(64, 64)) -> Image.Image:
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 256, (*size[::-1], 3), dtype=np.uint8))


def _truncated(tmp_path, name, fraction=0.5) -> str:
    path = tmp_path / name
    _noise().save(path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return str(path)


def test_zero_byte_file(tmp_path):
    (tmp_path / "empty.jpg").write_bytes(b"")
    assert load_image(tmp_path / "empty.jpg") == (None, "zero-byte file")


@pytest.mark.parametrize(
    "name, reason", [("cut.jpg", "truncated JPEG"), ("cut.png", "truncated PNG")]
)
def test_truncated_files(tmp_path, name, reason):
    assert load_image(_truncated(tmp_path, name)) == (None, reason)


def test_text_file_named_jpg_is_not_an_image(tmp_path):
    (tmp_path / "notes.jpg").write_text("these are not pixels\n")
    assert load_image(tmp_path / "notes.jpg") == (None, "not an image")


@pytest.mark.parametrize(
    "head, reason",
    [
        (
            b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00",
            "unsupported format HEIC (pip install pillow-heif)",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "unsupported format SVG (vector drawing)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "corrupt PNG (unreadable header)"),
    ],
)
def test_formats_pillow_cannot_read_are_named(tmp_path, head, reason):
    (tmp_path / "photo.jpg").write_bytes(head)
    assert load_image(tmp_path / "photo.jpg") == (None, reason)


def test_missing_file_and_directory(tmp_path):
    assert load_image(tmp_path / "nope.png") == (None, "file not found")
    assert load_image(tmp_path) == (None, "is a directory")


def test_decompression_bomb_is_an_error_below_pillows_own_limit(tmp_path):
    path = _save(tmp_path, "big.png", Image.new("RGB", (100, 100)))
    assert load_image(path, max_pixels=5_000) == (None, "decompression bomb (10000 px)")
    assert _loaded(path, max_pixels=10_000).size == (100, 100)


def test_decompression_bomb_beyond_pillows_limit_is_never_decoded(tmp_path):
    (tmp_path / "bomb.png").write_bytes(_png_declaring(30_000, 30_000))
    assert load_image(tmp_path / "bomb.png") == (None, "decompression bomb (900000000 px)")


@settings(
    max_examples=60,
    deadline=None,
    database=None,  # writes no .hypothesis/ folder
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    prefix=st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"GIF89a", b"BM"]),
    body=st.binary(max_size=300),
)
def test_arbitrary_bytes_never_raise(tmp_path, prefix, body):
    path = tmp_path / "fuzz.png"
    path.write_bytes(prefix + body)
    image, error = load_image(path)
    assert (image is None) != (error is None)
    assert error is None or ("\n" not in error and len(error) <= 160)


def test_pillows_bomb_warning_becomes_our_error(tmp_path, recwarn):
    """Between Image.MAX_IMAGE_PIXELS and twice that Pillow only warns; we refuse, silently."""
    (tmp_path / "big.png").write_bytes(_png_declaring(10_000, 10_000))
    assert load_image(tmp_path / "big.png", max_pixels=50_000_000) == (
        None,
        "decompression bomb (100000000 px)",
    )
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]
