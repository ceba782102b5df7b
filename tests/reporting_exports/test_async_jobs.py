"""Large reports: a Celery job (eager in unit tests) whose progress the job page polls, with a
download link once done; the file and its checksum are stored with the job, and logged."""
import datetime as dt
import hashlib
import re

import pytest
from django.utils import timezone

from reporting.exports import services
from reporting.exports.report import Scope
from reporting.models import ExportLog, ReportJob
from tests.conftest import SHENZHEN_PLAN
from tests.factories import UserFactory
from tests.reporting_exports.helpers import report_figure, sheet_rows, workbook_of
from trackers import roles

pytestmark = pytest.mark.django_db

FORM = {"scope_type": "plan", "scope_code": SHENZHEN_PLAN, "as_of": "2024-06-30", "format": "xlsx"}


@pytest.fixture
def large(monkeypatch):
    """Shenzhen's 4 targets count as a large report."""
    monkeypatch.setattr(services, "ASYNC_TARGET_THRESHOLD", 3)
    monkeypatch.setattr(services, "PDF_ASYNC_ROW_THRESHOLD", 3)


@pytest.fixture
def figure_800(revenue_target, people, clock):
    clock.set(2024, 3, 15, 10, 0)
    report_figure(revenue_target, people, 2023, "800")
    clock.set(2024, 7, 1, 9, 0)


def test_web_job_shows_progress_then_a_download(client, auditor, large, figure_800, monkeypatch,
                                                django_capture_on_commit_callbacks):
    client.force_login(auditor)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post("/reports/", FORM)
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/reports/jobs/{job.pk}/"
    status_url = f"/reports/api/jobs/{job.pk}/"
    assert client.get(status_url).json().items() >= {"state": "pending", "progress": 0, "stage": "queued",
                                                     "download_url": None, "target_count": 4}.items()
    page = client.get(response.url).content.decode()
    assert f'data-status-url="{status_url}"' in page and 'data-poll="true"' in page
    # The poller is our static file (no inline script under the CSP); no CDN, no library.
    assert 'src="/static/js/report_job.js"' in page and not re.search(r'<script[^>]+src="https?://', page)

    seen = []
    record = services.report_job_progress_set

    def watch(job_id, stage, percent):  # what a browser polling the status endpoint would see
        record(job_id, stage, percent)
        body = client.get(status_url).json()
        seen.append((body["state"], body["stage"], body["progress"]))

    monkeypatch.setattr(services, "report_job_progress_set", watch)
    for callback in queued:  # the commit: the task is queued and, eager, runs
        callback()

    assert seen[0] == ("running", "snapshots", 5)
    assert [state for state, _stage, _pct in seen] == ["running"] * len(seen)
    assert {"reading", "rendering", "storing"} <= {stage for _state, stage, _pct in seen}
    percents = [pct for _state, _stage, pct in seen]
    assert percents == sorted(percents) and percents[-1] == 97
    done = client.get(status_url).json()
    assert done["state"] == "done" and done["progress"] == 100 and done["stage_label"] == "可以下载"
    assert done["download_url"] == f"/reports/api/jobs/{job.pk}/download/"

    download = client.get(done["download_url"])
    assert download.status_code == 200
    assert download["X-Report-Checksum"] == f"sha256={done['checksum']}"
    assert download["Content-Disposition"] == f'attachment; filename="gap-report_plan-{SHENZHEN_PLAN}_2024-06-30.xlsx"'
    content = download.content
    assert hashlib.sha256(content).hexdigest() == done["file_sha256"]
    revenue = next(r for r in sheet_rows(workbook_of(content)["目标"]) if r["目标（按原文）"] == "1200亿元")
    assert revenue["最新审定值"] == 800 and revenue["状态"] == "进度滞后"
    assert client.get(f"/reports/jobs/{job.pk}/download/").content == content  # the page's link
    log = ExportLog.objects.get()
    assert (log.job_id, log.user, log.checksum, log.channel) == (job.pk, auditor, done["checksum"], "web")


def test_api_answers_202_and_the_job_to_follow(client, auditor, large, figure_800, django_capture_on_commit_callbacks):
    client.force_login(auditor)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post("/reports/api/gap-report/", {**FORM, "format": "pdf"}, content_type="application/json")
    assert response.status_code == 202
    body = response.json()
    assert body["state"] == "pending" and response["Location"] == body["status_url"]
    not_ready = client.get(f"/reports/api/jobs/{body['id']}/download/")
    assert not_ready.status_code == 409 and not_ready.json()["state"] == "pending"

    for callback in queued:
        callback()

    done = client.get(body["status_url"]).json()
    assert done["state"] == "done"
    pdf = client.get(done["download_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert ExportLog.objects.get().channel == "api"


def test_a_job_that_fails_says_so_and_logs_nothing(client, auditor, large, monkeypatch,
                                                   django_capture_on_commit_callbacks):
    def broken(*args, **kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(services.builders, "build", broken)
    client.force_login(auditor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/reports/", FORM)

    job = client.get(f"/reports/api/jobs/{ReportJob.objects.get().pk}/").json()
    assert job["state"] == "failed" and job["error"] == "报告生成失败。" and job["download_url"] is None
    assert not ExportLog.objects.exists()


def test_a_finished_job_run_again_is_left_alone(auditor, large, django_capture_on_commit_callbacks):
    request = services.ReportRequest(Scope("plan", SHENZHEN_PLAN), dt.date(2024, 6, 30), "csv", "en", "api")
    with django_capture_on_commit_callbacks(execute=True):
        job = services.gap_report_export(user=auditor, request=request).job
    services.report_job_run(job.pk)  # a redelivered task message
    assert ExportLog.objects.filter(job=job).count() == 1


def test_jobs_are_their_requesters_only(client, auditor, large, django_capture_on_commit_callbacks):
    client.force_login(auditor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/reports/", FORM)
    job = ReportJob.objects.get()
    client.force_login(UserFactory(role=roles.AUDITOR))
    for url in (f"/reports/jobs/{job.pk}/", f"/reports/jobs/{job.pk}/download/", f"/reports/api/jobs/{job.pk}/",
                f"/reports/api/jobs/{job.pk}/download/"):
        assert client.get(url).status_code == 404, url


def test_small_reports_are_returned_at_once(client, auditor):
    client.force_login(auditor)
    response = client.post("/reports/", FORM | {"format": "csv", "as_of": timezone.localdate().isoformat()})
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    assert not ReportJob.objects.exists()


def test_pdf_goes_to_a_job_sooner(client, auditor, monkeypatch, revenue_target, people, clock,
                                  django_capture_on_commit_callbacks):
    """WeasyPrint is slow on long tables: a PDF counts its rows, targets and history records."""
    monkeypatch.setattr(services, "PDF_ASYNC_ROW_THRESHOLD", 6)
    client.force_login(auditor)
    clock.set(2024, 7, 1, 9, 0)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/reports/", FORM | {"format": "pdf"}).status_code == 200  # 4 targets, no history
    clock.set(2024, 3, 15, 10, 0)
    report_figure(revenue_target, people, 2023, "800")  # 3 history records: draft, submitted, approved
    clock.set(2024, 7, 1, 9, 0)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/reports/", FORM | {"format": "csv"}).status_code == 200
        assert client.post("/reports/", FORM | {"format": "pdf"}).status_code == 302  # 7 rows
    assert list(ReportJob.objects.values_list("format", "state")) == [("pdf", "done")]
