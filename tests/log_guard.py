"""A log handler for the whole suite: it keeps every record's text and, at the end, names any
record holding a demo family's name, phone or NIK (tests/conftest.py fails the run on one)."""

from __future__ import annotations

import contextlib
import logging
import re
from collections import defaultdict
from collections.abc import Iterable

_STANDARD = set(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None)))
_CLIENT_LOGGERS = ("httpx", "httpcore")  # the tests' own HTTP client logs the URLs it calls
_JOIN_DIGITS = re.compile(r"(?<=\d)[ .\-()+]{1,2}(?=\d)")
_LONG_NUMBER = re.compile(r"\d{9,}")
_WORD = re.compile(r"\w+")


def record_text(record: logging.LogRecord) -> str:
    """Everything a record carries: message, arguments, extra fields and its traceback."""
    parts = [str(record.msg), repr(record.args)]
    with contextlib.suppress(TypeError, ValueError):
        parts.append(record.getMessage())
    parts += [f"{k}={v!r}" for k, v in vars(record).items() if k not in _STANDARD]
    if record.exc_info:
        parts.append(logging.Formatter().formatException(record.exc_info))
    if record.exc_text:
        parts.append(record.exc_text)
    return " ".join(parts)


class PersonalValueGuard(logging.Handler):
    """Records every log record's text (DEBUG and up), then finds known personal values in them."""

    def __init__(self, names: Iterable[str], numbers: Iterable[str]) -> None:
        super().__init__(level=logging.DEBUG)
        self.texts: list[tuple[str, str]] = []
        self.names: dict[str, list[str]] = defaultdict(list)
        for name in set(names):
            self.names[name.split()[0]].append(name)
        self.numbers = {re.sub(r"\D", "", n) for n in numbers}
        self.lengths = sorted({len(n) for n in self.numbers})

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(_CLIENT_LOGGERS):
            self.texts.append((record.name, record_text(record)))

    def _found(self, text: str) -> str | None:
        for m in _WORD.finditer(text):
            for name in self.names.get(m.group(0), ()):
                if text.startswith(name, m.start()):
                    return name
        for m in _LONG_NUMBER.finditer(_JOIN_DIGITS.sub("", text)):
            run = m.group(0)
            for n in self.lengths:
                for i in range(len(run) - n + 1):
                    if run[i : i + n] in self.numbers:
                        return run[i : i + n]
        return None

    def leaks(self) -> list[str]:
        """``logger: value`` for each record holding a known name, phone or NIK (first 20)."""
        out = []
        for logger, text in self.texts:
            value = self._found(text)
            if value is not None:
                out.append(f"{logger}: {value}")
                if len(out) == 20:
                    break
        return out
