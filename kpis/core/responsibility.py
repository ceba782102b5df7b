"""Who answers for a promise (a target or a milestone): the one rule, free of Django.

A plan names, per promise, lead departments (牵头) and co-operating ones (配合, 按职责分工负责);
many promises name none, and then the plan's coordinating departments answer for them.

- Every department named answers for the promise: it may report its figure or record it done.
- One group is accountable, owes the figure on the reporting calendar and is shown first: the
  leads; where the plan names no lead, the co-operating departments; where it names no department
  at all, the plan's coordinators.

The service stores the outcome of this rule per promise (trackers.models.Answerer), so that every
page, permission and report reads the same answer with one join.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import NamedTuple


class Answer(NamedTuple):
    department: Hashable
    role: str  # lead | cooperating | coordinating (kpis.core.vocabulary.ANSWERING_ROLES)
    accountable: bool


def answering_departments(
    leads: Iterable[Hashable], cooperating: Iterable[Hashable], coordinators: Iterable[Hashable]
) -> list[Answer]:
    """The departments that answer for a promise, each once, leads first."""
    leads, cooperating = _unique(leads), _unique(cooperating)
    cooperating = [department for department in cooperating if department not in leads]
    if not leads and not cooperating:
        return [Answer(department, "coordinating", True) for department in _unique(coordinators)]
    return [Answer(department, "lead", True) for department in leads] + [
        Answer(department, "cooperating", not leads) for department in cooperating
    ]


def _unique(items: Iterable[Hashable]) -> list:
    return list(dict.fromkeys(items))
