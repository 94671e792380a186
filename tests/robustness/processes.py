"""Real `synthgap` processes and a private mongod, for the robustness tests.

Every subprocess inherits FIFTYONE_DATABASE_URI from tests/conftest.py, so it works on the test
session's private database unless it is given another one (``env_with_database``).
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import threading
import time

from badfiles import MAX_PIXELS

SYNTHGAP = [sys.executable, "-m", "fiftyone_plugin.cli"]
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

#: Progress labels of the analysis step (after embeddings): seeing one means embedding is done.
ANALYSIS_LABELS = (
    "reducing features",
    "aligning",
    "coverage",
    "realism",
    "clustering",
    "projecting",
)


def cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``synthgap *args`` to the end."""
    return subprocess.run(
        [*SYNTHGAP, *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO_ROOT
    )


class CliProcess:
    """A running ``synthgap`` process whose stderr (progress bar, errors) is collected as it comes."""

    def __init__(self, *args: str, env: dict | None = None) -> None:
        self.proc = subprocess.Popen(
            [*SYNTHGAP, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
            cwd=REPO_ROOT,
        )  # fmt: skip
        self._chunks: list[bytes] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for chunk in iter(lambda: self.proc.stderr.read1(4096), b""):
            self._chunks.append(chunk)

    @property
    def stderr(self) -> str:
        return b"".join(self._chunks).decode("utf-8", "replace")

    def wait_for(self, labels: tuple[str, ...], timeout: float = 300) -> bool:
        """Wait until stderr shows one of ``labels``; False if the process ended first."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(label in self.stderr for label in labels):
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.05)
        raise TimeoutError(f"none of {labels} within {timeout} s:\n{self.stderr[-2000:]}")

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()

    def wait(self, timeout: float = 300) -> subprocess.CompletedProcess:
        """Wait for the end; the outcome as subprocess.run gives it."""
        code = self.proc.wait(timeout)
        self._reader.join(5)
        stdout = self.proc.stdout.read().decode("utf-8", "replace")
        return subprocess.CompletedProcess(self.proc.args, code, stdout, self.stderr)


def one_line_error(done: subprocess.CompletedProcess) -> str:
    """The CLI's error: exit status 1 and a single ``synthgap: error: ...`` line, no traceback."""
    assert done.returncode == 1, (done.returncode, done.stderr[-3000:])
    lines = [line for line in done.stderr.replace("\r", "\n").splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("synthgap: error: ")]
    assert len(errors) == 1 and "Traceback" not in done.stderr, done.stderr[-3000:]
    return errors[0]


def read_csv(path: str) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def analyze_args(folders: dict, dataset: str, out: str, *extra: str) -> list[str]:
    return [
        "analyze", "--real", folders["real"], "--synthetic", folders["synthetic"],
        "--dataset", dataset, "--out", out, "--num-workers", "0",
        "--max-pixels", str(MAX_PIXELS), "--seed", "3", *extra,
    ]  # fmt: skip


class PrivateMongod:
    """A mongod of our own (FiftyOne's bundled binary) on ``dbpath`` and a fixed port, that a test
    can kill and start again on the same port: a database restart under a running client.

    Never FiftyOne's own database service: that one attaches to any service already running for
    this user, so killing "its" mongod could kill someone else's database.
    """

    def __init__(self, dbpath: str) -> None:
        self.dbpath = dbpath
        os.makedirs(dbpath, exist_ok=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.uri = f"mongodb://127.0.0.1:{self.port}/?serverSelectionTimeoutMS=3000"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        import fiftyone.core.service as fos

        self.proc = subprocess.Popen(
            [fos.DatabaseService.find_mongod(), "--dbpath", self.dbpath, "--port", str(self.port),
             "--bind_ip", "127.0.0.1", "--nounixsocket",
             "--logpath", os.path.join(self.dbpath, "mongod.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.time() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(
                        f"mongod did not start; see {self.dbpath}/mongod.log"
                    ) from None
                time.sleep(0.2)

    def kill_by_dbpath(self) -> int:
        """SIGKILL the mongod serving ``dbpath`` (found with psutil, as an operator would);
        returns its pid."""
        import psutil

        for proc in psutil.process_iter(["name", "cmdline"]):
            cmdline = proc.info["cmdline"] or []
            if proc.info["name"] == "mongod" and "--dbpath" in cmdline:
                if cmdline[cmdline.index("--dbpath") + 1] == self.dbpath:
                    proc.kill()
                    proc.wait(30)
                    return proc.pid
        raise AssertionError(f"no mongod serves {self.dbpath}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def env_with_database(uri: str) -> dict:
    """This environment, pointing FiftyOne at the database ``uri``."""
    env = {k: v for k, v in os.environ.items() if k != "FIFTYONE_PRIVATE_DATABASE_PORT"}
    env["FIFTYONE_DATABASE_URI"] = uri
    env.setdefault("FIFTYONE_DATABASE_VALIDATION", "false")
    env.setdefault("FIFTYONE_DO_NOT_TRACK", "true")
    return env
