"""The plugin is discoverable from FIFTYONE_PLUGINS_DIR and lists every operator it registers."""

from __future__ import annotations

import os

import yaml

PLUGIN = "@synthgap/synthgap"
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def synthgap_operators() -> dict:
    from fiftyone.operators.registry import OperatorRegistry

    return {
        op.config.name: op.config
        for op in OperatorRegistry().list_operators(type="operator")
        if op.plugin_name == PLUGIN
    }


def test_the_plugin_and_all_its_operators_are_found(plugins_dir):
    import fiftyone.plugins as fop

    link = os.path.join(plugins_dir, "synthgap")
    assert os.path.realpath(link) == os.path.realpath(REPO_ROOT)
    assert PLUGIN in [p.name for p in fop.list_plugins()]
    assert set(synthgap_operators()) == {
        "add_images", "mark_domain", "compute_embeddings", "analyze_gap", "show_region",
        "manage_runs", "curate_synthetic", "metrics_report", "open_embeddings", "repair_counts",
    }  # fmt: skip


def test_the_manifest_lists_exactly_the_registered_operators():
    with open(os.path.join(REPO_ROOT, "fiftyone.yml")) as f:
        manifest = yaml.safe_load(f)
    assert manifest["name"] == PLUGIN
    assert sorted(manifest["operators"]) == sorted(synthgap_operators())


def test_long_operators_can_be_delegated_and_quick_ones_run_at_once():
    configs = synthgap_operators()
    for name in ("add_images", "mark_domain", "compute_embeddings", "analyze_gap",
                 "curate_synthetic", "metrics_report"):  # fmt: skip
        assert configs[name].allow_delegated_execution, name
    for name in ("show_region", "manage_runs"):
        assert not configs[name].allow_delegated_execution, name


def test_the_count_check_runs_whenever_the_app_opens_a_dataset():
    config = synthgap_operators()["repair_counts"]
    assert config.on_dataset_open and config.unlisted


def test_every_form_is_titled_with_its_operators_label(dataset_name):
    import fiftyone as fo
    from fiftyone.operators.executor import ExecutionContext
    from fiftyone.operators.registry import OperatorRegistry

    fo.Dataset(dataset_name)
    titled = set()
    for operator in OperatorRegistry().list_operators(type="operator"):
        if operator.plugin_name != PLUGIN:
            continue
        ctx = ExecutionContext(request_params={"dataset_name": dataset_name, "params": {}})
        form = operator.resolve_input(ctx)
        if form is not None:
            assert form.view.label == operator.config.label, operator.config.name
            titled.add(operator.config.name)
    assert titled == {
        "add_images", "mark_domain", "compute_embeddings", "analyze_gap", "show_region",
        "manage_runs", "curate_synthetic", "metrics_report",
    }  # fmt: skip
