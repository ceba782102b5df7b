"""Scopes (everything, a plan, a region with the regions below it, a department), the data gaps
(figures owed by the date and not approved by then), and the form's and API's input checks."""
import datetime as dt

import pytest
from django.db.models import Q
from django.utils import timezone

from reporting.exports.report import Scope
from reporting.exports.selectors import gap_report_read
from reporting.exports.services import snapshots_ensure
from reporting.selectors import scoped_targets
from tests.conftest import SHENZHEN_PLAN
from tests.factories import UserFactory
from tests.reporting_exports.helpers import report_figure
from trackers import roles
from trackers.models import ReportingObligation, Target
from trackers.services.calendar import obligations_generate

pytestmark = pytest.mark.django_db


def read(scope, as_of):
    snapshots_ensure(scope, as_of)
    return gap_report_read(scope, as_of)


@pytest.mark.parametrize("scope, expected", [
    (Scope("all"), Q()),
    (Scope("plan", SHENZHEN_PLAN), Q(plan__code=SHENZHEN_PLAN)),
    (Scope("region", "guangdong"), Q(region__code="guangdong") | Q(region__parent__code="guangdong")),
    (Scope("region", "shenzhen"), Q(region__code="shenzhen")),
])
def test_scopes_cover_their_targets(scope, expected):
    report = read(scope, dt.date(2024, 6, 30))
    keys = {(row["plan_code"], row["target_key"]) for row in report.targets}
    assert keys == set(Target.objects.filter(expected).values_list("plan__code", "key"))
    assert report.summary["targets"] == len(keys) == sum(report.summary["targets_by_status"].values())


def test_a_department_scope_has_its_targets_and_only_its_obligations(revenue_target, people):
    _submitter, department, _reviewer = people
    obligations_generate(2023)
    report = read(Scope("department", department.code), dt.date(2024, 4, 30))
    keys = {row["target_key"] for row in report.targets}
    assert keys == set(scoped_targets(department=department.code).values_list("key", flat=True))
    assert report.data_gaps and {row["department_code"] for row in report.data_gaps} == {department.code}


def test_data_gaps_are_figures_owed_and_not_approved_by_the_date(revenue_target, people, clock):
    obligations_generate(2023)  # due 2024-03-31
    owed = ReportingObligation.objects.filter(
        indicator=revenue_target.indicator, region=revenue_target.region, year=2023
    )
    assert owed.exists()

    def revenue_gaps(as_of):
        gaps = read(Scope("plan", SHENZHEN_PLAN), as_of).data_gaps
        return [g for g in gaps if g["indicator_code"] == revenue_target.indicator.code and g["year"] == 2023]

    clock.set(2024, 3, 20, 9, 0)
    assert revenue_gaps(dt.date(2024, 3, 20)) == []  # not yet due
    clock.set(2024, 4, 10, 9, 0)
    version = report_figure(revenue_target, people, 2023, "800", approve=False)  # submitted, not approved
    gap = revenue_gaps(dt.date(2024, 4, 30))
    assert len(gap) == owed.count() and gap[0]["figure_state"] == "submitted" and gap[0]["days_overdue"] == 30
    assert gap[0]["due_date"] == dt.date(2024, 3, 31)

    clock.set(2024, 5, 10, 9, 0)
    from trackers.services.actuals import actual_approve

    actual_approve(user=people[2], version=version, expected_lock_version=version.actual.lock_version)
    assert revenue_gaps(dt.date(2024, 5, 31)) == []
    assert len(revenue_gaps(dt.date(2024, 4, 30))) == owed.count()  # approved after that date: still a gap then


@pytest.fixture
def auditor_client(client):
    client.force_login(UserFactory(role=roles.AUDITOR))
    return client


@pytest.mark.parametrize("data, field", [
    ({"scope_type": "plan", "scope_code": "no-such-plan"}, "scope_code"),
    ({"scope_type": "department", "scope_code": ""}, "scope_code"),
    ({"scope_type": "galaxy"}, "scope_type"),
    ({"as_of": "2999-01-01"}, "as_of"),
    ({"format": "docx"}, "format"),
])
def test_bad_requests_name_the_field(auditor_client, data, field):
    good = {"scope_type": "all", "scope_code": "", "as_of": "2024-06-30", "format": "csv"}
    page = auditor_client.post("/reports/", good | data)
    assert page.status_code == 400 and field in page.context["form"].errors
    api = auditor_client.post("/reports/api/gap-report/", good | data, content_type="application/json",
                              HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 400 and field in api.json(), api.json()


def test_the_form_page_offers_scopes_and_formats(auditor_client):
    page = auditor_client.get("/reports/")
    html = page.content.decode()
    assert page.status_code == 200
    # Options carry lang="zh-Hans" for a Chinese name; only their values are pinned here.
    assert f'<option value="{SHENZHEN_PLAN}"' in html and '<option value="guangdong"' in html
    assert 'value="xlsx"' in html and 'value="pdf"' in html and 'value="csv"' in html
    assert page.context["form"].initial["as_of"] <= timezone.localdate()
