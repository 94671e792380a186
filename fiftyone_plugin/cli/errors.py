"""How the ``synthgap`` command reports trouble: the library's warnings and one line per failure
the user can act on on stderr."""

from __future__ import annotations

import logging
import sys


class BadInput(ValueError):
    """Input a command refuses before it changes anything: exit status 2, as argparse's own
    errors."""


def show_warnings() -> None:
    """Print the library's warnings (e.g. a repaired database count) as ``synthgap: warning:``
    lines on stderr."""
    logger = logging.getLogger("fiftyone_plugin")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("synthgap: warning: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False


def error_line(exc: Exception) -> str | None:
    """The one line printed for a failure the user can act on, or None for a bug."""
    from pymongo.errors import PyMongoError

    lost = _lost_database(exc)
    if lost is not None:
        return (
            "FiftyOne's database (MongoDB) could not be reached or went away during the run "
            f"({type(lost).__name__}: {str(lost)[:100]}). Nothing is lost: embedding chunks that "
            "finished are stored, and results are only written once an analysis completes. Once "
            "the database is back (FIFTYONE_DATABASE_URI points at an external one), rerun the "
            "same command to resume where it stopped"
        )
    if isinstance(exc, PyMongoError):
        return (
            f"FiftyOne's database refused an operation ({type(exc).__name__}: {str(exc)[:200]}); "
            "what finished before is stored: fix the database and rerun the same command"
        )
    if isinstance(exc, ValueError | RuntimeError | OSError):
        return str(exc)
    return None


def _lost_database(exc: BaseException) -> BaseException | None:
    """The connection failure behind ``exc`` (pymongo's ConnectionFailure, AutoReconnect and
    ServerSelectionTimeoutError, or a ConnectionError about mongo), following the causes it was
    raised from; None if the database did not go away."""
    from pymongo.errors import ConnectionFailure

    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ConnectionFailure) or (
            isinstance(exc, ConnectionError) and "mongo" in str(exc).lower()
        ):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None
