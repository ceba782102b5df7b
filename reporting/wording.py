"""How pages and reports word what the snapshots say: status and state labels in the active
language, and how to read a latest value. One place, so the dashboard, the API docs and the gap
reports say the same thing the same way. No arithmetic here."""
from __future__ import annotations

from django.utils.translation import gettext

from kpis.core import vocabulary
from reporting import formatting
from trackers.choices import labels


def status_labels() -> dict[str, str]:
    return labels(vocabulary.STATUSES)


def milestone_state_labels() -> dict[str, str]:
    return labels(vocabulary.MILESTONE_STATE_LABELS)


def figure_origin_labels() -> dict[str, str]:
    """The kind of each figure (submitted by a department, published, demo data)."""
    return labels(vocabulary.FIGURE_ORIGINS)


def published_standing_labels() -> dict[str, str]:
    return labels(vocabulary.PUBLISHED_STANDINGS)


def latest_value_kind(basis: str) -> str:
    """What a snapshot's latest value is: for a cumulative target the running total (累计) of the
    yearly additions since the plan began, for the others the figure of that year."""
    return labels(vocabulary.LATEST_VALUE_KINDS).get(basis, "")


def latest_value_text(value: str, unit: str, basis: str, start_year, latest_year) -> str:
    """'累计 3 家（2021–2023 新增合计）' for a cumulative target; '1,234 亿元（2023）' otherwise."""
    if basis == "cumulative":
        return gettext("cumulative %(value)s %(unit)s (additions %(first)s–%(last)s)") % {
            "value": value, "unit": unit, "first": start_year, "last": latest_year}
    return gettext("%(value)s %(unit)s (%(year)s)") % {"value": value, "unit": unit, "year": latest_year}


def gap_text(gap, unit: str = "", places: int = 2) -> str:
    """A gap for people: '395 亿元' still to go, '超出 395 亿元' (exceeded by) once the target is
    passed, '—' when there is none. The sign stays in the machine-readable data (data-value, CSV)."""
    kind, text = formatting.gap_parts(gap, unit, places)
    if kind == "exceeded":
        return gettext("exceeded by %(quantity)s") % {"quantity": text}
    return text
