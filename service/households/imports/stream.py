"""Reading a caseload file in batches: opened and checked, parsed a thread ahead of the writes."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import IO, Any

from service.households.imports.contract import match_header, missing_required
from service.households.imports.files import FileRefused, Table, open_table
from service.households.imports.rows import Layout, Row

BATCH = 2000


def _batches(table: Table, layout: Layout, nik_key: bytes) -> Iterator[list[tuple[Row, list[object]]]]:
    batch: list[tuple[Row, list[object]]] = []
    reader = layout.reader()
    for line, cells in table.rows:
        batch.append((reader.read(line, cells, nik_key=nik_key), cells))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


_DONE = object()


def read_ahead(batches: Iterator[Any], depth: int = 2) -> Iterator[Any]:
    """Parse the next batches in a thread while this one waits on the database.

    Reading and parsing hold the GIL, but the database drivers release it while the server works
    (a ``COPY``, a lookup), so on two cores the parsing of batch n+1 overlaps the writing of batch n.
    An exception in the reader (a file refused halfway) is raised here, in order.
    """
    ahead: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        ahead.put(batch, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ahead.put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            ahead.put(exc)

    worker = threading.Thread(target=produce, name="import-reader", daemon=True)
    worker.start()
    try:
        while True:
            item = ahead.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)


Opener = Callable[[], tuple[IO[bytes], str, int]]
"""Opens the file afresh: (binary stream, file name, size). Called once per pass."""


def open_checked(opener: Opener, sheet: str | None) -> tuple[Table, Layout, int | None]:
    """Open the file, find its header and check the required columns (``FileRefused`` otherwise)."""
    stream, filename, size = opener()
    table = open_table(stream, filename=filename, size=size, sheet=sheet)
    mapping = match_header(table.header)
    missing = missing_required(mapping)
    if missing:
        raise FileRefused("imp.f.missing_columns", columns=", ".join(missing))
    return table, Layout.of(table.header, mapping), mapping.get("nik")


def batches_ahead(table: Table, layout: Layout, nik_key: bytes) -> Iterator[list[tuple[Row, list[object]]]]:
    """The file's parsed rows in batches of ``BATCH``, the next ones parsed while this one is written."""
    return read_ahead(_batches(table, layout, nik_key))
