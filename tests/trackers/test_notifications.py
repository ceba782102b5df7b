"""Notification mails, delivered to a real SMTP server (aiosmtpd, tests/mail.py) through Django's
SMTP backend: returned and approved figures, reminders before the due date and when overdue (each
once), the reviewers' weekly digest, each person's switches and language, and a mail server that
is down, which must never break a review."""
import datetime as dt
import uuid

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django_celery_beat.models import PeriodicTask

from tests.factories import UserFactory, target_with_lead
from trackers import roles, tasks
from trackers.models import Actual, NotificationLog, NotificationPreferences, ReportingObligation
from trackers.names import department_name
from trackers.services import notifications
from trackers.services.actuals import (
    FigureInput,
    actual_approve,
    actual_return,
    actual_submit_figure,
    actuals_approve_unflagged,
)
from trackers.services.calendar import due_date_for
from trackers.services.notifications import MailNotSent, notification_digest_send, notifications_reminders_send

pytestmark = pytest.mark.django_db
REASON = "与统计公报不符，请核对第3页的口径"


@pytest.fixture
def mailed(people):
    """The revenue target's submitter and the reviewer, both with an address."""
    submitter, department, reviewer = people
    submitter.email, reviewer.email = "submitter@example.org", "reviewer@example.org"
    submitter.save()
    reviewer.save()
    return submitter, department, reviewer


def submitted(target, submitter, department, year=2024, value="1050", unit="亿元"):
    figure = FigureInput(target.indicator, target.region, year, value, unit, "统计公报")
    lock = Actual.objects.filter(indicator=target.indicator, region=target.region, year=year).values_list(
        "lock_version", flat=True).first()
    return actual_submit_figure(user=submitter, department=department, figure=figure, expected_lock_version=lock)


def review(django_capture_on_commit_callbacks, version, reviewer, *, approve=False):
    """Return (or approve) as the page does, running what waits for the commit (the mail)."""
    with django_capture_on_commit_callbacks(execute=True):
        if approve:
            return actual_approve(user=reviewer, version=version, expected_lock_version=version.actual.lock_version)
        return actual_return(user=reviewer, version=version, reason=REASON,
                             expected_lock_version=version.actual.lock_version)


def figure_words(target, year=2024):
    return f"{target.indicator.name} · {target.region.name} · {year}"


# Returned and approved figures

def test_a_returned_figure_mails_its_submitter_the_reason_and_a_link(
        smtp_server, mailed, revenue_target, django_capture_on_commit_callbacks):
    submitter, department, reviewer = mailed
    version = review(django_capture_on_commit_callbacks, submitted(revenue_target, submitter, department), reviewer)

    (mail,) = smtp_server.wait_for("submitter@example.org")
    assert mail.subject == f"数据被退回：{figure_words(revenue_target)}"  # Chinese unless chosen otherwise
    assert REASON in mail.text and REASON in mail.html
    assert f"{settings.SITE_URL}/figures/?year=2024" in mail.text
    assert f'href="{settings.SITE_URL}/figures/?year=2024"' in mail.html
    assert f"{settings.SITE_URL}/account/notifications/" in mail.text
    assert mail.message["From"] == settings.DEFAULT_FROM_EMAIL or "noreply" in mail.message["From"]
    assert smtp_server.to("reviewer@example.org") == []
    assert NotificationLog.objects.filter(user=submitter, kind="return").count() == 1

    # The same task delivered twice (a worker died after sending): one mail.
    key = f"figure-{version.actual_id}-{version.actual.lock_version}"
    assert tasks.notification_return(version.pk, key) is False
    assert len(smtp_server.to("submitter@example.org")) == 1


def test_a_figure_returned_again_after_resubmission_mails_again(
        smtp_server, mailed, revenue_target, django_capture_on_commit_callbacks):
    submitter, department, reviewer = mailed
    version = review(django_capture_on_commit_callbacks, submitted(revenue_target, submitter, department), reviewer)
    again = submitted(revenue_target, submitter, department, value="1060")
    assert again.pk == version.pk  # the returned version, edited and sent again
    review(django_capture_on_commit_callbacks, again, reviewer)
    assert len(smtp_server.wait_for("submitter@example.org", count=2)) == 2


