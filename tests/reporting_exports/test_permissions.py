"""Only auditors, leaders and administrators may export, by page or API; every other role gets
403 (anonymous visitors of the pages are sent to the login). One row per (action, role)."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from reporting.exports.report import Scope
from reporting.exports.services import ReportRequest, gap_report_export
from reporting.models import ExportLog, ReportJob
from tests.conftest import SHENZHEN_PLAN
from tests.factories import UserFactory, submitter_for
from trackers import roles

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "submitter", "reviewer", "leader", "auditor", "administrator"]
FORM = {"scope_type": "plan", "scope_code": SHENZHEN_PLAN, "as_of": "2024-06-30", "format": "csv"}

MATRIX = {
    #                      anon  subm  review lead  audit admin
    "form_page":          (302, 403, 403, 200, 200, 200),
    "form_export":        (302, 403, 403, 200, 200, 200),
    "job_page":           (302, 403, 403, 200, 200, 200),
    "api_export":         (403, 403, 403, 200, 200, 200),
    "api_job":            (403, 403, 403, 200, 200, 200),
    "api_job_download":   (403, 403, 403, 200, 200, 200),
    "api_export_by_get":  (403, 403, 403, 405, 405, 405),
}


@pytest.fixture
def users(revenue_target):
    return {
        "anonymous": None,
        "submitter": submitter_for(revenue_target)[0],
        "reviewer": UserFactory(role=roles.REVIEWER),
        "leader": UserFactory(role=roles.LEADER),
        "auditor": UserFactory(role=roles.AUDITOR),
        "administrator": UserFactory(role=roles.ADMINISTRATOR),
    }


def own_job(user) -> ReportJob:
    """A finished job of the user's own (as if they had exported before losing the role)."""
    return ReportJob.objects.create(
        requested_by=user or UserFactory(role=roles.AUDITOR), scope_type="plan", scope_code=SHENZHEN_PLAN,
        as_of=dt.date(2024, 6, 30), format="csv", language="zh-hans", channel="web", state="done", progress=100,
        content=b"\xef\xbb\xbfx", filename="r.csv", content_type="text/csv", checksum="0" * 64,
    )


def perform(action, client, user):
    if action == "form_page":
        return client.get("/reports/")
    if action == "form_export":
        return client.post("/reports/", FORM)
    if action == "job_page":
        return client.get(f"/reports/jobs/{own_job(user).pk}/")
    if action == "api_export":
        return client.post("/reports/api/gap-report/", FORM, format="json")
    if action == "api_job":
        return client.get(f"/reports/api/jobs/{own_job(user).pk}/")
    if action == "api_job_download":
        return client.get(f"/reports/api/jobs/{own_job(user).pk}/download/")
    if action == "api_export_by_get":
        return client.get("/reports/api/gap-report/")
    raise AssertionError(action)


@pytest.mark.parametrize("action", MATRIX)
@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
def test_export_permission_matrix(users, action, role_index, role):
    client = APIClient()
    user = users[role]
    if user is not None:
        client.force_login(user)
    response = perform(action, client, user)
    assert response.status_code == MATRIX[action][role_index], response.content[:300]
    if response.status_code == 302:
        assert response.url.startswith("/accounts/login/")
    allowed = response.status_code == 200 and action in ("form_export", "api_export")
    assert ExportLog.objects.exists() == allowed  # a refusal leaves no trace of an export


@pytest.mark.parametrize("role", [roles.REVIEWER, roles.SUBMITTER])
def test_the_service_refuses_too(role):
    request = ReportRequest(Scope("all"), dt.date(2024, 6, 30), "csv", "en", "api")
    with pytest.raises(PermissionDenied):
        gap_report_export(user=UserFactory(role=role), request=request)


def test_a_pdf_too_long_to_sign_is_refused_with_a_pointer_to_xlsx(client, monkeypatch):
    from reporting.exports import services

    monkeypatch.setattr(services, "PDF_MAX_ROWS", 3)
    auditor = UserFactory(role=roles.AUDITOR)
    api = APIClient()
    api.force_authenticate(auditor)
    answer = api.post("/reports/api/gap-report/", {"scope_type": "all", "as_of": "2024-06-30", "format": "pdf"},
                      format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400 and "XLSX" in answer.json()["format"][0]
    client.force_login(auditor)
    page = client.post("/reports/", {"scope_type": "all", "as_of": "2024-06-30", "format": "pdf"},
                       HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 400 and "XLSX" in page.content.decode()
    assert not ExportLog.objects.exists()
    assert api.post("/reports/api/gap-report/", {"scope_type": "all", "as_of": "2024-06-30", "format": "xlsx"},
                    format="json").status_code in (200, 202)
