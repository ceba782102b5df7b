"""The job page in a real browser (Debian's chromium through Playwright): it polls the status
endpoint with fetch, shows the progress, and offers the download once the job is done."""
import pytest
from django.db import connections

from reporting.exports import services
from reporting.models import ReportJob
from tests.conftest import SHENZHEN_PLAN
from tests.factories import UserFactory
from trackers import roles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_job_page_polls_until_the_download_appears(seeded, browser, live_server, client, monkeypatch):
    auditor = UserFactory(role=roles.AUDITOR)
    monkeypatch.setattr(services, "ASYNC_TARGET_THRESHOLD", 3)
    monkeypatch.setattr(services, "report_job_dispatch", lambda job_id: True)  # queued; nobody runs it yet
    client.force_login(auditor)
    response = client.post("/reports/", {"scope_type": "plan", "scope_code": SHENZHEN_PLAN,
                                         "as_of": "2024-06-30", "format": "csv"})
    job = ReportJob.objects.get()
    context = browser.new_context(accept_downloads=True, locale="zh-CN")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + response.url)
    assert page.locator("#job-state").inner_text() == "等待中"
    assert page.locator("#job-download").is_hidden()

    services.report_job_run(job.pk)  # the worker does its work; the page learns of it by polling

    page.locator("#job-download").wait_for(state="visible", timeout=10_000)
    assert page.locator("#job-percent").inner_text() == "100%" and page.locator("#job-state").inner_text() == "已完成"
    assert page.locator("#job-checksum").inner_text() == ReportJob.objects.get().checksum
    with page.expect_download() as download:
        page.locator("#job-download-link").click()
    assert download.value.suggested_filename == f"gap-report_plan-{SHENZHEN_PLAN}_2024-06-30.csv"
    context.close()
    # Connections opened while Playwright's loop ran would keep PostgreSQL from dropping the test DB.
    connections.close_all()
