"""The bounds an imported package must stay within: bytes once unzipped, rows, and the size and
nesting of its JSON. A package past any of them is refused whole (``PackageRefused``) before it
can exhaust memory or the interpreter's stack; nothing of it is written."""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from service.hsds.report import PackageError

_CHUNK = 1 << 20


class PackageRefused(PackageError):
    """The package is readable but larger or deeper than the import accepts."""


@dataclass(frozen=True)
class PackageLimits:
    """How much one import takes; the defaults hold a national catalogue with room to spare."""

    max_uncompressed_bytes: int = 100 * 1024 * 1024
    max_rows: int = 250_000
    max_json_bytes: int = 5 * 1024 * 1024
    max_json_depth: int = 32

    def check_declared_sizes(self, members: list[zipfile.ZipInfo]) -> None:
        """Refuse a package whose central directory already declares more than the limit."""
        declared = sum(m.file_size for m in members)
        if declared > self.max_uncompressed_bytes:
            raise PackageRefused(
                f"the package unzips to {declared:,} bytes; the import takes at most "
                f"{self.max_uncompressed_bytes:,} (JEJARING_HSDS_MAX_UNCOMPRESSED_BYTES)"
            )

    def read_member(self, zf: zipfile.ZipFile, member: zipfile.ZipInfo, *, already: int) -> bytes:
        """A member's bytes, counted while they stream out: the headers' sizes may lie."""
        budget = self.max_uncompressed_bytes - already
        parts: list[bytes] = []
        size = 0
        with zf.open(member) as stream:
            while chunk := stream.read(min(_CHUNK, budget - size + 1)):
                size += len(chunk)
                if size > budget:
                    raise PackageRefused(
                        f"{member.filename} unzips past the import's limit of {self.max_uncompressed_bytes:,} "
                        "bytes for the whole package (JEJARING_HSDS_MAX_UNCOMPRESSED_BYTES)"
                    )
                parts.append(chunk)
        return b"".join(parts)

    def check_rows(self, total: int) -> None:
        """Refuse once the package's CSV files hold more rows than the limit."""
        if total > self.max_rows:
            raise PackageRefused(
                f"the package holds more than {self.max_rows:,} rows, the most one import takes "
                "(JEJARING_HSDS_MAX_ROWS); split it into several packages"
            )

    def json_loads(self, text: str, *, what: str) -> Any:
        """``json.loads`` of ``text`` after checking its size and nesting; ``PackageRefused`` past them."""
        if len(text) > self.max_json_bytes:
            raise PackageRefused(
                f"{what} is {len(text):,} characters; at most {self.max_json_bytes:,} are read "
                "(JEJARING_HSDS_MAX_JSON_BYTES)"
            )
        depth = json_depth(text, stop_after=self.max_json_depth)
        if depth > self.max_json_depth:
            raise PackageRefused(
                f"{what} nests objects and arrays more than {self.max_json_depth} levels deep "
                "(JEJARING_HSDS_MAX_JSON_DEPTH)"
            )
        return json.loads(text)


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def json_depth(text: str, *, stop_after: int) -> int:
    """How deeply ``text`` nests ``{`` and ``[`` outside strings (stops counting past ``stop_after``)."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(_STRINGS.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_after:
                    break
        else:
            depth -= 1
    return deepest
