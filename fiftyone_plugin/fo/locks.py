"""A lock per dataset and purpose, shared by every process using the same FiftyOne database.

Two `synthgap analyze` processes started together on one dataset would otherwise both see a file as
missing and both add it ("import"), or each save the dataset's field list or saved views as it last
read them, dropping what the other just added ("schema"). The lock is a document in a collection of
synthgap's own in FiftyOne's database, taken with an atomic insert; a thread may take a lock it
already holds (re-entrant). A holder that dies leaves it behind: it counts as released once its
lease runs out (the holder renews it while alive), or at once when the holder was a process on this
machine that no longer runs.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from ..progress import Progress, report

COLLECTION = "synthgap.locks"
#: Seconds a lock outlives its holder's last sign of life.
LEASE = 60.0

_held: dict[tuple[str, int], int] = {}  # (lock key, thread) -> times this thread holds it


@contextlib.contextmanager
def dataset_lock(
    dataset_name: str, purpose: str, progress: Progress | None = None, poll: float = 0.2
) -> Iterator[None]:
    """Hold the lock ``purpose`` (e.g. "import") of ``dataset_name`` inside the ``with`` block,
    waiting (and saying so through ``progress``) while another process holds it."""
    import fiftyone.core.odm as foo
    from pymongo.errors import DuplicateKeyError

    key = f"{dataset_name}/{purpose}"
    mine = (key, threading.get_ident())
    if _held.get(mine):
        _held[mine] += 1
        try:
            yield
        finally:
            _held[mine] -= 1
        return

    locks = foo.get_db_conn()[COLLECTION]
    me = {"host": socket.gethostname(), "pid": os.getpid(), "token": os.urandom(8).hex()}
    while True:
        try:
            locks.insert_one({"_id": key, **me, "expires": _now() + timedelta(seconds=LEASE)})
            break
        except DuplicateKeyError:
            holder = locks.find_one({"_id": key})
            if holder is not None and _abandoned(holder):
                locks.delete_one({"_id": key, "token": holder["token"]})
                continue
            report(progress, 0.0, f"waiting for another synthgap process ({purpose})")
            time.sleep(poll)

    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(LEASE / 4):
            expires = _now() + timedelta(seconds=LEASE)
            locks.update_one({"_id": key, "token": me["token"]}, {"$set": {"expires": expires}})

    renewer = threading.Thread(target=renew, name=f"synthgap-lock-{key}", daemon=True)
    renewer.start()
    _held[mine] = 1
    try:
        yield
    finally:
        del _held[mine]
        stop.set()
        renewer.join()
        locks.delete_one({"_id": key, "token": me["token"]})


def _abandoned(holder: dict) -> bool:
    """True if the lock's holder is gone: its lease ran out, or it was a process of this machine
    that is no longer running."""
    expires = holder.get("expires")
    if expires is None or expires.replace(tzinfo=timezone.utc) < _now():
        return True
    if holder.get("host") != socket.gethostname():
        return False
    try:
        os.kill(int(holder["pid"]), 0)
    except ProcessLookupError:
        return True
    except (OSError, KeyError, ValueError):
        return False
    return False


def _now() -> datetime:
    return datetime.now(timezone.utc)
