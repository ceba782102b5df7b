"""The gap report as plain data, and its checksum. No queries and no rendering here.

The checksum is SHA-256 over canonical JSON of everything the report states (scope, as-of date,
summary, then every row of every section, one per line) and nothing about its making (who
generated it, when, in which language or file format). Two reports with the same checksum say
the same thing; an auditor can regenerate a signed report and compare. It is computed while the
rows stream by, so a national report need not be held in memory.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from trackers.spreadsheets import plain_number

# Bump when the report's sections or columns change: old checksums then no longer compare.
# 4: the kind of each figure (submitted, published, demo) and the published sources.
REPORT_SCHEMA = "gap-report/4"
SECTIONS = ("targets", "milestones", "data_gaps", "history", "sources")


class RowStream:
    """A section's rows, read from the database a chunk at a time each time it is iterated:
    the checksum and the file each pass over it once. `len` is known in advance."""

    def __init__(self, produce: Callable[[], Iterable[dict]], count: int):
        self._produce, self._count = produce, count

    def __iter__(self) -> Iterator[dict]:
        return iter(self._produce())

    def __len__(self) -> int:
        return self._count


@dataclass(frozen=True)
class Scope:
    type: str  # all | plan | region | department (reporting.models.ScopeType)
    code: str = ""

    def __str__(self) -> str:
        return f"{self.type}:{self.code}" if self.code else self.type


@dataclass(frozen=True)
class GapReport:
    scope: Scope
    scope_name: str  # the plan's, region's or department's name; empty for everything
    as_of: dt.date
    method_versions: tuple[str, ...]
    targets: list[dict] | RowStream
    milestones: list[dict] | RowStream
    data_gaps: list[dict] | RowStream
    history: list[dict] | RowStream
    summary: dict = field(default_factory=dict)
    sources: list[dict] = field(default_factory=list)  # the published figures of the targets in scope

    def header(self) -> dict:
        return {
            "schema": REPORT_SCHEMA,
            "scope": {"type": self.scope.type, "code": self.scope.code, "name": self.scope_name},
            "as_of": self.as_of,
            "method_versions": list(self.method_versions),
            "summary": self.summary,
        }

    def checksum(self) -> str:
        digest = hashlib.sha256(canonical_json(self.header()))
        for section in SECTIONS:
            digest.update(b"\n" + section.encode())
            for row in getattr(self, section):
                digest.update(b"\n" + canonical_json(row))
        return digest.hexdigest()


@dataclass(frozen=True)
class Generation:
    """How a report was made: printed on it, never part of its checksum."""

    generated_by: str
    generated_at: dt.datetime
    software_method_version: str
    checksum: str
    provisional: bool  # the as-of day had not ended when the report was made


def canonical_json(data) -> bytes:
    """Sorted keys, no whitespace, decimals as written by people (800, not 800.000000), instants
    in UTC: the same data gives the same bytes on SQLite and PostgreSQL, in any time zone."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain).encode()


def _plain(value):
    if isinstance(value, Decimal):
        return plain_number(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not canonical: {type(value).__name__}")
