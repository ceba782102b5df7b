"""Celery tasks of the promise side: thin wrappers over services."""
from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from trackers.services.calendar import obligations_generate
from trackers.services.imports import upload_job_run

RETRY = {"autoretry_for": (DatabaseError,), "retry_backoff": 5, "retry_backoff_max": 300, "max_retries": 8}


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
