"""The real FiftyOne App, served from this test session's database, driven by headless Chromium."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]  # fmt: skip

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """URL of a FiftyOne App server (own process group) with the synthgap plugin loaded."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed (setup.sh installs it when run as root)")
    import fiftyone as fo

    fo.list_datasets()  # start this session's database first; the server then shares it
    port = _free_port()
    log = open(tmp_path_factory.mktemp("app") / "server.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "fiftyone.server.main", "--address", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=os.environ.copy(),
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            if urllib.request.urlopen(url, timeout=2).status == 200:
                break
        except OSError:
            if server.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"FiftyOne App server did not start; see {log.name}") from None
            time.sleep(0.5)
    yield url
    server.send_signal(signal.SIGINT)
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)
    log.close()


@pytest.fixture
def page(tmp_path):
    """A Playwright page in a fresh headless Chromium profile (1400 x 900)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
            headless=True, viewport={"width": 1400, "height": 900},
        )  # fmt: skip
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(60_000)
        yield page
        context.close()


@pytest.fixture(scope="module")
def analyzed_demo(request, tiny_demo, tmp_path_factory):
    """The tiny demo analyzed end to end (workflow.analyze_folders) into the test module's dataset
    ``DATASET``, as ``synthgap demo`` leaves it; deleted after the module's tests."""
    import fiftyone as fo

    from fiftyone_plugin.options import EmbeddingOptions
    from fiftyone_plugin.workflow import analyze_folders

    name = request.module.DATASET
    if fo.dataset_exists(name):
        fo.delete_dataset(name)
    analyze_folders(
        tiny_demo["real"],
        tiny_demo["synthetic"],
        dataset=name,
        out=str(tmp_path_factory.mktemp(f"{name}-out")),
        options=EmbeddingOptions(num_workers=0),
        progress=lambda fraction, label: None,
    )
    dataset = fo.load_dataset(name)
    yield dataset
    dataset.delete()
