"""The OpenAPI schema says what the API answers: pagination where it paginates, null where a
field can be null, and every refusal an operation can give. scripts/api_fuzz.py checks the
answers against it at large; these are the cases issue #12 named."""
import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory, submitter_for, target_with_lead
from trackers import roles
from trackers.services.actuals import FigureInput, actual_submit_figure

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor():
    client = APIClient()
    client.force_authenticate(UserFactory(role=roles.AUDITOR))
    return client


@pytest.fixture
def schema(auditor):
    return auditor.get("/api/schema/?format=json").json()


@pytest.fixture
def submitted():
    target = target_with_lead("guangzhou-health-elderly-2017-2020")
    submitter, department = submitter_for(target)
    figure = FigureInput(target.indicator, target.region, target.plan.start_year, "3", "", "年报")
    return actual_submit_figure(user=submitter, department=department, figure=figure)


def resolve(schema, reference):
    return schema["components"]["schemas"][reference["$ref"].rsplit("/", 1)[1]]


def test_figure_history_is_paginated_as_documented(auditor, schema, submitted):
    documented = schema["paths"]["/api/actuals/{id}/history/"]["get"]
    body = resolve(schema, documented["responses"]["200"]["content"]["application/json"]["schema"])
    assert {"count", "next", "previous", "results"} <= set(body["properties"])
    assert [p["name"] for p in documented["parameters"] if p["in"] == "query"] == ["page"]
    answer = auditor.get(f"/api/actuals/{submitted.actual_id}/history/").json()
    assert answer["count"] == len(answer["results"]) == 2  # created as a draft, then submitted
    assert [row["status"] for row in answer["results"]] == ["draft", "submitted"]


@pytest.mark.parametrize("component, field", [
    ("Region", "parent"), ("Target", "baseline"), ("Target", "value_high"), ("Milestone", "completed_on"),
    ("ActualVersion", "submitted_by"), ("ActualVersion", "reviewed_by"), ("ActualVersion", "approved_at"),
    ("VersionHistory", "changed_by"), ("VersionHistory", "approved_at"), ("Progress", "latest_value"),
])
def test_fields_that_can_be_null_are_marked_nullable(schema, component, field):
    described = schema["components"]["schemas"][component]["properties"][field]
    assert described.get("nullable") is True, described


def test_every_operation_documents_its_refusals(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "403" in codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method == "post" or any(p["in"] == "query" for p in operation.get("parameters", [])):
                assert "400" in codes, (method, path)
    for path in ("/api/actuals/submit/", "/api/versions/{id}/approve/", "/api/versions/{id}/return/"):
        assert "409" in schema["paths"][path]["post"]["responses"], path


def test_optional_filters_may_be_empty_and_codes_are_bounded_slugs(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/targets/"]["get"]["parameters"]}
    assert all(p.get("allowEmptyValue") for p in parameters.values())
    assert parameters["plan"]["schema"] == {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$", "maxLength": 96}
    assert parameters["year"]["schema"] == {"type": "integer", "minimum": 1900, "maximum": 2100}


def test_a_conflict_reports_the_current_lock_version_as_a_number(submitted):
    reviewer = APIClient()
    reviewer.force_authenticate(UserFactory(role=roles.REVIEWER))
    stale = submitted.actual.lock_version - 1
    response = reviewer.post(f"/api/versions/{submitted.pk}/approve/", {"expected_lock_version": stale}, format="json")
    assert response.status_code == 409
    assert response.json()["current_lock_version"] == submitted.actual.lock_version


def test_a_refusal_comes_before_the_lock_check(submitted):
    """Someone who may not approve learns nothing about the figure's state (no 409)."""
    leader = APIClient()
    leader.force_authenticate(UserFactory(role=roles.LEADER))
    response = leader.post(f"/api/versions/{submitted.pk}/approve/", {"expected_lock_version": 0}, format="json")
    assert response.status_code == 403


def test_the_schema_generates_without_warnings_and_validates(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").stat().st_size > 10_000


def test_the_schema_endpoint_takes_any_language_parameter(auditor):
    for lang in ("en", "zh-hans", "xx", "\x00", "e" * 5000):
        assert auditor.get("/api/schema/", {"lang": lang, "format": "json"}).status_code == 200, lang


@pytest.mark.parametrize("path", ["/api/targets/", "/api/progress/", "/api/actuals/", "/api/versions/"])
def test_the_big_lists_are_documented_as_paged_by_cursor(schema, path):
    documented = schema["paths"][path]["get"]
    assert "cursor" in [p["name"] for p in documented["parameters"] if p["in"] == "query"]
    body = resolve(schema, documented["responses"]["200"]["content"]["application/json"]["schema"])
    assert set(body["properties"]) == {"next", "previous", "results"}
