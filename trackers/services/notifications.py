"""Notifications by email: a figure returned (with the reason) or approved, reminders before a
figure's due date and once it is overdue, and a weekly digest of the review queue for reviewers.

Sent through Django's email framework (settings.EMAIL_*: the console in the demo, SMTP otherwise),
by Celery tasks (trackers.tasks), in each person's language (NotificationPreferences; Chinese by
default). Every mail is claimed in NotificationLog before it is sent: the unique (user, kind, key)
lets exactly one run claim it, so a redelivered task or two workers running the same job never
send it twice; a mail that could not be sent gives its claim back, so the retry sends it.

A reviewer's bulk approval sends each submitter one mail listing all their figures approved in it
(keyed by the approved versions and lock versions); a single approval, one mail for its figure.
The log keeps NOTIFICATION_LOG_RETENTION_DAYS of rows (notification_log_prune): no key older than
that can be wanted again (see notifications_reminders_send).

Who owes what comes from the reporting calendar (trackers.services.calendar writes it; the
selectors read it); who is told is read in a few queries per run, at most NOTIFY_BATCH_MAX mails.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import uuid
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from trackers.models import ActualVersion, NotificationLog, NotificationPreferences
from trackers.names import department_label, department_name, indicator_name, pick, region_name
from trackers.selectors import (
    digest_recipients,
    mail_addressees,
    notification_preferences_for,
    reminders_owed,
    review_digest,
)
from trackers.spreadsheets import plain_number

logger = logging.getLogger(__name__)
Kind = NotificationLog.Kind
DIGEST_OLDEST = 5  # the digest lists this many of the figures that have waited longest
REMINDER_LINES = 50  # a reminder names at most this many figures of each kind; the page lists them all


class MailNotSent(OSError):
    """Some mails of a run could not be handed to the mail server; their claims were given back,
    so the task's retry sends them."""


@dataclass
class NotifyRun:
    sent: int = 0
    failed: int = 0
    more: bool = False  # NOTIFY_BATCH_MAX was reached: the next run sends the rest
    errors: list[str] = field(default_factory=list)


# Preferences

@transaction.atomic
def notification_preferences_update(*, user, reminders: bool, returns: bool, approvals: bool,
                                    reviewer_digest: bool, language: str) -> NotificationPreferences:
    """Store which mails a user wants, in which language (one row per user)."""
    preferences, _created = NotificationPreferences.objects.select_for_update().get_or_create(user=user)
    preferences.reminders, preferences.returns, preferences.approvals = reminders, returns, approvals
    preferences.reviewer_digest, preferences.language = reviewer_digest, language
    preferences.full_clean()
    preferences.save()
    return preferences


# A figure returned or approved: one mail to the person who submitted it

_held = threading.local()


@contextmanager
def notifications_held():
    """Within the block, returns and approvals queue no mail: the demo loader's invented history
    is news to nobody."""
    previous = getattr(_held, "on", False)
    _held.on = True
    try:
        yield
    finally:
        _held.on = previous


def notification_figure_enqueue(version: ActualVersion, kind: str) -> None:
    """Once the transaction that returned or approved `version` commits, queue its mail. Mail
    never undoes or fails a review: if the mail cannot even be queued, that is logged."""
    if getattr(_held, "on", False):
        return
    key = f"figure-{version.actual_id}-{version.actual.lock_version}"  # this return or approval, not the figure's next
    task = "notification_return" if kind == Kind.RETURN else "notification_approval"
    _enqueue_after_commit(task, [version.pk, key], f"{kind} mail for figure version {version.pk} was not sent")


def _enqueue_after_commit(task_name: str, args: list, failure: str) -> None:
    """Queue trackers.tasks.<task_name>(*args) once the transaction commits. A mail never undoes or
    fails the review it tells of: if it cannot even be queued, `failure` is logged."""

    def enqueue():
        from trackers import tasks  # the tasks call this module

        try:
            getattr(tasks, task_name).apply_async(args=args, retry=False)  # a broker that is down answers at once
        except Exception:  # noqa: BLE001 - the review is committed; its mail must not turn it into an error
            logger.exception(failure)

    transaction.on_commit(enqueue)


