"""Celery task for large gap reports: a thin wrapper over services.report_job_run.

Retried on database errors; acks_late with reject_on_worker_lost (settings) redelivers a task
whose worker died, and report_job_run leaves a finished job alone, so a rerun is harmless.
"""
from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from . import services

RETRY = {"autoretry_for": (DatabaseError,), "retry_backoff": 5, "retry_backoff_max": 300, "max_retries": 8}


@shared_task(name="reporting.gap_report_job", **RETRY)
def gap_report_job(job_id: str) -> str:
    job = services.report_job_run(job_id)
    return job.state if job else "missing"