def test_an_approved_figure_mails_its_submitter(smtp_server, mailed, revenue_target, django_capture_on_commit_callbacks):
    submitter, department, reviewer = mailed
    version = review(django_capture_on_commit_callbacks, submitted(revenue_target, submitter, department), reviewer,
                     approve=True)
    (mail,) = smtp_server.wait_for("submitter@example.org")
    assert mail.subject == f"数据已审核通过：{figure_words(revenue_target)}"
    assert "1050 亿元" in mail.text
    assert f"{settings.SITE_URL}/figures/{version.actual_id}/history/" in mail.text


def test_the_mail_is_in_the_language_the_user_chose(smtp_server, mailed, revenue_target,
                                                    django_capture_on_commit_callbacks):
    submitter, department, reviewer = mailed
    NotificationPreferences.objects.create(user=submitter, language="en")
    review(django_capture_on_commit_callbacks, submitted(revenue_target, submitter, department), reviewer)
    (mail,) = smtp_server.wait_for("submitter@example.org")
    with translation.override("en"):  # the data's English names, where it has them
        figure = notifications.figure_label(revenue_target.indicator, revenue_target.region, 2024)
    assert revenue_target.region.name_en and revenue_target.region.name_en in figure
    assert mail.subject == f"Figure returned: {figure}"
    assert "Reason for return" in mail.text and REASON in mail.text
    assert "退回" not in mail.text


def test_a_user_who_turned_mails_off_gets_none(smtp_server, mailed, revenue_target,
                                               django_capture_on_commit_callbacks):
    submitter, department, reviewer = mailed
    NotificationPreferences.objects.create(user=submitter, returns=False, approvals=False, reminders=False)
    version = review(django_capture_on_commit_callbacks, submitted(revenue_target, submitter, department), reviewer)
    version = submitted(revenue_target, submitter, department, value="1060")
    review(django_capture_on_commit_callbacks, version, reviewer, approve=True)
    notifications_reminders_send(due_date_for(2024) + dt.timedelta(days=1))
    assert smtp_server.messages == []
    assert not NotificationLog.objects.exists()


def test_a_user_without_an_address_is_skipped(smtp_server, people, revenue_target, django_capture_on_commit_callbacks):
    submitter, department, reviewer = people  # no email
    review(django_capture_on_commit_callbacks, submitted(revenue_target, submitter, department), reviewer)
    assert smtp_server.messages == []


def test_a_mail_server_that_is_down_does_not_break_return_or_approve(
        smtp_down, mailed, revenue_target, django_capture_on_commit_callbacks, settings, caplog):
    submitter, department, reviewer = mailed
    version = review(django_capture_on_commit_callbacks, submitted(revenue_target, submitter, department), reviewer)
    assert version.status == "returned"
    version = submitted(revenue_target, submitter, department, value="1060")
    version = review(django_capture_on_commit_callbacks, version, reviewer, approve=True)
    assert version.status == "approved"
    assert "mail for figure version" in caplog.text  # logged, not raised
    assert not NotificationLog.objects.exists()  # nothing claimed as sent: a retry sends it


def test_mail_not_sent_while_the_server_was_down_goes_out_on_the_retry(
        mailed, revenue_target, django_capture_on_commit_callbacks, settings, request):
    submitter, department, reviewer = mailed
    request.getfixturevalue("smtp_down")
    version = review(django_capture_on_commit_callbacks, submitted(revenue_target, submitter, department), reviewer)
    inbox = request.getfixturevalue("smtp_server")  # the server is back
    key = f"figure-{version.actual_id}-{version.actual.lock_version}"
    assert tasks.notification_return(version.pk, key) is True
    assert REASON in inbox.wait_for("submitter@example.org")[0].text


# Reminders from the reporting calendar

def test_reminders_before_the_due_date_and_when_overdue_are_each_sent_once(smtp_server, mailed, revenue_target):
    submitter, department, _reviewer = mailed
    due = due_date_for(2024)
    assert ReportingObligation.objects.filter(department=department, year=2024, indicator=revenue_target.indicator,
                                              region=revenue_target.region, due_date=due).exists()

    before = due - dt.timedelta(days=settings.NOTIFY_REMINDER_DAYS - 1)
    assert notifications_reminders_send(before).sent == 1
    assert notifications_reminders_send(before).sent == 0  # run twice: one mail
    (soon,) = smtp_server.to("submitter@example.org")
    assert f"{settings.NOTIFY_REMINDER_DAYS}天内到期" in soon.text
    with translation.override("zh-hans"):  # the mail's language, whatever an earlier test left active
        assert f"{figure_words(revenue_target)} ({department_name(department)})" in soon.text
        assert department.region.name in department_name(department)  # which city's department
    assert due.isoformat() in soon.text
    assert f"{settings.SITE_URL}/my-work/" in soon.text

    after = due + dt.timedelta(days=1)
    assert notifications_reminders_send(after).sent == 1
    assert notifications_reminders_send(after + dt.timedelta(days=3)).sent == 0
    _soon, overdue = smtp_server.to("submitter@example.org")
    assert "已逾期" in overdue.subject
    overdue_part = overdue.text.split("天内到期")[0]
    assert figure_words(revenue_target) in overdue_part