def notification_approvals_enqueue(versions: Sequence[ActualVersion]) -> None:
    """Once the transaction of a bulk approval commits, queue one task that mails each submitter
    one list of their figures approved in it (the approvals themselves queue none: they run in
    notifications_held). Like notification_figure_enqueue, it never fails the approval."""
    if getattr(_held, "on", False) or not versions:
        return
    version_ids = sorted(version.pk for version in versions)
    _enqueue_after_commit("notification_approvals", [version_ids, approvals_key(versions)],
                          f"approval mails for {len(version_ids)} figure versions were not sent")


def approvals_key(versions: Sequence[ActualVersion]) -> str:
    """The log key naming one bulk approval: a digest of each approved version with the lock
    version its figure reached in it. Lock versions only grow, so no later approval shares it."""
    named = ",".join(f"{v.pk}:{v.actual.lock_version}" for v in sorted(versions, key=lambda v: v.pk))
    return f"approvals-{hashlib.sha256(named.encode()).hexdigest()[:40]}"  # within the key's 64 characters


def notification_approvals_send(version_ids: Sequence[int], key: str) -> NotifyRun:
    """One mail to each submitter of the versions a bulk approval approved, listing their
    figures (at most REMINDER_LINES, then how many more), unless they turned approval mails off,
    have no address, or were told already (the claim of (user, "approval", key)). A few queries
    whatever the number of figures and people; MailNotSent (the task retries) if any mail was not
    sent."""
    versions = list(ActualVersion.objects.select_related("actual__indicator", "actual__region").filter(
        pk__in=list(version_ids)).exclude(submitted_by=None).order_by("pk"))
    mine: dict[int, list[ActualVersion]] = {}
    for version in versions:
        mine.setdefault(version.submitted_by_id, []).append(version)
    addressees = mail_addressees(mine, switch="approvals")  # an address, approval mails on
    run = uuid.uuid4()
    claimed = _claim(run, [(user_id, Kind.APPROVAL, key) for user_id in sorted(addressees)])
    messages = {}
    for user_id, _kind, _key in sorted(claimed):
        email, language = addressees[user_id]
        with translation.override(language):
            messages[user_id] = _approvals_message(email, mine[user_id], language)
    return _send(run, messages)


def _approvals_message(to: str, versions: list[ActualVersion], language: str) -> EmailMultiAlternatives:
    items = sorted(({"figure": figure_label(v.actual.indicator, v.actual.region, v.actual.year),
                     "value": plain_number(v.value), "unit": v.unit,
                     "link": absolute_url(reverse("web:figure-history", args=[v.actual_id]))} for v in versions),
                   key=lambda item: item["figure"])
    subject = _("Figures approved: %(count)s of yours") % {"count": len(items)}
    context = {"count": len(items), "items": items[:REMINDER_LINES], "more": max(len(items) - REMINDER_LINES, 0)}
    return _message(to, subject, "approvals", context, language)


def notification_return_send(version_id: int, key: str) -> bool:
    """Tell the submitter their figure was returned, with the reviewer's reason and a link to
    correct it. False if nobody is to be told (no address, turned off, already told)."""
    return _figure_send(version_id, key, Kind.RETURN, "returns")


def notification_approval_send(version_id: int, key: str) -> bool:
    """Tell the submitter their figure was approved."""
    return _figure_send(version_id, key, Kind.APPROVAL, "approvals")


def _figure_send(version_id: int, key: str, kind: str, switch: str) -> bool:
    version = ActualVersion.objects.select_related(
        "actual__indicator", "actual__region", "department__region", "submitted_by").filter(pk=version_id).first()
    user = version.submitted_by if version else None
    if user is None or not user.is_active or not user.email:
        return False
    preferences = notification_preferences_for(user)
    if not getattr(preferences, switch):
        return False
    run = uuid.uuid4()
    try:
        with transaction.atomic():
            NotificationLog.objects.create(user=user, kind=kind, key=key, run=run)
    except IntegrityError:
        return False  # this mail was sent already (a redelivered task)
    with translation.override(preferences.language):
        message = _figure_message(version, kind, user.email, preferences.language)
    try:
        message.send()
    except Exception:
        NotificationLog.objects.filter(run=run).delete()  # not sent: the retry may claim it again
        raise
    return True


