"""Keeping personal values out of the logs that libraries write for us.

* uvicorn's access log records each request line: the query string (``?q=<a name>``) is cut off,
  the path is kept.
* SQLAlchemy at DEBUG logs every result row (names, phones): rows and their columns are replaced
  by a placeholder. Statement parameters are hidden by the engine (``hide_parameters=True``).
* uvicorn logs an unhandled exception with its message, and messages carry values: PostgreSQL's
  ``Failing row contains (...)``, pydantic's ``input_value=...``. The traceback is kept (where it
  happened), each exception's message is replaced by a placeholder.
"""

from __future__ import annotations

import logging
import traceback

ACCESS_LOGGER = "uvicorn.access"
ERROR_LOGGERS = ("uvicorn.error", "uvicorn", "uvicorn.asgi")
SQL_LOGGERS = ("sqlalchemy.engine.Engine", "sqlalchemy.engine.base.Engine", "sqlalchemy.pool")
HIDDEN = "[hidden]"


class AccessPathOnly(logging.Filter):
    """Drop the query string from uvicorn's access-log line (its third argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


class NoResultRows(logging.Filter):
    """Replace the values SQLAlchemy logs at DEBUG (result rows) with a placeholder."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith(("Row ", "Col ")):
            record.args = (HIDDEN,)
        return True


def traceback_without_messages(exc: BaseException) -> str:
    """The traceback of ``exc`` and the exceptions it chains, each message replaced by a placeholder."""
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    parts = []
    for e in reversed(chain):
        kind = type(e)
        parts.append("Traceback (most recent call last):\n" + "".join(traceback.format_tb(e.__traceback__)))
        parts.append(f"{kind.__module__}.{kind.__qualname__}: {HIDDEN}\n")
    return "".join(parts).rstrip("\n")


class ExceptionMessagesHidden(logging.Filter):
    """Log an exception's traceback and type, never its message (which may hold personal values)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = traceback_without_messages(record.exc_info[1])
            record.exc_info = None
        return True


def _add_once(logger: logging.Logger, kind: type[logging.Filter]) -> None:
    if not any(isinstance(f, kind) for f in logger.filters):
        logger.addFilter(kind())


def install_log_filters() -> None:
    """Attach the filters to their loggers (idempotent; a logger keeps its filters across dictConfig)."""
    _add_once(logging.getLogger(ACCESS_LOGGER), AccessPathOnly)
    for name in SQL_LOGGERS:
        _add_once(logging.getLogger(name), NoResultRows)
    for name in ERROR_LOGGERS:
        _add_once(logging.getLogger(name), ExceptionMessagesHidden)
