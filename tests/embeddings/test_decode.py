"""The device decoder (JPEGs decoded by torchvision on the model's device, nvJPEG on a GPU), run
here on the CPU, where torchvision's decode_jpeg takes the same calls: its headers, EXIF
orientation and fallbacks follow Pillow's rules, its batches and embeddings match the Pillow
decoders'."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image, ImageOps
from skimage import data
from torchvision.io import ImageReadMode, decode_jpeg

from fiftyone_plugin.embeddings import decode, embed_images
from fiftyone_plugin.embeddings.transform import ImageTransform


def _photo(size=(96, 64)) -> Image.Image:
    """A real photo, not square, so that any turn or flip changes its pixels."""
    return Image.fromarray(data.astronaut()).resize(size)


def _jpeg(image: Image.Image, **save) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", **save)
    return buf.getvalue()


@pytest.mark.parametrize(
    "mode, save, frame",
    [
        ("RGB", {}, 0xC0),
        ("RGB", {"progressive": True}, 0xC2),
        ("L", {}, 0xC0),
        ("CMYK", {}, 0xC0),
    ],
    ids=["baseline", "progressive", "grey", "cmyk"],
)
def test_jpeg_header_reads_size_components_and_frame(mode, save, frame):
    image = _photo((123, 45)).convert(mode)
    height, width, components, marker, orientation = decode.jpeg_header(_jpeg(image, **save))
    assert (width, height) == image.size
    assert components == len(image.getbands())
    assert marker == frame and orientation == 1


def test_jpeg_header_refuses_what_is_not_a_jpeg():
    png = io.BytesIO()
    _photo().save(png, "PNG")
    assert decode.jpeg_header(png.getvalue()) is None
    assert decode.jpeg_header(b"not an image at all") is None
    assert decode.jpeg_header(_jpeg(_photo())[:20]) is None  # cut before the frame header


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied_as_pillow_does(orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    data_ = _jpeg(_photo(), exif=exif.tobytes(), quality=95)
    assert decode.jpeg_header(data_)[4] == orientation
    ours = decode.orient(
        decode_jpeg(torch.frombuffer(bytearray(data_), dtype=torch.uint8), ImageReadMode.RGB),
        orientation,
    )
    pillow = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data_))).convert("RGB"))
    assert ours.permute(1, 2, 0).shape == pillow.shape
    # the same libjpeg-turbo decodes both: at most a level of difference from its IDCT settings
    assert np.abs(ours.permute(1, 2, 0).numpy().astype(int) - pillow).max() <= 2


@pytest.fixture(scope="module")
def jpeg_folder(tmp_path_factory, photo_dir):
    """The test photos as JPEGs (quality 95), one of them EXIF-rotated, one progressive, one
    grey, one CMYK (which goes to Pillow), at their own sizes."""
    folder = tmp_path_factory.mktemp("jpegs")
    paths = []
    for k, png in enumerate(sorted(photo_dir.glob("*.png"))):
        image = Image.open(png).convert("RGB")
        save: dict = {"quality": 95}
        if k == 1:
            exif = Image.Exif()
            exif[0x0112] = 6
            image, save["exif"] = image.rotate(90, expand=True), exif.tobytes()
        elif k == 2:
            save["progressive"] = True
        elif k == 3:
            image = image.convert("L")
        elif k == 4:
            image = image.convert("CMYK")
        path = folder / f"{png.stem}.jpg"
        image.save(path, **save)
        paths.append(str(path))
    return paths


def test_device_batches_match_pillow_batches(jpeg_folder):
    transform = ImageTransform(224, 256, (0.5,) * 3, (0.5,) * 3)
    files = decode.ImageFiles(jpeg_folder, transform, max_pixels=10**8)
    (idx_d, px_d, fail_d), *_ = list(decode.on_device(files, len(files), 2, "cpu"))
    (idx_p, px_p, fail_p), *_ = list(decode.between_batches(files, len(files), 2))
    assert idx_d == idx_p == list(range(len(jpeg_folder))) and fail_d == fail_p == []
    diff = (px_d.int() - px_p.int()).abs().float()
    # Pillow decodes large JPEGs at a reduced DCT scale first: a little blur, no misplacement
    assert diff.mean() < 4 and np.percentile(diff.numpy(), 99) < 40


def _cosine(a, b):
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_device_decoder_embeddings_match_torchvision_and_pillow(lite0, jpeg_folder):
    """The device decoder resizes the full-size decode, as torchvision's reference transforms do;
    Pillow may first decode a large JPEG at half scale (DCT scaling), which moves the embeddings
    of the 512 px photos a little more."""
    from torchvision import transforms

    device = embed_images(jpeg_folder, lite0, batch_size=3, num_workers=2, decoder="device")
    pillow = embed_images(jpeg_folder, lite0, batch_size=3, num_workers=2, decoder="pillow")
    assert device.errors == pillow.errors == [None] * len(jpeg_folder)
    t = lite0.transform
    reference = transforms.Compose(
        [
            transforms.Resize(t.resize_size),
            transforms.CenterCrop(t.crop_size),
            transforms.ToTensor(),
            transforms.Normalize(t.mean, t.std),
        ]
    )
    with torch.inference_mode():
        batch = torch.stack(
            [reference(ImageOps.exif_transpose(Image.open(p)).convert("RGB")) for p in jpeg_folder]
        )
        expected = lite0.module(batch).numpy()
    on_device = np.array([decode._read_for_device(p, 10**8) is not None for p in jpeg_folder])
    assert on_device.sum() == len(jpeg_folder) - 1  # the CMYK file goes to Pillow
    assert _cosine(device.vectors[on_device], expected[on_device]).min() > 0.99
    assert _cosine(device.vectors, pillow.vectors).min() > 0.97
    np.testing.assert_allclose(device.vectors[~on_device], pillow.vectors[~on_device], atol=1e-5)


def test_only_jpegs_it_can_take_go_to_the_device(tmp_path):
    good = tmp_path / "good.jpg"
    good.write_bytes(_jpeg(_photo()))
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(good.read_bytes()[:-100])
    cmyk = tmp_path / "cmyk.jpg"
    cmyk.write_bytes(_jpeg(_photo().convert("CMYK")))
    big = tmp_path / "big.jpg"
    big.write_bytes(_jpeg(_photo((400, 300))))
    assert decode._read_for_device(str(good), max_pixels=10**6) is not None
    for path in (cut, cmyk, tmp_path / "missing.jpg"):
        assert decode._read_for_device(str(path), max_pixels=10**6) is None
    assert decode._read_for_device(str(big), max_pixels=400 * 300 - 1) is None


def test_decoder_choice_is_checked(lite0, lite0_openvino, photo_paths):
    with pytest.raises(ValueError, match="Unknown decoder 'gpu'"):
        embed_images(photo_paths[:1], lite0, decoder="gpu")
    with pytest.raises(ValueError, match="decoder='device' feeds a torch network"):
        embed_images(photo_paths[:1], lite0_openvino, decoder="device")
    assert decode.pillow_or_device("cpu") == "pillow"