def _figure_message(version: ActualVersion, kind: str, to: str, language: str) -> EmailMultiAlternatives:
    actual = version.actual
    figure = figure_label(actual.indicator, actual.region, actual.year)
    if kind == Kind.RETURN:
        subject = _("Figure returned: %(figure)s") % {"figure": figure}
        link = absolute_url(f"{reverse('web:figures')}?year={actual.year}")
    else:
        subject = _("Figure approved: %(figure)s") % {"figure": figure}
        link = absolute_url(reverse("web:figure-history", args=[actual.pk]))
    context = {"version": version, "figure": figure, "value": plain_number(version.value), "link": link}
    return _message(to, subject, kind, context, language)


# Reminders: figures due soon and overdue

def notifications_reminders_send(today: dt.date | None = None) -> NotifyRun:
    """One mail per person listing the figures their departments owe that are due within
    NOTIFY_REMINDER_DAYS or overdue and not yet submitted, each told once as "due soon" and once
    as "overdue". At most NOTIFY_BATCH_MAX mails; `more` says a next run has the rest."""
    today = today or timezone.localdate()
    days = settings.NOTIFY_REMINDER_DAYS
    # Only obligations due within the log's retention: an "overdue" mail is claimed after the due
    # date, so once notification_log_prune deleted its row, its obligation is out of this window
    # and is never told twice ("due soon" rows are younger than their due date by at most `days`).
    oldest = today - dt.timedelta(days=settings.NOTIFICATION_LOG_RETENTION_DAYS)
    owed, more = _first_people(reminders_owed(today, days, oldest).iterator(chunk_size=2000),
                               settings.NOTIFY_BATCH_MAX)
    run = uuid.uuid4()
    claimed = _claim(run, [(user_id, row["kind"], f"obligation-{row['pk']}") for user_id, rows in owed.items()
                           for row in rows])
    addressees = mail_addressees(owed)
    messages = {}
    for user_id, rows in owed.items():
        mine = [row for row in rows if (user_id, row["kind"], f"obligation-{row['pk']}") in claimed]
        if not mine:
            continue  # another run claimed them
        email, language = addressees[user_id]
        with translation.override(language):
            messages[user_id] = _reminder_message(email, mine, days, language)
    result = _send(run, messages)
    result.more = more
    return result


def _first_people(rows, limit: int) -> tuple[dict[int, list[dict]], bool]:
    """The rows of the first `limit` people (rows come ordered by person), and whether more follow."""
    people: dict[int, list[dict]] = {}
    for row in rows:
        member = row["member"]
        if member not in people and len(people) >= limit:
            return people, True
        people.setdefault(member, []).append(row)
    return people, False


def _reminder_message(to: str, rows: list[dict], days: int, language: str) -> EmailMultiAlternatives:
    items = [{"figure": " · ".join((pick(r["indicator__name"], r["indicator__name_en"])[0],
                                    pick(r["region__name"], r["region__name_en"])[0], str(r["year"]))),
              "department": department_label(r["department__name"], r["department__region__name"],
                                             r["department__region__name_en"]),
              "due_date": r["due_date"], "overdue": r["kind"] == Kind.OVERDUE} for r in rows]
    overdue = [item for item in items if item["overdue"]]
    soon = [item for item in items if not item["overdue"]]
    subject = _("Figures to report: %(overdue)s overdue, %(soon)s due within %(days)s days") % {
        "overdue": len(overdue), "soon": len(soon), "days": days}
    link = absolute_url(reverse("web:my-work"))  # everything owed, overdue first, each one click from its form
    context = {"overdue": overdue[:REMINDER_LINES], "overdue_more": max(len(overdue) - REMINDER_LINES, 0),
               "soon": soon[:REMINDER_LINES], "soon_more": max(len(soon) - REMINDER_LINES, 0), "days": days,
               "link": link}
    return _message(to, subject, "reminders", context, language)


# The reviewers' weekly digest

