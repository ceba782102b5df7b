"""Mail end to end: a real Celery worker (a separate process, over the real Redis and PostgreSQL)
runs the reminder job and the return mail, and delivers them to a real SMTP server (aiosmtpd)."""
import datetime as dt

import pytest

from tests.factories import UserFactory, submitter_for
from trackers import roles, tasks
from trackers.models import NotificationLog, Target
from trackers.services.actuals import FigureInput, actual_return, actual_submit_figure
from trackers.services.calendar import due_date_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mailing_worker(smtp_server, monkeypatch, request):
    """The worker starts with EMAIL_URL pointing at the test's SMTP server."""
    monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{smtp_server.port}")
    return request.getfixturevalue("celery_worker_process")


@pytest.fixture
def revenue(seeded):
    target = Target.objects.select_related("indicator", "region").get(
        plan__code="shenzhen-health-2022-2025", value_text="1200亿元")
    submitter, department = submitter_for(target)
    submitter.email = "worker-mail@example.org"
    submitter.save()
    return target, submitter, department


def test_the_worker_sends_the_overdue_reminder_once(mailing_worker, smtp_server, revenue):
    target, submitter, _department = revenue
    after = (due_date_for(2024) + dt.timedelta(days=1)).isoformat()
    assert tasks.notifications_reminders.apply_async(kwargs={"today": after}).get(timeout=60) == 1
    assert tasks.notifications_reminders.apply_async(kwargs={"today": after}).get(timeout=60) == 0
    (mail,) = smtp_server.wait_for(submitter.email)
    assert "已逾期" in mail.subject
    assert f"{target.indicator.name} · {target.region.name} · 2024" in mail.text
    assert NotificationLog.objects.filter(user=submitter, kind="overdue").exists()


def test_a_return_is_mailed_by_the_worker_after_commit(mailing_worker, smtp_server, revenue):
    target, submitter, department = revenue
    figure = FigureInput(target.indicator, target.region, 2024, "1050", "亿元", "统计公报")
    version = actual_submit_figure(user=submitter, department=department, figure=figure)
    actual_return(user=UserFactory(role=roles.REVIEWER), version=version, reason="请核对口径",
                  expected_lock_version=version.actual.lock_version)
    (mail,) = smtp_server.wait_for(submitter.email, timeout=60)
    assert "请核对口径" in mail.text
