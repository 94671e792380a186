"""EfficientNet-Lite0 with the real ImageNet weights: known answers on real photos."""

from __future__ import annotations

import pytest
import torch

from fiftyone_plugin.embeddings import embed_images
from fiftyone_plugin.embeddings.efficientnet_lite import (
    FEATURE_DIM,
    Conv2dSame,
    efficientnet_lite0,
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