def test_no_reminder_further_ahead_than_the_reminder_days(smtp_server, mailed, revenue_target):
    due = due_date_for(2025)
    early = due - dt.timedelta(days=settings.NOTIFY_REMINDER_DAYS + 1)
    notifications_reminders_send(early)
    assert all(figure_words(revenue_target, 2025) not in mail.text for mail in smtp_server.messages)


def test_a_submitted_figure_is_not_reminded(smtp_server, mailed, revenue_target):
    submitter, department, _reviewer = mailed
    submitted(revenue_target, submitter, department)
    notifications_reminders_send(due_date_for(2024) + dt.timedelta(days=1))
    assert all(figure_words(revenue_target) not in mail.text for mail in smtp_server.messages)


def test_a_returned_figure_is_not_reminded_as_overdue_its_return_mail_said_it(
        smtp_server, mailed, revenue_target, django_capture_on_commit_callbacks):
    """The "my work" page's rule (selectors.with_work_state): a returned figure is "returned", not overdue."""
    submitter, department, reviewer = mailed
    review(django_capture_on_commit_callbacks, submitted(revenue_target, submitter, department), reviewer)
    notifications_reminders_send(due_date_for(2024) + dt.timedelta(days=1))
    return_mail, reminder = smtp_server.to("submitter@example.org")
    assert REASON in return_mail.text
    assert figure_words(revenue_target) not in reminder.text


def test_reminders_while_the_server_is_down_are_sent_when_it_is_back(mailed, request):
    request.getfixturevalue("smtp_down")
    after = due_date_for(2024) + dt.timedelta(days=1)
    with pytest.raises(MailNotSent):
        notifications_reminders_send(after)
    assert not NotificationLog.objects.exists()
    inbox = request.getfixturevalue("smtp_server")
    assert notifications_reminders_send(after).sent == 1
    assert len(inbox.to("submitter@example.org")) == 1


def test_a_run_stops_at_the_batch_limit_and_the_task_sends_the_rest(smtp_server, mailed, revenue_target, settings):
    submitter, department, _reviewer = mailed
    colleague = UserFactory(role=roles.SUBMITTER, departments=[department], email="colleague@example.org")
    settings.NOTIFY_BATCH_MAX = 1
    after = due_date_for(2024) + dt.timedelta(days=1)
    first = notifications_reminders_send(after)
    assert (first.sent, first.more) == (1, True)
    assert tasks.notifications_reminders(after.isoformat()) == 1  # and it queued the next part itself
    assert len(smtp_server.to(submitter.email)) == 1 and len(smtp_server.to(colleague.email)) == 1


def test_reminders_read_a_bounded_number_of_queries(smtp_server, mailed, django_assert_max_num_queries):
    _submitter, department, _reviewer = mailed
    for n in range(5):
        UserFactory(role=roles.SUBMITTER, departments=[department], email=f"c{n}@example.org")
    with django_assert_max_num_queries(4):  # owed, claim, claimed, addresses: whatever the number of people
        assert notifications_reminders_send(due_date_for(2024) + dt.timedelta(days=1)).sent == 6


def test_a_long_reminder_names_the_first_figures_and_counts_the_rest(smtp_server, mailed, monkeypatch):
    monkeypatch.setattr(notifications, "REMINDER_LINES", 1)
    notifications_reminders_send(due_date_for(2024) + dt.timedelta(days=1))
    (mail,) = smtp_server.to("submitter@example.org")
    overdue_count = int(mail.subject.split("已逾期 ")[1].split(" 项")[0])
    assert overdue_count > 1
    assert f"……另有 {overdue_count - 1} 项" in mail.text and f"……另有 {overdue_count - 1} 项" in mail.html


