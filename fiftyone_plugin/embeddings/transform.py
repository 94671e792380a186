"""ImageTransform: decoded pixels -> a model's input (centre crop, resize, normalisation).

A leaf module (torch, numpy, Pillow; nothing of this package), shared by the model registry, both
decoders (Pillow on the CPU, torchvision on the model's device) and the OpenVINO runtime.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image


class ImageTransform:
    """RGB image -> model input: shorter side resized to `resize_size`, centre crop of
    `crop_size` (square), normalised with `mean` / `std` given in [0, 1] units. `interpolation`:
    "bilinear" or "bicubic" (antialiased when shrinking, as torchvision's Resize).

    `prepare` / `prepare_tensors` (uint8 HWC, run by the decoders) and `normalize` (batched, on
    the device) split the work; calling the transform does both for one PIL image and returns a
    (3, crop, crop) float32 tensor.
    """

    def __init__(
        self,
        crop_size: int,
        resize_size: int,
        mean: Sequence[float],
        std: Sequence[float],
        interpolation: str = "bilinear",
    ) -> None:
        if resize_size < crop_size:
            raise ValueError(f"resize_size ({resize_size}) must be >= crop_size ({crop_size})")
        if interpolation not in ("bilinear", "bicubic"):
            raise ValueError(
                f"interpolation must be 'bilinear' or 'bicubic', not {interpolation!r}"
            )
        self.crop_size = crop_size
        self.resize_size = resize_size
        self.mean = tuple(mean)
        self.std = tuple(std)
        self.interpolation = interpolation

    def prepare(self, image: Image.Image) -> torch.Tensor:
        """(crop, crop, 3) uint8 tensor of an RGB PIL image (see :meth:`prepare_tensors`)."""
        pixels = torch.from_numpy(np.array(image, dtype=np.uint8)).permute(2, 0, 1)
        return self.prepare_tensors([pixels])[0]

    def prepare_tensors(self, images: Sequence[torch.Tensor]) -> torch.Tensor:
        """(3, H, W) uint8 RGB images, any sizes, on one device -> (N, crop, crop, 3) uint8 there.

        Same pixels as torchvision's Resize + CenterCrop up to rounding of the crop to whole
        source pixels, but only the kept region is resampled; images of one size are resampled
        together. On the CPU torch's uint8 kernel runs directly; elsewhere the resampling is done
        in float32 and rounded back.
        """
        size = self.crop_size
        out = torch.empty((len(images), size, size, 3), dtype=torch.uint8, device=images[0].device)
        by_shape: dict[tuple[int, int], list[int]] = {}
        for i, pixels in enumerate(images):
            by_shape.setdefault(tuple(pixels.shape[-2:]), []).append(i)
        for (h, w), rows in by_shape.items():
            side = max(1, round(size * min(w, h) / self.resize_size))  # in source pixels
            top, left = (h - side) // 2, (w - side) // 2
            crops = torch.stack([images[i][:, top : top + side, left : left + side] for i in rows])
            on_cpu = crops.device.type == "cpu"
            resized = torch.nn.functional.interpolate(
                crops if on_cpu else crops.float(),
                size=(size, size),
                mode=self.interpolation,
                antialias=side > size,
                align_corners=False,
            )
            if not on_cpu:
                resized = resized.round_().clamp_(0, 255).to(torch.uint8)
            out[torch.tensor(rows, device=out.device)] = resized.permute(0, 2, 3, 1)
        return out

    def normalize(self, batch: torch.Tensor) -> torch.Tensor:
        """(N, H, W, 3) uint8 -> (N, 3, H, W) float32 normalised, in channels_last memory."""
        x = batch.permute(0, 3, 1, 2).float()
        mean = torch.tensor(self.mean, device=x.device).view(1, 3, 1, 1) * 255
        std = torch.tensor(self.std, device=x.device).view(1, 3, 1, 1) * 255
        return ((x - mean) / std).contiguous(memory_format=torch.channels_last)

    def __call__(self, image: Image.Image) -> torch.Tensor:
        return self.normalize(self.prepare(image)[None])[0]

    def __repr__(self) -> str:
        return (
            f"ImageTransform(crop_size={self.crop_size}, resize_size={self.resize_size}, "
            f"mean={self.mean}, std={self.std}, interpolation={self.interpolation})"
        )
