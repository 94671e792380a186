"""Fine-tune EfficientNet-Lite0 on images and test it: the real training that the probe predicts.

The network starts from its ImageNet weights (fiftyone_plugin.embeddings.efficientnet_lite); its
last ``train_blocks`` MBConv blocks, the head convolution and a new classifier are trained on the
given images (random crops and shifts each epoch, so the frozen early layers run on new inputs
every time; batch norms keep their ImageNet statistics), the rest stays frozen. On a CPU at
``size`` = 112 px this takes a minute or two for a thousand images.
"""

from __future__ import annotations

import numpy as np


def _batch(images: list[np.ndarray], size: int, rng: np.random.Generator | None):
    """uint8 HxWx3 images -> normalised (N, 3, size, size) tensor; random crop + shift when
    ``rng`` is given (training), plain resize otherwise."""
    import torch
    import torch.nn.functional as F

    from fiftyone_plugin.embeddings import efficientnet_lite as lite

    out = []
    for a in images:
        t = torch.from_numpy(np.ascontiguousarray(a)).permute(2, 0, 1).float()[None] / 255
        if rng is not None:
            h, w = a.shape[:2]
            s = rng.uniform(0.8, 1.0)
            ch, cw = max(int(h * s), 4), max(int(w * s), 4)
            y, x = rng.integers(0, h - ch + 1), rng.integers(0, w - cw + 1)
            t = t[:, :, y : y + ch, x : x + cw]
        out.append(F.interpolate(t, size=(size, size), mode="bilinear", align_corners=False))
    x = torch.cat(out)
    mean = torch.tensor(lite.MEAN).view(1, 3, 1, 1)
    std = torch.tensor(lite.STD).view(1, 3, 1, 1)
    return ((x - mean) / std).contiguous(memory_format=torch.channels_last)


def finetune_predict(
    train_images: list[np.ndarray],
    train_labels: np.ndarray,
    test_images: list[np.ndarray],
    n_classes: int,
    epochs: int = 6,
    size: int = 112,
    train_blocks: int = 2,
    batch_size: int = 32,
    lr: float = 1e-3,
    seed: int = 0,
) -> np.ndarray:
    """Fine-tune on (train_images, train_labels in [0, n_classes)), return the class predicted
    for each test image."""
    import torch
    from torch import nn

    from fiftyone_plugin.embeddings.efficientnet_lite import FEATURE_DIM, efficientnet_lite0

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = efficientnet_lite0(pretrained=True)
    net._fc = nn.Linear(FEATURE_DIM, n_classes)
    net = net.to(memory_format=torch.channels_last)
    for p in net.parameters():
        p.requires_grad = False
    frozen = len(net._blocks) - train_blocks
    trained = [*net._blocks[frozen:], net._conv_head, net._fc]
    params = [p for m in trained for p in m.parameters()]
    for p in params:
        p.requires_grad = True
    net.eval()  # batch norms keep their statistics; dropout is switched on below

    def trunk(x):
        with torch.no_grad():
            x = net.act(net._bn0(net._conv_stem(x)))
            for block in net._blocks[:frozen]:
                x = block(x)
        return x

    def top(x):
        for block in net._blocks[frozen:]:
            x = block(x)
        x = net.act(net._bn1(net._conv_head(x)))
        return net._fc(net.dropout(torch.flatten(net.pool(x), 1)))

    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=1e-4)
    steps = epochs * int(np.ceil(len(train_images) / batch_size))
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, lr, total_steps=steps)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    y = torch.as_tensor(np.asarray(train_labels), dtype=torch.long)
    net.dropout.train()
    for _ in range(epochs):
        order = rng.permutation(len(train_images))
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            x = trunk(_batch([train_images[i] for i in idx], size, rng))
            loss = loss_fn(top(x), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
    net.dropout.eval()
    predictions = []
    with torch.no_grad():
        for start in range(0, len(test_images), 64):
            x = _batch(test_images[start : start + 64], size, None)
            predictions.append(top(trunk(x)).argmax(1).numpy())
    return np.concatenate(predictions)
