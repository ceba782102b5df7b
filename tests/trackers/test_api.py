import pytest

from tests.factories import UserFactory
from trackers import roles
from trackers.models import Department, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client):
    client.force_login(UserFactory(role=roles.LEADER))
    return client


@pytest.mark.parametrize(
    "url",
    ["/api/regions/", "/api/departments/", "/api/plans/", "/api/indicators/", "/api/targets/",
     "/api/milestones/", "/api/actuals/", "/api/schema/", "/api/docs/"],
)
def test_anonymous_requests_are_refused(client, url):
    response = client.get(url)
    assert response.status_code in (302, 401, 403)
    assert b"guangdong" not in response.content


def test_targets_filter_by_plan_region_and_year(reader):
    response = reader.get("/api/targets/", {"plan": "shenzhen-health-2022-2025", "year": 2025})
    assert response.status_code == 200
    body = response.json()
    expected = Target.objects.filter(plan__code="shenzhen-health-2022-2025", year=2025).count()
    assert len(body["results"]) == expected > 0
    assert {row["plan"] for row in body["results"]} == {"shenzhen-health-2022-2025"}
    assert {row["region"] for row in body["results"]} == {"shenzhen"}
    revenue = [row for row in body["results"] if row["value_text"] == "1200亿元"]
    assert revenue and revenue[0]["value"] == "1200.000000" and revenue[0]["unit"] == "亿元"


def test_targets_filter_by_department(reader):
    department = Department.objects.filter(led_targets__isnull=False).first()
    response = reader.get("/api/targets/", {"department": department.code, "page_size": 500})
    rows = response.json()["results"]
    assert rows
    assert all(department.code in [a["department"] for a in row["answering_departments"]] for row in rows)
    assert len(rows) == Target.objects.filter(answerers__department=department).count()


def test_big_lists_page_by_cursor_through_every_row_once(reader):
    body = reader.get("/api/targets/").json()
    assert set(body) == {"next", "previous", "results"}  # no COUNT of the whole table
    ids = []
    while True:
        assert len(body["results"]) <= 50
        ids += [row["id"] for row in body["results"]]
        if not body["next"]:
            break
        body = reader.get(body["next"]).json()
    assert len(ids) > 50
    assert ids == sorted(ids) and set(ids) == set(Target.objects.values_list("pk", flat=True))


def test_a_forged_cursor_is_a_404_not_a_500(reader):
    response = reader.get("/api/targets/", {"cursor": "bz0tMSZwPXg="})  # "o=-1&p=x": a negative offset
    assert response.status_code == 404


def test_plans_report_derived_status_and_filter_by_it(reader):
    drafts = reader.get("/api/plans/", {"status": "draft"}).json()["results"]
    assert [row["code"] for row in drafts] == ["chaozhou-biomed-2022-2025"]


def test_openapi_schema_and_docs_page_need_no_cdn(reader):
    schema = reader.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/targets/" in schema.json()["paths"]
    docs = reader.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html and "cdn.jsdelivr" not in html and "/static/drf_spectacular_sidecar/" in html
