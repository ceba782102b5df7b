"""Shared fixtures for the gap report tests: Shenzhen's revenue target, people in every role,
figures reported and approved through the real workflow, and a clock that can be set back."""
import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import UserFactory, submitter_for
from trackers import roles
from trackers.models import Target

SHENZHEN_PLAN = "shenzhen-health-2022-2025"


@pytest.fixture
def revenue_target():
    """Shenzhen's 大健康产业营收达1200亿元 by 2025, baseline 676亿元 in 2021."""
    return Target.objects.select_related("indicator", "region", "plan").get(
        plan__code=SHENZHEN_PLAN, value_text="1200亿元"
    )


@pytest.fixture
def people(revenue_target):
    submitter, department = submitter_for(revenue_target, username="sz-submitter")
    return submitter, department, UserFactory(role=roles.REVIEWER, username="sz-reviewer")


@pytest.fixture
def auditor():
    return UserFactory(role=roles.AUDITOR, username="auditor-li")


@pytest.fixture
def clock(monkeypatch):
    """Sets the time everything reads (services, auto_now fields, simple-history). Each reading
    advances a millisecond so that successive writes stay ordered."""

    class Clock:
        def set(self, *args):
            state = {"now": timezone.make_aware(dt.datetime(*args))}

            def now():
                state["now"] += dt.timedelta(milliseconds=1)
                return state["now"]

            monkeypatch.setattr(timezone, "now", now)

    return Clock()

