"""paths: names made safe before they become paths, output folders checked before any work, and
nothing written outside the folder it belongs in, whatever the name (hostile names included)."""

from __future__ import annotations

import os

import pytest

from fiftyone_plugin.paths import (
    MAX_NAME,
    app_out_dir,
    check_out_dir,
    default_out_dir,
    inside,
    resolve,
    safe_name,
)

HOSTILE = [
    "x/../../../esc", "..", ".", "/", "/etc/passwd", "a/b", "a\\..\\..\\b", "nul\0byte",
    "~", "~root/x", "-rf", ".hidden", "", " ", "x" * 1000, "ünïcødé/名前", "a\nb", "../" * 50,
]  # fmt: skip


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_dataset_name_stays_one_folder_inside_the_output_root(name, tmp_path):
    root = tmp_path / "synthgap-out"
    folder = default_out_dir(name, str(root))
    assert os.path.dirname(folder) == str(root)
    leaf = os.path.basename(folder)
    assert leaf == safe_name(name) and 0 < len(leaf) <= MAX_NAME + 9
    assert not leaf.startswith((".", "-")) and "\0" not in leaf
    os.makedirs(check_out_dir(folder))  # creatable and writable: a name the file system takes
    assert os.listdir(tmp_path) == ["synthgap-out"] and os.listdir(root) == [leaf]


def test_safe_names_keep_plain_names_and_part_different_ones():
    assert safe_name("synthgap-demo") == "synthgap-demo"
    assert safe_name("my_data.v2") == "my_data.v2"
    assert safe_name("a/b") != safe_name("a-b") != safe_name("a b")
    assert safe_name("x" * 1000) != safe_name("x" * 999)


def test_inside_refuses_what_leaves_the_base(tmp_path):
    base = str(tmp_path)
    assert inside(base, "a", "b.html") == os.path.join(base, "a", "b.html")
    for part in ("..", "../x", "/etc/passwd", "a/../../x"):
        with pytest.raises(ValueError, match="outside"):
            inside(base, part)
    with pytest.raises(ValueError, match="NUL"):
        inside(base, "a\0b")


def test_relative_paths_are_taken_from_the_stated_base(tmp_path):
    base = str(tmp_path / "base")
    assert resolve("report.html", base) == os.path.join(base, "report.html")
    assert resolve("sub/../r.html", base) == os.path.join(base, "r.html")
    assert resolve(str(tmp_path / "abs.html"), base) == str(tmp_path / "abs.html")
    assert resolve("~/r.html", base) == os.path.join(os.path.expanduser("~"), "r.html")
    with pytest.raises(ValueError, match="NUL"):
        resolve("a\0b", base)


def test_the_apps_default_folder_is_under_the_home_not_the_servers_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    home = os.path.expanduser("~")
    folder = app_out_dir("x/../../../esc")
    assert folder.startswith(os.path.join(home, "synthgap-out") + os.sep)
    assert not folder.startswith(str(tmp_path))


def test_an_output_folder_that_cannot_be_made_is_one_line_before_any_work(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("mine")
    for bad in (str(afile), str(afile / "sub"), "/proc/synthgap-no", str(tmp_path / ("x" * 300))):
        with pytest.raises(ValueError, match="Output folder .* (is a file|cannot be written)"):
            check_out_dir(bad)
    assert afile.read_text() == "mine"
    made = check_out_dir(str(tmp_path / "new" / "deeper"))
    assert made == str(tmp_path / "new" / "deeper")
    assert os.listdir(tmp_path) == ["afile"]  # what the check made is gone again
    (tmp_path / "kept").mkdir()
    check_out_dir(str(tmp_path / "kept"))
    assert (tmp_path / "kept").is_dir()  # a folder that was there stays