def notification_digest_send(today: dt.date | None = None) -> NotifyRun:
    """Once a week (ISO week of `today`), each reviewer who takes it: how many figures wait for
    review and the ones waiting longest. Nothing when nothing waits."""
    today = today or timezone.localdate()
    iso = today.isocalendar()
    key = f"{iso.year}-W{iso.week:02d}"
    count, oldest = review_digest(DIGEST_OLDEST)
    if not count:
        return NotifyRun()
    limit = settings.NOTIFY_BATCH_MAX
    user_ids = list(digest_recipients(key).values_list("pk", flat=True)[:limit + 1])
    more = len(user_ids) > limit
    user_ids = user_ids[:limit]
    run = uuid.uuid4()
    claimed = {user_id for user_id, _kind, _key in _claim(run, [(u, Kind.DIGEST, key) for u in user_ids])}
    addressees = mail_addressees(claimed)
    link = absolute_url(reverse("web:review"))
    messages = {}
    for user_id in sorted(claimed):
        email, language = addressees[user_id]
        with translation.override(language):
            subject = _("Review queue: %(count)s figures waiting") % {"count": count}
            items = [{"figure": figure_label(v.actual.indicator, v.actual.region, v.actual.year),
                      "department": department_name(v.department), "submitted_at": v.submitted_at} for v in oldest]
            messages[user_id] = _message(email, subject, "digest", {"count": count, "oldest": items, "link": link},
                                         language)
    result = _send(run, messages)
    result.more = more
    return result


# Retention of the log

PRUNE_BATCH = 10_000


def notification_log_prune(now: dt.datetime | None = None) -> int:
    """Delete the log rows older than NOTIFICATION_LOG_RETENTION_DAYS, in batches of PRUNE_BATCH
    (short transactions, however many there are); returns how many. Safe: every key names a
    moment that does not come back (a figure's lock version, a bulk approval's versions, an ISO
    week), and reminders only look at obligations due within the same retention."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.NOTIFICATION_LOG_RETENTION_DAYS)
    old = NotificationLog.objects.filter(sent_at__lt=cutoff).order_by()
    deleted = 0
    while ids := list(old.values_list("pk", flat=True)[:PRUNE_BATCH]):
        deleted += NotificationLog.objects.filter(pk__in=ids).delete()[0]
    return deleted


# Shared

def figure_label(indicator, region, year) -> str:
    """A figure as mails name it, in the active language where the data has English names."""
    return f"{indicator_name(indicator)} · {region_name(region)} · {year}"


def absolute_url(path: str) -> str:
    """A link for a mail: SITE_URL, the address people open the service at, and the path."""
    return f"{settings.SITE_URL}{path}"


def _claim(run: uuid.UUID, wanted: list[tuple[int, str, str]]) -> set[tuple[int, str, str]]:
    """Insert a log row for each (user, kind, key), skipping those already there; return the
    ones this run inserted. Two queries whatever the number; the unique constraint decides
    between two runs at the same time."""
    if not wanted:
        return set()
    now = timezone.now()
    NotificationLog.objects.bulk_create(
        [NotificationLog(user_id=user_id, kind=kind, key=key, run=run, sent_at=now) for user_id, kind, key in wanted],
        ignore_conflicts=True, batch_size=2000,
    )
    return set(NotificationLog.objects.filter(run=run).values_list("user_id", "kind", "key"))


def _send(run: uuid.UUID, messages: dict[int, EmailMultiAlternatives]) -> NotifyRun:
    """Send over one connection. A mail the server refuses gives its claims back; if any was not
    sent, MailNotSent is raised after the others went out (the task retries it later)."""
    result = NotifyRun()
    if not messages:
        return result
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:
        NotificationLog.objects.filter(run=run).delete()
        raise MailNotSent(f"mail server unreachable, {len(messages)} mails not sent: {error}") from error
    try:
        for user_id, message in messages.items():
            message.connection = connection
            try:
                message.send()
            except Exception as error:  # noqa: BLE001 - one refused mail must not stop the others
                logger.warning("mail to user %s not sent: %s", user_id, error)
                NotificationLog.objects.filter(run=run, user_id=user_id).delete()
                result.failed += 1
                result.errors.append(str(error))
            else:
                result.sent += 1
    finally:
        connection.close()
    if result.failed:
        raise MailNotSent(f"{result.failed} of {len(messages)} mails not sent: {result.errors[0]}")
    return result


def _message(to: str, subject: str, template: str, context: dict, language: str) -> EmailMultiAlternatives:
    """Plain text and the same in simple HTML, rendered in the active language."""
    context = {**context, "subject": subject, "language": language,
               "preferences_link": absolute_url(reverse("web:account-notifications"))}
    text = render_to_string(f"trackers/mail/{template}.txt", context)
    html = render_to_string(f"trackers/mail/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    return message
