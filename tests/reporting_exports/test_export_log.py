"""Every export is logged (who, scope, format, as-of, when, checksums), and the log is read-only
in the admin; the API is documented in the OpenAPI schema."""
import datetime as dt
import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from reporting.models import ExportLog, ReportJob
from tests.conftest import SHENZHEN_PLAN
from tests.factories import UserFactory
from trackers import roles

pytestmark = pytest.mark.django_db

FORM = {"scope_type": "plan", "scope_code": SHENZHEN_PLAN, "as_of": "2024-06-30", "format": "xlsx"}


def test_each_export_writes_one_log_line(client, clock):
    leader = UserFactory(role=roles.LEADER, username="leader-wang")
    client.force_login(leader)
    clock.set(2024, 7, 1, 9, 0)
    page = client.post("/reports/", FORM)
    clock.set(2024, 7, 2, 14, 0)
    client.force_login(leader)  # a day later: the idle session has expired (SESSION_IDLE_MINUTES)
    api = client.post("/reports/api/gap-report/", FORM | {"scope_type": "region", "scope_code": "shenzhen",
                                                          "format": "pdf"}, content_type="application/json")

    first, second = ExportLog.objects.order_by("created_at")
    assert (first.user, first.username, first.scope_type, first.scope_code, first.format, first.as_of, first.channel) \
        == (leader, "leader-wang", "plan", SHENZHEN_PLAN, "xlsx", dt.date(2024, 6, 30), "web")
    assert timezone.localtime(first.created_at).strftime("%Y-%m-%d %H:%M") == "2024-07-01 09:00"
    assert (second.scope_type, second.scope_code, second.format, second.channel) == ("region", "shenzhen", "pdf", "api")
    assert first.file_sha256 == hashlib.sha256(page.content).hexdigest() and first.size == len(page.content)
    assert page["X-Report-Checksum"] == f"sha256={first.checksum}"
    assert api["X-Report-Checksum"] == f"sha256={second.checksum}"
    assert first.target_count == 4 and first.method_version == "cn-plan-progress/1.0.0"
    assert first.job is None


def test_the_log_is_visible_and_read_only_in_the_admin(admin_client):
    admin_client.post("/reports/", FORM)
    entry = ExportLog.objects.get()

    changelist = admin_client.get(reverse("admin:reporting_exportlog_changelist"), {"q": SHENZHEN_PLAN})
    assert changelist.status_code == 200 and entry.checksum[:16] in changelist.content.decode()
    detail = admin_client.get(reverse("admin:reporting_exportlog_change", args=[entry.pk]))
    assert detail.status_code == 200 and entry.checksum in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()  # view only
    assert admin_client.get(reverse("admin:reporting_exportlog_add")).status_code == 403
    delete = reverse("admin:reporting_exportlog_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:reporting_exportlog_change", args=[entry.pk])
    assert admin_client.post(change, {"username": "x"}).status_code == 403
    assert ExportLog.objects.get().username == entry.username


def test_report_jobs_are_listed_in_the_admin_without_their_file(admin_client):
    job = ReportJob.objects.create(
        requested_by=get_user_model().objects.get(username="admin"), scope_type="all", as_of=dt.date(2024, 6, 30),
        format="csv", language="en", channel="api", state="done", progress=100, content=b"secret-bytes",
        checksum="a" * 64,
    )
    assert admin_client.get(reverse("admin:reporting_reportjob_changelist")).status_code == 200
    detail = admin_client.get(reverse("admin:reporting_reportjob_change", args=[job.pk]))
    assert detail.status_code == 200 and "secret-bytes" not in detail.content.decode()


def test_the_api_is_in_the_openapi_schema(client):
    client.force_login(UserFactory(role=roles.AUDITOR))
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert paths["/reports/api/gap-report/"]["post"]["operationId"] == "gap_report_create"
    responses = paths["/reports/api/gap-report/"]["post"]["responses"]
    assert {"200", "202", "400", "403"} <= set(responses)
    assert "application/pdf" in responses["200"]["content"]
    assert paths["/reports/api/jobs/{job_id}/"]["get"]["operationId"] == "report_job_retrieve"
    assert "409" in paths["/reports/api/jobs/{job_id}/download/"]["get"]["responses"]
