"""Where synthgap writes: names made safe as file names, output folders checked before any work,
paths typed in forms resolved against a base they state, and nothing written outside its folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile

#: Folder of the command line's outputs, relative to the folder it runs in.
CLI_OUT = "synthgap-out"
#: Longest name kept whole (file systems take 255 bytes per path component).
MAX_NAME = 80

_UNSAFE = re.compile(r"(?:[^A-Za-z0-9_.-]|\.{2,})+")


def safe_name(name: str, fallback: str = "dataset") -> str:
    """``name`` as one file name: runs of characters other than letters, digits, ``_``, ``.``
    and ``-`` (and runs of dots) become ``-``, no leading dot, at most MAX_NAME characters. A
    name that had to change gets a short hash of the original, so two names stay two folders."""
    safe = _UNSAFE.sub("-", str(name)).strip("-.")[:MAX_NAME].strip("-.") or fallback
    if safe != name:
        safe += "-" + hashlib.sha1(str(name).encode("utf-8", "replace")).hexdigest()[:8]
    return safe


def inside(base: str, *parts: str) -> str:
    """The absolute path ``base/parts...``; ValueError if it leaves ``base`` (``..``, an
    absolute part, a NUL byte)."""
    root = absolute(base)
    path = absolute(os.path.join(root, *parts))
    if os.path.commonpath([root, path]) != root:
        raise ValueError(f"{os.path.join(*parts)!r} would be written outside {root!r}")
    return path


def absolute(path: str) -> str:
    """``path`` with ``~`` expanded, absolute and normalized; ValueError for a NUL byte."""
    if "\0" in str(path):
        raise ValueError(f"{path!r} is not a valid path (it holds a NUL byte)")
    return os.path.normpath(os.path.abspath(os.path.expanduser(path)))


def resolve(path: str, base: str) -> str:
    """A path typed by the user: absolute as given (``~`` expanded), a relative one taken from
    ``base``."""
    path = os.path.expanduser(str(path).strip())
    return absolute(path if os.path.isabs(path) else os.path.join(base, path))


def default_out_dir(dataset_name: str, root: str = CLI_OUT) -> str:
    """The default output folder of dataset ``dataset_name``: its safe name under ``root``."""
    return inside(root, safe_name(dataset_name))


def app_out_dir(dataset_name: str) -> str:
    """The default output folder of a dataset in the App, whose server runs in any folder:
    ``~/synthgap-out/<dataset>``."""
    return default_out_dir(dataset_name, os.path.join(os.path.expanduser("~"), CLI_OUT))


def check_out_dir(path: str) -> str:
    """Check, before any work, that the output folder ``path`` can be created and written: the
    folders it lacks are made, a file is written in it, and what was made is removed again (a
    run that fails later leaves nothing). Returns its absolute path; ValueError with one line
    saying why not."""
    path = absolute(path)
    missing, folder = [], path
    while not os.path.lexists(folder) and folder != os.path.dirname(folder):
        missing.append(folder)
        folder = os.path.dirname(folder)
    try:
        if os.path.exists(path) and not os.path.isdir(path):
            raise ValueError(f"Output folder {path!r} is a file: choose another output folder")
        os.makedirs(path, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise ValueError(
            f"Output folder {path!r} cannot be written ({exc.strerror or exc}): choose another "
            "output folder"
        ) from None
    finally:
        for made in missing:  # deepest first
            if os.path.isdir(made) and not os.listdir(made):
                os.rmdir(made)
    return path
