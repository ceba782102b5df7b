"""Figure history: every version and every state change, for those allowed to see the figure."""
import pytest

from tests.factories import UserFactory, target_with_lead
from trackers import roles
from trackers.services.actuals import (
    FigureInput,
    actual_approve,
    actual_return,
    actual_save_draft,
    actual_submit,
    actual_submit_figure,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def target():
    return target_with_lead("chaozhou-biomed-2022-2025", indicator_code="firms_revenue_over_1bn")


@pytest.fixture
def department(target):
    return target.lead_departments.get()


@pytest.fixture
def submitter(department):
    return UserFactory(role=roles.SUBMITTER, departments=[department])


@pytest.fixture
def actual(target, department, submitter):
    """Submitted at 7, returned, resubmitted at 8, approved, corrected to 9."""
    reviewer = UserFactory(role=roles.REVIEWER, username="reviewer-wang")

    def figure(value, **kw):
        return FigureInput(indicator=target.indicator, region=target.region, year=2023, value=value,
                           unit="家", source="年鉴", **kw)

    version = actual_submit_figure(user=submitter, department=department, figure=figure("7"))
    version = actual_return(user=reviewer, version=version, reason="口径不一致",
                            expected_lock_version=version.actual.lock_version)
    version = actual_save_draft(user=submitter, department=department, figure=figure("8"),
                                expected_lock_version=version.actual.lock_version)
    version = actual_submit(user=submitter, version=version, expected_lock_version=version.actual.lock_version)
    version = actual_approve(user=reviewer, version=version, expected_lock_version=version.actual.lock_version)
    actual_submit_figure(user=submitter, department=department, figure=figure("9", correction_reason="统计局修订"),
                         expected_lock_version=version.actual.lock_version)
    return version.actual


def test_submitter_of_the_responsible_department_sees_every_version_and_change(client, submitter, actual):
    client.force_login(submitter)

    response = client.get(f"/figures/{actual.pk}/history/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    versions = [(r["version"].number, r["version"].status, r["value"]) for r in response.context["versions"]]
    assert versions == [(1, "approved", "8"), (2, "submitted", "9")]
    changes = [(r["record"].number, r["record"].status, r["value"]) for r in response.context["changes"]]
    assert ("1", "returned", "7") in [(str(n), s, v) for n, s, v in changes]
    assert [s for n, s, v in changes if n == 1] == ["draft", "submitted", "returned", "draft", "submitted", "approved"]
    html = response.content.decode()
    assert "口径不一致" in html and "统计局修订" in html
    assert "reviewer-wang" in html and submitter.get_username() in html  # who did each step


def test_changes_made_through_the_web_name_the_signed_in_user(client, target, department, submitter):
    client.force_login(submitter)
    client.post("/figures/", {"department": department.pk, "indicator": target.indicator.pk, "region": target.region.pk,
                              "year": 2024, "value": "2", "unit": "家", "source": "年鉴"})
    reviewer = UserFactory(role=roles.REVIEWER)
    client.force_login(reviewer)
    version = target.indicator.actuals.get(year=2024).versions.get()
    client.post(f"/review/{version.pk}/approve/", {"lock_version": version.actual.lock_version})

    response = client.get(f"/figures/{version.actual_id}/history/")

    records = [r["record"] for r in response.context["changes"]]
    assert records[-1].history_user == reviewer and records[-1].status == "approved"
    assert records[0].history_user == submitter


def test_another_departments_figure_is_not_found(client, department, actual):
    stranger = UserFactory(role=roles.SUBMITTER, departments=[unrelated_department()])
    client.force_login(stranger)

    assert client.get(f"/figures/{actual.pk}/history/").status_code == 404


@pytest.mark.parametrize("role", [roles.AUDITOR, roles.REVIEWER, roles.ADMINISTRATOR])
def test_auditors_reviewers_and_administrators_see_any_history(client, actual, role):
    client.force_login(UserFactory(role=role))

    assert client.get(f"/figures/{actual.pk}/history/").status_code == 200


def test_leaders_may_not_read_the_audit_trail(client, actual):
    client.force_login(UserFactory(role=roles.LEADER))

    assert client.get(f"/figures/{actual.pk}/history/").status_code == 403


def test_unknown_figure_is_not_found(client):
    client.force_login(UserFactory(role=roles.AUDITOR))

    assert client.get("/figures/999999/history/").status_code == 404


def unrelated_department():
    """A Guangzhou department: it answers for nothing in Chaozhou (other_department() may co-operate)."""
    return target_with_lead("guangzhou-health-elderly-2017-2020").lead_departments.first()
