"""Issue #15 for auditors: the report scope is chosen from lists (a plan select; region and
department inputs whose suggestions the server narrows, usable at 3,000 regions), and earlier
exports are listed and downloadable again within their retention, with the same data checksum."""
import datetime as dt

import pytest
from django.utils import timezone

from reporting.exports.responses import CHECKSUM_HEADER
from reporting.exports.selectors import SCOPE_OPTIONS_LIMIT
from reporting.models import ExportLog
from tests.conftest import SHENZHEN_PLAN
from tests.factories import UserFactory
from trackers import roles
from trackers.models import Department, Region

pytestmark = pytest.mark.django_db
AS_OF = "2024-06-30"


@pytest.fixture
def auditor(client):
    user = UserFactory(role=roles.AUDITOR)
    client.force_login(user)
    return user


def test_the_scope_is_chosen_from_lists(client, auditor):
    html = client.get("/reports/").content.decode()
    assert '<select name="plan"' in html and f'<option value="{SHENZHEN_PLAN}"' in html
    assert 'list="scope-regions"' in html and 'list="scope-departments"' in html
    assert '<option value="jiangmen" lang="zh-Hans">江门市</option>' in html


def test_a_plan_picked_from_the_select_is_the_scope(client, auditor):
    response = client.post("/reports/", {"scope_type": "plan", "plan": SHENZHEN_PLAN, "as_of": AS_OF,
                                         "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert ExportLog.objects.get().scope_code == SHENZHEN_PLAN


def test_a_department_picked_from_its_list_is_the_scope(client, auditor):
    department = Department.objects.filter(answers__target__plan__code=SHENZHEN_PLAN).first()
    response = client.post("/reports/", {"scope_type": "department", "department": department.code,
                                         "as_of": AS_OF, "format": "csv"})
    assert response.status_code == 200
    assert ExportLog.objects.get().scope_code == department.code


def test_an_unknown_region_is_named_on_its_field(client, auditor):
    response = client.post("/reports/", {"scope_type": "region", "region": "atlantis", "as_of": AS_OF,
                                         "format": "csv"})
    assert response.status_code == 400
    assert "region" in response.context["form"].errors and "scope_code" in response.context["form"].errors


def test_the_lists_stay_usable_at_three_thousand_regions(client, auditor):
    province = Region.objects.get(code="guangdong")
    Region.objects.bulk_create([Region(code=f"county-{i}", name=f"测试县{i}", name_en=f"County {i}", level="district",
                                       parent=province) for i in range(3000)])
    html = client.get("/reports/").content.decode()
    regions = html[html.index('<datalist id="scope-regions">'):]
    regions = regions[:regions.index("</datalist>")]
    assert regions.count("<option") == SCOPE_OPTIONS_LIMIT
    assert '<option value="guangdong"' in regions  # the top of the tree first

    found = client.get("/reports/scope-options/", {"kind": "region", "q": "测试县2999"}).json()["options"]
    assert found == [{"code": "county-2999", "name": "测试县2999"}]
    english = client.get("/reports/scope-options/", {"kind": "region", "q": "County 12"},
                         HTTP_ACCEPT_LANGUAGE="en").json()["options"]
    assert len(english) <= SCOPE_OPTIONS_LIMIT and {"code": "county-12", "name": "County 12"} in english
    assert client.get("/reports/scope-options/", {"kind": "galaxy"}).status_code == 400


def test_departments_are_listed_with_their_region(client, auditor):
    options = client.get("/reports/scope-options/", {"kind": "department", "region": "shenzhen"}).json()["options"]
    assert options and all(name.startswith("深圳市") for _code, name in
                           ((o["code"], o["name"]) for o in options))


def test_an_earlier_export_downloads_again_with_the_same_checksum(client, auditor):
    first = client.post("/reports/", {"scope_type": "plan", "plan": SHENZHEN_PLAN, "as_of": AS_OF, "format": "xlsx"})
    entry = ExportLog.objects.get()
    page = client.get("/reports/").content.decode()
    assert f"/reports/exports/{entry.pk}/again/" in page and entry.checksum in page

    again = client.post(f"/reports/exports/{entry.pk}/again/")

    assert again.status_code == 200
    assert again[CHECKSUM_HEADER] == first[CHECKSUM_HEADER] == f"sha256={entry.checksum}"
    assert again["X-Report-Same-Data"] == "yes"
    assert ExportLog.objects.count() == 2  # made again is an export, logged as such


def test_others_and_expired_exports_are_not_downloadable(client, auditor, settings):
    client.post("/reports/", {"scope_type": "plan", "plan": SHENZHEN_PLAN, "as_of": AS_OF, "format": "csv"})
    entry = ExportLog.objects.get()
    other = UserFactory(role=roles.AUDITOR)
    client.force_login(other)
    assert client.post(f"/reports/exports/{entry.pk}/again/").status_code == 404
    client.force_login(auditor)
    ExportLog.objects.filter(pk=entry.pk).update(
        created_at=timezone.now() - dt.timedelta(days=settings.REPORT_RETENTION_DAYS + 1))
    assert client.post(f"/reports/exports/{entry.pk}/again/").status_code == 404
    assert f"/reports/exports/{entry.pk}/again/" not in client.get("/reports/").content.decode()
