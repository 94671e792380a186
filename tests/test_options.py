"""EmbeddingOptions: one option object for how images are embedded, built alike by the command
line, the Python API and the App's forms from one table of defaults."""

from __future__ import annotations

import pytest

from fiftyone_plugin import defaults
from fiftyone_plugin.cli import build_parser
from fiftyone_plugin.cli.model_options import embedding_options
from fiftyone_plugin.options import EmbeddingOptions


def test_defaults_come_from_the_defaults_table():
    options = EmbeddingOptions()
    assert (options.model, options.device, options.batch_size, options.num_workers) == (
        defaults.AUTO_MODEL, defaults.DEVICE, defaults.BATCH_SIZE, defaults.NUM_WORKERS,
    )  # fmt: skip
    assert (options.precision, options.backend, options.max_pixels) == (
        defaults.PRECISION, defaults.BACKEND, defaults.MAX_PIXELS,
    )  # fmt: skip
    assert options.validate() is options


@pytest.mark.parametrize(
    "change, match",
    [
        ({"batch_size": 0}, "batch_size must be a whole number >= 1"),
        ({"num_workers": -1}, "num_workers must be a whole number >= 0"),
        ({"max_pixels": 0}, "max_pixels must be a whole number >= 1"),
        ({"batch_size": 2.5}, "batch_size must be a whole number"),
        ({"precision": "fp8"}, r"Unknown precision 'fp8'. The available values are"),
        ({"backend": "tensorrt"}, r"Unknown backend 'tensorrt'. The available values are"),
        ({"model": ""}, "model must be a model name"),
    ],
)
def test_one_bad_option_is_named(change, match):
    with pytest.raises(ValueError, match=match):
        EmbeddingOptions().replace(**change).validate()


def test_replace_refuses_an_unknown_option():
    with pytest.raises(TypeError):
        EmbeddingOptions().replace(batchsize=4)


def test_the_command_line_builds_the_same_options():
    parser = build_parser()
    assert embedding_options(parser.parse_args(["embed", "--dataset", "d"])) == EmbeddingOptions()
    args = parser.parse_args(
        ["analyze", "--real", "r", "--synthetic", "s", "--model", "resnet18", "--precision",
         "bf16", "--num-workers", "0", "--batch-size", "8", "--compile", "--max-pixels", "99"]
    )  # fmt: skip
    assert embedding_options(args) == EmbeddingOptions(
        model="resnet18", precision="bf16", num_workers=0, batch_size=8, compile=True,
        max_pixels=99,
    )  # fmt: skip


def test_load_model_takes_the_options():
    from fiftyone_plugin.embeddings import load_model

    options = EmbeddingOptions(device="cpu", precision="fp32", backend="torch")
    with pytest.raises(ValueError, match="model 'auto' is chosen from the real images"):
        load_model(options)  # "auto" names no network until the images choose one
    model = load_model(options.replace(model="efficientnet_lite0"))
    assert (model.name, model.device, model.precision, model.backend) == (
        "efficientnet_lite0", "cpu", "fp32", "torch",
    )  # fmt: skip


@pytest.mark.parametrize(
    "change, match",
    [
        ({"real_format": "kitti"}, "Unknown real format 'kitti'; use one of auto, images, tree"),
        ({"synthetic_format": "csv"}, "Unknown synthetic format 'csv'"),
        ({"label_field": "no spaces"}, "label field"),
        ({"class_map": "missing-map.json"}, "missing-map.json"),
    ],
)
def test_bad_label_options_get_one_line_errors(change, match):
    from fiftyone_plugin.label_options import LabelOptions

    with pytest.raises(ValueError, match=match) as info:
        LabelOptions(**change).validate()
    assert "\n" not in str(info.value)
