"""What an import reports: every CSV row with what became of it (taken, refused or ignored, and
why), the records created and found, and the error of a package that cannot be read at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Row:
    """One CSV row: its file, line and cells, and what became of it."""

    file: str
    line: int
    data: dict[str, str]
    status: str = ""  # taken, refused or ignored
    reason: str = ""

    def get(self, key: str) -> str | None:
        value = self.data.get(key)
        return value if value else None

    @property
    def where(self) -> str:
        return f"{self.file} line {self.line}"

    def refuse(self, reason: str) -> None:
        """Refuse the row for ``reason``, unless it is refused already (its first reason stays)."""
        if self.status != "refused":
            self.status, self.reason = "refused", reason

    def ignore(self, reason: str) -> None:
        """Mark the row as read but not kept, and why."""
        self.status, self.reason = "ignored", reason


@dataclass
class ImportReport:
    """What an import took and refused, per file, and why."""

    files: dict[str, list[Row]] = field(default_factory=dict)
    problems: list[tuple[str, int, str]] = field(default_factory=list)  # whole-file faults (line 0)
    created: dict[str, int] = field(default_factory=lambda: {"organization": 0, "location": 0, "service": 0})
    existing: dict[str, int] = field(default_factory=lambda: {"organization": 0, "location": 0, "service": 0})
    notes: list[str] = field(default_factory=list)

    def count(self, file: str, status: str) -> int:
        return sum(1 for r in self.files.get(file, []) if r.status == status)

    @property
    def refused(self) -> list[tuple[str, int, str]]:
        rows = [(r.file, r.line, r.reason) for rows in self.files.values() for r in rows if r.status == "refused"]
        return self.problems + rows

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON: counts per file, records created and found, refusals, notes."""
        return {
            "files": {
                f: {
                    "taken": self.count(f, "taken"),
                    "refused": self.count(f, "refused"),
                    "ignored": self.count(f, "ignored"),
                }
                for f in self.files
            },
            "created": self.created,
            "existing": self.existing,
            "refused": [{"file": f, "line": n, "reason": r} for f, n, r in self.refused],
            "notes": self.notes,
        }

    def text(self) -> str:
        """The report as lines for a terminal."""
        lines = []
        for f in self.files:
            taken, refused, ignored = (self.count(f, s) for s in ("taken", "refused", "ignored"))
            extra = f", {ignored} ignored" if ignored else ""
            lines.append(f"{f}: {taken} taken, {refused} refused{extra}")
        for kind in ("organization", "location", "service"):
            lines.append(f"{kind}s: {self.created[kind]} created, {self.existing[kind]} already present")
        for f, n, reason in self.refused:
            lines.append(f"refused {f} line {n}: {reason}" if n else f"refused {f}: {reason}")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


class PackageError(ValueError):
    """The zip cannot be read as an HSDS data package at all."""