def test_two_runs_claiming_the_same_mails_at_once_get_each_once(mailed):
    """What two workers running the same job meet: the unique (user, kind, key) gives each mail to
    one run only, and each run learns which ones are its own."""
    submitter, _department, reviewer = mailed
    wanted = [(submitter.pk, "overdue", "obligation-1"), (reviewer.pk, "overdue", "obligation-1")]
    assert notifications._claim(uuid.uuid4(), wanted[:1]) == set(wanted[:1])
    assert notifications._claim(uuid.uuid4(), wanted) == set(wanted[1:])


# The reviewers' weekly digest

def test_reviewers_get_a_weekly_digest_of_the_queue(smtp_server, mailed, revenue_target):
    submitter, department, reviewer = mailed
    submitted(revenue_target, submitter, department)
    monday = dt.date(2026, 3, 2)
    assert notification_digest_send(monday).sent == 1
    assert notification_digest_send(monday + dt.timedelta(days=4)).sent == 0  # same week
    (mail,) = smtp_server.to("reviewer@example.org")
    assert mail.subject == "审核队列：1 项数据待审核"
    assert figure_words(revenue_target) in mail.text
    assert f"{settings.SITE_URL}/review/" in mail.text
    assert smtp_server.to("submitter@example.org") == []  # reviewers only
    assert notification_digest_send(monday + dt.timedelta(days=7)).sent == 1  # next week


def test_no_digest_when_nothing_waits_or_for_a_reviewer_who_turned_it_off(smtp_server, mailed, revenue_target):
    submitter, department, reviewer = mailed
    assert notification_digest_send(dt.date(2026, 3, 2)).sent == 0
    submitted(revenue_target, submitter, department)
    NotificationPreferences.objects.create(user=reviewer, reviewer_digest=False)
    assert notification_digest_send(dt.date(2026, 3, 2)).sent == 0
    assert smtp_server.messages == []


def test_the_beat_schedule_runs_reminders_daily_and_the_digest_weekly():
    reminders = PeriodicTask.objects.get(task="trackers.notifications_reminders")
    digest = PeriodicTask.objects.get(task="trackers.notification_digest")
    assert reminders.enabled and reminders.crontab.day_of_week == "*"
    assert digest.enabled and digest.crontab.day_of_week == "1"


# A bulk approval: one mail per submitter, listing their figures

def bulk_approve(django_capture_on_commit_callbacks, reviewer, versions):
    """Approve as the review queue's confirmed "approve unflagged" does, running what waits for the commit."""
    with django_capture_on_commit_callbacks(execute=True):
        return actuals_approve_unflagged(user=reviewer, approvals=[(v.pk, v.actual.lock_version) for v in versions])


@pytest.fixture
def two_submitters(mailed, revenue_target):
    """Three unflagged figures of the revenue target's submitter (2022-2024) and one of another
    submitter, of another city's department, waiting for review."""
    submitter, department, reviewer = mailed
    mine = [submitted(revenue_target, submitter, department, year, value)
            for year, value in ((2022, "1000"), (2023, "1050"), (2024, "1100"))]
    chaozhou = target_with_lead("chaozhou-biomed-2022-2025", indicator_code="firms_revenue_over_1bn")
    other = UserFactory(role=roles.SUBMITTER, departments=[chaozhou.lead_departments.get()], email="other@example.org")
    theirs = submitted(chaozhou, other, chaozhou.lead_departments.get(), 2022, "3", chaozhou.indicator.unit)
    assert not any(v.flagged for v in [*mine, theirs])
    return {"mine": mine, "theirs": theirs, "other": other, "chaozhou": chaozhou, "reviewer": reviewer}


def test_a_bulk_approval_mails_each_submitter_once_listing_their_figures(
        smtp_server, two_submitters, revenue_target, django_capture_on_commit_callbacks,
        django_assert_max_num_queries):
    NotificationPreferences.objects.create(user=two_submitters["other"], language="en")
    versions = [*two_submitters["mine"], two_submitters["theirs"]]

    approved = bulk_approve(django_capture_on_commit_callbacks, two_submitters["reviewer"], versions)

    (mail,) = smtp_server.wait_for("submitter@example.org")
    assert mail.subject == "数据已审核通过：你的 3 项数据"
    for version, year, value in zip(two_submitters["mine"], (2022, 2023, 2024), ("1000", "1050", "1100")):
        line = f"- {figure_words(revenue_target, year)}: {value} 亿元"
        assert line in mail.text and line[2:] in mail.html
        assert f"{settings.SITE_URL}/figures/{version.actual_id}/history/" in mail.text
        assert f'href="{settings.SITE_URL}/figures/{version.actual_id}/history/"' in mail.html
    (theirs,) = smtp_server.wait_for("other@example.org")
    assert theirs.subject == "Figures approved: 1 of yours"  # in the language they chose
    assert "These figures of yours were approved (1):" in theirs.text and "审核" not in theirs.text
    assert len(smtp_server.messages) == 2  # no mail per figure besides
    logged = NotificationLog.objects.filter(kind="approval")
    key = notifications.approvals_key(approved)  # names this approval: its versions at their new lock versions
    assert logged.count() == 2 and {row.key for row in logged} == {key}

    # The task delivered again (a worker died after sending): nothing more.
    assert tasks.notification_approvals(sorted(v.pk for v in versions), key) == 0
    assert len(smtp_server.messages) == 2

    # Versions, addresses, claim, claimed: whatever the number of figures and people.
    with django_assert_max_num_queries(4):
        assert notifications.notification_approvals_send([v.pk for v in versions], "approvals-another").sent == 2


