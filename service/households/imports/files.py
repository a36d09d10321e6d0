"""Opening a caseload file: CSV or XLSX, streamed, the header found below any title rows.

``open_table`` yields the header and then each data row with the line number a spreadsheet
program shows for it (title rows above the header counted). Nothing is loaded whole: a CSV is
read line by line (each line decoded as UTF-8, else Windows-1252, so a file whose lines were
saved in different encodings still reads), an XLSX through openpyxl's read-only mode, after its
zip directory was checked against a zip bomb. Problems with the file as a whole raise
``FileRefused`` with a message key; problems with a row are the row's own.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Final

from service.households.imports.values import Formula

HEADER_SEARCH_ROWS: Final = 30
"""The header must be within this many rows of the top (title rows above it are skipped)."""
MAX_UNZIPPED: Final = 1024**3
"""An XLSX may expand to at most 1 GiB ..."""
MAX_RATIO: Final = 200
"""... and no member more than 200 times its compressed size (XLSX text compresses 5-20x)."""
MAX_MEMBERS: Final = 10_000


class FileRefused(Exception):
    """The file cannot be read as a caseload: the message key (``imp.f.*``) says why."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass
class Table:
    """An open file: the header row's cells and line, and an iterator over (line, cells) after it."""

    header: list[object]
    header_line: int
    rows: Iterator[tuple[int, list[object]]]
    fraction: Any = field(default=lambda: 0.0)  # () -> share of the file read so far
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)


def kind_of(filename: str, head: bytes) -> str:
    """``xlsx`` or ``csv``, from the content first (a zip is an XLSX) and the name second."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise FileRefused("imp.f.not_zip")
    if filename.lower().endswith(".xls") or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused("imp.f.old_xls")
    return "csv"


IsHeader = Callable[[list[object]], bool]


def open_table(
    stream: IO[bytes], *, filename: str, size: int, sheet: str | None = None, is_header: IsHeader | None = None
) -> Table:
    """Open ``stream`` (seekable, binary) as a CSV or an XLSX and find its header (by default, a
    row naming three columns of the caseload contract)."""
    head = stream.read(8)
    stream.seek(0)
    if kind_of(filename, head) == "xlsx":
        return _open_xlsx(stream, size=size, sheet=sheet, is_header=is_header)
    if sheet is not None:
        raise FileRefused("imp.f.sheet_in_csv")
    return _open_csv(stream, size=size, is_header=is_header)


def _find_header(rows: Iterator[tuple[int, list[object]]], is_header: IsHeader | None) -> tuple[list[object], int]:
    from service.households.imports.contract import looks_like_header

    for line, cells in rows:
        if (is_header or looks_like_header)(cells):
            return cells, line
        if line >= HEADER_SEARCH_ROWS:
            break
    raise FileRefused("imp.f.no_header", rows=HEADER_SEARCH_ROWS)


def _blank(cells: list[object]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


# --- CSV --------------------------------------------------------------------------------------


class _Lines:
    """Decoded lines of a binary stream; counts the bytes read for the progress."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.read = 0
        self.undecodable = False

    def __iter__(self) -> Iterator[str]:
        first = True
        for raw in self.stream:
            self.read += len(raw)
            if first:
                first = False
                if raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8) :]
                elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    raise FileRefused("imp.f.utf16")
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                yield raw.decode("cp1252", errors="replace")


def _delimiter(sample: list[str]) -> str:
    counts = {d: sum(line.count(d) for line in sample) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _open_csv(stream: IO[bytes], *, size: int, is_header: IsHeader | None = None) -> Table:
    lines = _Lines(stream)
    iterator = iter(lines)
    sample: list[str] = []
    for line in iterator:
        sample.append(line)
        if len(sample) >= HEADER_SEARCH_ROWS:
            break
    if not sample:
        raise FileRefused("imp.f.empty")
    if "\x00" in "".join(sample):
        raise FileRefused("imp.f.binary")
    delimiter = _delimiter(sample)

    def chained() -> Iterator[str]:
        yield from sample
        yield from iterator

    reader = csv.reader(chained(), delimiter=delimiter)

    def records() -> Iterator[tuple[int, list[object]]]:
        number = 0
        try:
            for record in reader:
                number += 1
                cells: list[object] = [c if c.strip() else None for c in record]
                yield number, cells
        except csv.Error:
            raise FileRefused("imp.f.csv_broken", line=number + 1) from None

    rows = records()
    header, header_line = _find_header(rows, is_header)

    def data() -> Iterator[tuple[int, list[object]]]:
        for line, cells in rows:
            if any(cells):  # a CSV cell is a non-empty string or None (blank)
                yield line, cells

    return Table(header, header_line, data(), fraction=lambda: min(1.0, lines.read / size) if size else 0.0)


# --- XLSX -------------------------------------------------------------------------------------


def _check_zip(stream: IO[bytes], size: int) -> None:
    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile:
        raise FileRefused("imp.f.not_zip") from None
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise FileRefused("imp.f.zip_bomb")
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise FileRefused("imp.f.zip_bomb")
    if total > MAX_UNZIPPED:
        raise FileRefused("imp.f.zip_bomb")
    if "xl/workbook.xml" not in archive.namelist():
        raise FileRefused("imp.f.not_xlsx")
    stream.seek(0)


def _cell(cell: Any) -> object:
    value = cell.value
    if value is None:
        return None
    if cell.data_type == "f":
        return Formula(str(value))
    if isinstance(value, str):
        return value if value.strip() else None
    return value


def _open_xlsx(stream: IO[bytes], *, size: int, sheet: str | None, is_header: IsHeader | None = None) -> Table:
    from openpyxl import load_workbook  # imported here: only an XLSX needs it
    from openpyxl.utils.exceptions import InvalidFileException

    _check_zip(stream, size)
    try:
        book = load_workbook(stream, read_only=True, data_only=False, keep_links=False)
    except (InvalidFileException, KeyError, ValueError, zipfile.BadZipFile, OSError):
        raise FileRefused("imp.f.not_xlsx") from None
    names = list(book.sheetnames)
    if sheet is not None and sheet not in names:
        raise FileRefused("imp.f.no_sheet", sheet=sheet, sheets=", ".join(names))
    ws = book[sheet] if sheet is not None else book.worksheets[0]
    total = ws.max_row or 0
    done = [0]

    def records() -> Iterator[tuple[int, list[object]]]:
        try:
            for number, row in enumerate(ws.iter_rows(), start=1):
                done[0] = number
                yield number, [_cell(c) for c in row]
        except (KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise FileRefused("imp.f.not_xlsx") from exc

    rows = records()
    header, header_line = _find_header(rows, is_header)

    def data() -> Iterator[tuple[int, list[object]]]:
        for line, cells in rows:
            if not _blank(cells):
                yield line, cells
        book.close()

    return Table(
        header,
        header_line,
        data(),
        fraction=lambda: min(1.0, done[0] / total) if total else 0.0,
        sheet=ws.title,
        sheets=names,
    )
