"""Celery tasks of the promise side: thin wrappers over services."""
from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from trackers.services.calendar import obligations_generate
from trackers.services.imports import upload_job_run
from trackers.services.notifications import (
    notification_approval_send,
    notification_approvals_send,
    notification_digest_send,
    notification_log_prune,
    notification_return_send,
    notifications_reminders_send,
)

RETRY = {"autoretry_for": (DatabaseError,), "retry_backoff": 5, "retry_backoff_max": 300, "max_retries": 8}
# Mail: a mail server that is down or refuses (OSError, smtplib's errors among them) is tried again
# later; what was sent is logged, so a retry sends only the rest.
MAIL_RETRY = {"autoretry_for": (DatabaseError, OSError), "retry_backoff": 60, "retry_backoff_max": 1800,
              "max_retries": 6}


@shared_task(name="trackers.obligations_generate", **RETRY)
def obligations_generate_recent() -> int:
    """Nightly: the reporting calendar of last year (being reported now) and of this year, so the
    figure pages only ever read it."""
    year = timezone.localdate().year
    return obligations_generate(year - 1) + obligations_generate(year)


@shared_task(name="trackers.figures_upload_job", **RETRY)
def figures_upload_job(job_id: str) -> str:
    """A large spreadsheet upload: read, checked and stored all or nothing (services.imports)."""
    job = upload_job_run(job_id)
    return job.state if job else "missing"


@shared_task(name="trackers.notification_return", **MAIL_RETRY)
def notification_return(version_id: int, key: str) -> bool:
    """The mail to the submitter of a returned figure, with the reason."""
    return notification_return_send(version_id, key)


@shared_task(name="trackers.notification_approval", **MAIL_RETRY)
def notification_approval(version_id: int, key: str) -> bool:
    return notification_approval_send(version_id, key)


@shared_task(name="trackers.notification_approvals", **MAIL_RETRY)
def notification_approvals(version_ids: list[int], key: str) -> int:
    """A bulk approval: one mail to each submitter, listing their figures approved in it."""
    return notification_approvals_send(version_ids, key).sent


@shared_task(name="trackers.notification_log_prune", **RETRY)
def notification_log_prune_old() -> int:
    """Daily (beat): delete the mail log's rows older than NOTIFICATION_LOG_RETENTION_DAYS."""
    return notification_log_prune()


@shared_task(name="trackers.notifications_reminders", **MAIL_RETRY)
def notifications_reminders(today: str | None = None) -> int:
    """Daily (beat): reminders of figures due soon and overdue. A run stops at NOTIFY_BATCH_MAX
    mails and queues the next part itself."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    result = notifications_reminders_send(day)
    if result.more and result.sent:
        notifications_reminders.apply_async(kwargs={"today": day.isoformat()}, countdown=5)
    return result.sent


@shared_task(name="trackers.notification_digest", **MAIL_RETRY)
def notification_digest(today: str | None = None) -> int:
    """Weekly (beat): the review queue's digest for reviewers."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    result = notification_digest_send(day)
    if result.more and result.sent:
        notification_digest.apply_async(kwargs={"today": day.isoformat()}, countdown=5)
    return result.sent