def test_a_bulk_approval_mails_nobody_who_turned_approval_mails_off(
        smtp_server, two_submitters, django_capture_on_commit_callbacks):
    submitter = two_submitters["mine"][0].submitted_by
    NotificationPreferences.objects.create(user=submitter, approvals=False)

    bulk_approve(django_capture_on_commit_callbacks, two_submitters["reviewer"],
                 [*two_submitters["mine"], two_submitters["theirs"]])

    smtp_server.wait_for("other@example.org")
    assert smtp_server.to("submitter@example.org") == []
    assert not NotificationLog.objects.filter(user=submitter).exists()


def test_a_bulk_approval_with_the_mail_server_down_approves_and_mails_on_the_retry(
        two_submitters, django_capture_on_commit_callbacks, request, caplog):
    request.getfixturevalue("smtp_down")
    versions = two_submitters["mine"]

    approved = bulk_approve(django_capture_on_commit_callbacks, two_submitters["reviewer"], versions)

    assert [v.status for v in approved] == ["approved"] * 3
    assert "approval mails for 3 figure versions were not sent" in caplog.text  # logged, not raised
    assert not NotificationLog.objects.exists()  # nothing claimed as sent
    inbox = request.getfixturevalue("smtp_server")  # the server is back: the task's retry
    assert tasks.notification_approvals([v.pk for v in versions], notifications.approvals_key(approved)) == 1
    assert len(inbox.wait_for("submitter@example.org")) == 1


# Retention of the log

def test_the_prune_deletes_old_log_rows_and_keeps_recent_ones(mailed, settings):
    submitter, _department, reviewer = mailed
    now = timezone.now()
    days = settings.NOTIFICATION_LOG_RETENTION_DAYS
    for user, key, age in ((submitter, "old", days + 1), (reviewer, "old", days + 30), (submitter, "recent", days - 1),
                           (reviewer, "new", 0)):
        NotificationLog.objects.create(user=user, kind="digest", key=key, run=uuid.uuid4(),
                                       sent_at=now - dt.timedelta(days=age))

    assert notifications.notification_log_prune(now) == 2
    assert sorted(NotificationLog.objects.values_list("key", flat=True)) == ["new", "recent"]
    assert tasks.notification_log_prune_old() == 0  # the beat's task: nothing old is left


def test_an_overdue_figure_is_not_reminded_again_once_its_log_row_is_pruned(smtp_server, mailed, revenue_target):
    """Reminders look only at obligations due within the retention, and an overdue mail is logged
    after its due date: once its row is gone, so is the obligation from the reminders."""
    after = due_date_for(2024) + dt.timedelta(days=1)
    assert notifications_reminders_send(after).sent == 1
    told = NotificationLog.objects.filter(kind="overdue", key__startswith="obligation-")
    told.update(sent_at=timezone.make_aware(dt.datetime.combine(after, dt.time(8))))
    later = after + dt.timedelta(days=settings.NOTIFICATION_LOG_RETENTION_DAYS + 1)

    assert notifications.notification_log_prune(timezone.make_aware(dt.datetime.combine(later, dt.time(3)))) > 0
    assert not told.exists()
    notifications_reminders_send(later)
    first, *rest = smtp_server.to("submitter@example.org")
    assert figure_words(revenue_target) in first.text
    assert all(figure_words(revenue_target) not in mail.text for mail in rest)


def test_the_beat_schedule_prunes_the_log_daily():
    prune = PeriodicTask.objects.get(task="trackers.notification_log_prune")
    assert prune.enabled and prune.crontab.day_of_week == "*" and prune.crontab.hour == "3"
