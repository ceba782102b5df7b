"""A large report end to end: the job is queued on Redis, a real `celery worker` builds it, the
file and its checksum are stored and logged. Needs the worker to know reporting.exports.tasks
(settings: CELERY_IMPORTS = ["reporting.exports.tasks"])."""
import datetime as dt
import hashlib

import pytest

from reporting.exports import services
from reporting.exports.report import Scope
from reporting.exports.selectors import report_job_file
from reporting.models import ExportLog, ReportJob
from tests.conftest import SHENZHEN_PLAN
from tests.factories import UserFactory
from tests.integration.conftest import celery_worker_process, seeded, services_ready, wait_for  # noqa: F401
from tests.reporting_exports.helpers import sheet_rows, workbook_of
from trackers import roles

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_worker_builds_the_large_report(celery_worker_process, monkeypatch):  # noqa: F811
    monkeypatch.setattr(services, "ASYNC_TARGET_THRESHOLD", 3)  # decided here, in the web process
    auditor = UserFactory(role=roles.AUDITOR)
    request = services.ReportRequest(Scope("plan", SHENZHEN_PLAN), dt.date(2024, 6, 30), "xlsx", "zh-hans", "api")

    job = services.gap_report_export(user=auditor, request=request).job  # committed, then queued

    done = wait_for(
        lambda: ReportJob.objects.defer("content").filter(pk=job.pk, state__in=["done", "failed"]).first(),
        timeout=120, what="the worker to finish the report job (is reporting.exports.tasks in CELERY_IMPORTS?)",
    )
    assert done.state == "done", done.error
    content = report_job_file(done)
    assert hashlib.sha256(content).hexdigest() == done.file_sha256
    assert any(row["目标（按原文）"] == "1200亿元" for row in sheet_rows(workbook_of(content)["目标"]))
    assert ExportLog.objects.get(job=done).checksum == done.checksum
