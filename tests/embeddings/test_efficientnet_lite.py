"""EfficientNet-Lite0 with the real ImageNet weights: known answers on real photos; its
content-keeping variant: the style it drops, the layout it keeps, real digits across a shift."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from fiftyone_plugin.embeddings import embed_images, load_model
from fiftyone_plugin.embeddings.efficientnet_lite import (
    CONTENT_DIM,
    CONTENT_GRID,
    FEATURE_DIM,
    Conv2dSame,
    efficientnet_lite0,
    instance_grid,
)

# ImageNet classes: 281-285 are cats (285 Egyptian cat), 967 espresso, 657 missile.
KNOWN = {"chelsea": range(281, 286), "coffee": [967], "rocket": [657]}


@pytest.fixture(scope="module")
def classifier():
    """The ImageNet classifier (last layer) of the pretrained network, as a numpy affine map."""
    fc = efficientnet_lite0(pretrained=True)._fc
    return fc.weight.detach().numpy(), fc.bias.detach().numpy()


@pytest.mark.parametrize("model_fixture", ["lite0", "lite0_bf16", "lite0_openvino_bf16"])
def test_pretrained_top1_on_real_photos(request, model_fixture, photo_dir, classifier):
    model = request.getfixturevalue(model_fixture)
    paths = [str(photo_dir / f"{name}.png") for name in KNOWN]
    result = embed_images(paths, model, batch_size=4, num_workers=0)
    weight, bias = classifier
    top1 = (result.vectors @ weight.T + bias).argmax(axis=1)
    for name, cls in zip(KNOWN, top1, strict=True):
        assert cls in KNOWN[name], f"{name}: top-1 class {cls}"


def test_embedding_is_pooled_features_before_the_classifier(lite0):
    net = efficientnet_lite0(pretrained=True)
    x = torch.randn(2, 3, 96, 96)  # global pooling takes any size
    with torch.inference_mode():
        feats = lite0.module(x.contiguous(memory_format=torch.channels_last))
        logits = net(x)
        from_feats = net._fc(feats)
    assert feats.shape == (2, FEATURE_DIM) == (2, lite0.dim)
    torch.testing.assert_close(from_feats, logits, rtol=1e-4, atol=1e-4)


def test_architecture_matches_the_checkpoint_exactly():
    net = efficientnet_lite0(pretrained=False)
    assert sum(p.numel() for p in net.parameters()) == 4_652_008  # Lite0's published 4.65M
    assert len(net._blocks) == 16


@pytest.mark.parametrize(
    "size, corners", [(224, (9, 4)), (30, (9, 4)), (225, (4, 4)), (31, (4, 4))]
)
def test_strided_conv_pads_like_tensorflow_same(size, corners):
    """A 3x3 all-ones kernel with stride 2 counts the real pixels under each window. TensorFlow
    puts the odd pixel of padding at the bottom/right (even sizes), torch would pad both sides."""
    conv = Conv2dSame(1, 1, 3, stride=2, bias=False)
    torch.nn.init.ones_(conv.weight)
    with torch.no_grad():
        out = conv(torch.ones(1, 1, size, size))
    assert out.shape[-2:] == (-(-size // 2),) * 2  # ceil(size / 2)
    assert (out[0, 0, 0, 0].item(), out[0, 0, -1, -1].item()) == corners


def test_instance_grid_drops_each_maps_mean_and_contrast_and_keeps_where_things_are():
    maps = torch.rand(2, 5, 14, 14)
    scale = torch.rand(2, 5, 1, 1) * 3 + 0.1  # a per-image, per-channel contrast and offset
    shifted = maps * scale + torch.randn(2, 5, 1, 1)
    torch.testing.assert_close(instance_grid(shifted), instance_grid(maps), rtol=1e-4, atol=1e-4)
    spot = torch.zeros(1, 1, 14, 14)
    spot[..., 1, 12] = 1.0  # top right
    cells = instance_grid(spot, grid=2).view(2, 2)
    assert cells.argmax().item() == 1 and cells[0, 1] > 0 > cells[1, 0]
    assert instance_grid(spot).shape == (1, CONTENT_GRID**2)


def test_content_model_is_the_pooled_embedding_then_a_layout_part(lite0, photo_paths):
    content = load_model("efficientnet_lite0_content", device="cpu", precision="fp32")
    assert content.dim == CONTENT_DIM == 1280 + 16 * (80 + 112 + 192)
    vectors = embed_images(photo_paths, content, batch_size=4, num_workers=0).vectors
    pooled = embed_images(photo_paths, lite0, batch_size=4, num_workers=0).vectors
    assert vectors.shape == (len(photo_paths), CONTENT_DIM)
    unit = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
    np.testing.assert_allclose(vectors[:, :FEATURE_DIM], unit, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(vectors[:, FEATURE_DIM:], axis=1), 1.0, rtol=1e-5)


def _digits_pair(per_class: int = 8):
    """Real scikit-learn digits (dark ink on white, 64 px) and the same digits restyled: tinted,
    lower contrast, blurred, noisy, thicker strokes."""
    from scipy import ndimage
    from sklearn.datasets import load_digits

    d = load_digits()
    idx = np.concatenate([np.flatnonzero(d.target == c)[:per_class] for c in range(10)])
    rng = np.random.default_rng(0)
    plain, styled = [], []
    for im in d.images[idx]:
        ink = np.kron(im / 16, np.ones((6, 6)))
        a = np.repeat(np.pad(255 - 255 * ink, 8, constant_values=255)[..., None], 3, axis=2)
        plain.append(a.astype(np.uint8))
        b = ndimage.grey_erosion(a, size=(3, 3, 1))
        b = ndimage.gaussian_filter(b, sigma=(0.6, 0.6, 0))
        b = ((b - 128) * 0.8 + 128) * np.array([1.1, 1.0, 0.9]) + 8
        styled.append(np.clip(b + rng.normal(0, 8, b.shape), 0, 255).astype(np.uint8))
    return plain, styled, d.target[idx]


@pytest.mark.slow
def test_content_model_recognises_real_digits_across_a_style_shift(lite0, tmp_path):
    """Each restyled digit's nearest plain digit (each side centred) is of the same class more
    often with the content model than with the pooled features."""
    plain, styled, labels = _digits_pair()
    paths = []
    for i, a in enumerate(plain + styled):
        paths.append(tmp_path / f"{i:03d}.png")
        Image.fromarray(a).save(paths[-1])
    content = load_model("efficientnet_lite0_content", device="cpu", precision="fp32")
    agree = {}
    for model in (lite0, content):
        v = embed_images(paths, model, batch_size=32, num_workers=0).vectors
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        a, b = v[: len(plain)], v[len(plain) :]
        a, b = a - a.mean(0), b - b.mean(0)
        nearest = ((b[:, None] - a[None]) ** 2).sum(-1).argmin(1)
        agree[model.name] = np.mean(labels[nearest] == labels)
    assert agree["efficientnet_lite0_content"] >= 0.8
    assert agree["efficientnet_lite0_content"] > agree["efficientnet_lite0"] + 0.1
