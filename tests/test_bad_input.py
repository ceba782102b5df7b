"""Every bad input of issue #12, from the outside as an ordinary user: a 400 (or, on a page, a
message) that names the field or parameter, in the request's language, and nothing stored.

Run on PostgreSQL too (CI): there NUL, lone surrogates and numbers too large for the column are
refused by the database itself, which is how they once became 500s.
"""
import base64
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from kpis.services import snapshots_recompute
from tests.factories import UserFactory, submitter_for, target_with_lead
from tests.trackers.intake_helpers import YUEYANG_TEXT, add_hunan_and_yueyang, draft_of, page_post, read_yueyang
from trackers import roles
from trackers.models import NOTE_MAX_LENGTH, Actual, ActualVersion, Milestone, Plan, PlanDraft, Target
from trackers.selectors import plan_list
from trackers.services.actuals import FigureInput, actual_submit_figure

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def stored():
    """What a refused request must leave as it was."""
    return Actual.objects.count(), ActualVersion.objects.count(), Target.objects.count(), PlanDraft.objects.count()


@pytest.fixture
def money_target():
    """Shenzhen's health industry revenue, 1200亿元 by 2025: a money indicator in 亿元."""
    return target_with_lead("shenzhen-health-2022-2025", unit="亿元")


@pytest.fixture
def api_submitter(money_target):
    submitter, department = submitter_for(money_target)
    client = APIClient()
    client.force_authenticate(submitter)
    return client, department


def submission(target, owner, **changes):
    payload = {"department": owner.code, "indicator": target.indicator.code, "region": target.region.code,
               "year": target.plan.start_year, "value": "800", "source": "深圳市统计公报"}
    return {**payload, **changes}


# The API's figure submission

@pytest.mark.parametrize("field, changes", [
    ("value", {"value": "1e18"}),  # 19 digits before the point: the column holds 18
    ("value", {"value": "1e30"}),
    ("value", {"value": "-1e30"}),
    ("value", {"value": "0.1234567"}),  # 7 decimals would be rounded silently
    ("value", {"value": "1e17", "unit": "万亿元"}),  # fits as typed, not in 亿元
    ("department", {"department": "sz\x00drc"}),
    ("department", {"department": "x" * 65}),
    ("department", {"department": 7}),
    ("indicator", {"indicator": "health_industry_revenue\x00"}),
    ("source", {"source": "统计公报" * 1000}),
    ("source", {"source": "x" * 2_000_000}),  # once accepted, then held a PDF report for 20 minutes
    ("source", {"source": "统计\x00公报"}),
    ("source", {"source": "统计\x07公报"}),
    ("source", {"source": "统计\ud800公报"}),  # a lone surrogate: JSON can carry it, UTF-8 cannot
    ("source", {"source": "统计\u202e公报"}),  # a right-to-left override
    ("unit", {"unit": "亿\n元"}),
    ("correction_reason", {"correction_reason": "修订" * 1001}),
    ("year", {"year": 0}),
    ("year", {"year": 10**30}),
    ("year", {"year": "2022"}),
    ("year", {"year": 2022.5}),
    ("expected_lock_version", {"expected_lock_version": 2**40}),
])
def test_api_refuses_a_bad_field_by_name_and_stores_nothing(money_target, api_submitter, field, changes):
    client, department = api_submitter
    before = stored()
    # json.dumps escapes a lone surrogate (\ud800) as JSON may; the test client's encoder would not.
    payload = json.dumps(submission(money_target, department, **changes))
    response = client.post("/api/actuals/submit/", payload, content_type="application/json", **EN)
    assert response.status_code == 400, response.content[:300]
    assert field in response.json(), response.json()
    assert stored() == before


def test_api_accepts_a_figure_near_the_columns_limit_and_a_multi_line_source(money_target, api_submitter):
    client, department = api_submitter
    near_the_limit = "999999999999999000.123456"  # 18 digits before the point, 6 after
    response = client.post("/api/actuals/submit/", submission(
        money_target, department, value=near_the_limit, source="深圳市统计公报\n第12页\t表3"), format="json")
    assert response.status_code == 201, response.json()
    version = ActualVersion.objects.get(pk=response.json()["id"])
    assert version.source == "深圳市统计公报\n第12页\t表3"
    if connection.vendor == "postgresql":  # SQLite keeps decimals as floats: stored, but not exactly
        assert version.value == Decimal(near_the_limit)


def test_api_messages_come_in_the_request_language(money_target, api_submitter):
    client, department = api_submitter
    payload = submission(money_target, department, value="1e30")
    english = client.post("/api/actuals/submit/", payload, format="json", **EN).json()["value"][0]
    chinese = client.post("/api/actuals/submit/", payload, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert "too large" in english and "18" in english
    assert chinese["value"][0] != english and "18" in chinese["value"][0]


def test_api_takes_json_only(money_target, api_submitter):
    client, department = api_submitter
    before = stored()
    response = client.post("/api/actuals/submit/", submission(money_target, department), format="multipart")
    assert response.status_code == 415 and stored() == before


# The reviewers' and the departments' other writes through the API

@pytest.fixture
def submitted(money_target):
    submitter, department = submitter_for(money_target)
    figure = FigureInput(money_target.indicator, money_target.region, money_target.plan.start_year, "800", "",
                         "统计公报")
    return actual_submit_figure(user=submitter, department=department, figure=figure)


def test_a_return_reason_is_bounded_and_clean(submitted):
    client = APIClient()
    client.force_authenticate(UserFactory(role=roles.REVIEWER))
    lock = submitted.actual.lock_version
    for reason in ("核对" * NOTE_MAX_LENGTH, "请\x1b核对"):
        response = client.post(f"/api/versions/{submitted.pk}/return/",
                               {"expected_lock_version": lock, "reason": reason}, format="json", **EN)
        assert response.status_code == 400 and "reason" in response.json()
    submitted.refresh_from_db()
    assert submitted.status == "submitted" and submitted.return_reason == ""


def test_milestone_evidence_is_bounded_and_clean():
    milestone = Milestone.objects.filter(completed_on__isnull=True).order_by("pk").first()
    client = APIClient()
    client.force_authenticate(UserFactory(role=roles.REVIEWER))
    for evidence in ("x" * (NOTE_MAX_LENGTH + 1), "验收\x00报告"):
        response = client.post(f"/api/milestones/{milestone.pk}/complete/",
                               {"completed_on": "2024-01-05", "evidence": evidence}, format="json", **EN)
        assert response.status_code == 400 and "evidence" in response.json()
    milestone.refresh_from_db()
    assert milestone.completed_on is None and milestone.evidence == ""


# The API's query parameters

@pytest.fixture
def api_leader():
    client = APIClient()
    client.force_authenticate(UserFactory(role=roles.LEADER))
    return client


@pytest.mark.parametrize("url, parameter", [
    ("/api/milestones/?year=0", "year"),  # once a 500 (date(0, 1, 1))
    ("/api/milestones/?year=99999", "year"),
    ("/api/milestones/?year=2020.5", "year"),
    ("/api/milestones/?year=1e30", "year"),
    ("/api/targets/?year=-1", "year"),
    ("/api/plans/?year=3000", "year"),
    ("/api/targets/?plan=shenzhen%00", "plan"),
    ("/api/targets/?region=" + "x" * 65, "region"),
    ("/api/targets/?department=sz-drc%00", "department"),
    ("/api/actuals/?department=%00", "department"),
    ("/api/actuals/?indicator=a%20b", "indicator"),
    ("/api/progress/?target=1.5", "target"),
    ("/api/progress/?as_of=2024-02-30", "as_of"),
    ("/api/targets/?aspirational=maybe", "aspirational"),
    ("/api/versions/?flagged=yes", "flagged"),
    ("/api/targets/?search=%00", "search"),
    ("/api/targets/?search=" + "健康" * 51, "search"),
    ("/api/targets/?search=" + "+".join("abcdefghijk"), "search"),
])
def test_api_refuses_a_bad_query_parameter_by_name(api_leader, url, parameter):
    response = api_leader.get(url, **EN)
    assert response.status_code == 400, response.content[:300]
    assert parameter in response.json(), response.json()


def test_an_empty_parameter_means_not_filtered(api_leader):
    everything = api_leader.get("/api/targets/").json()["results"]
    assert everything
    assert api_leader.get("/api/targets/?year=&plan=&aspirational=&basis=").json()["results"] == everything


def test_a_path_the_api_does_not_know_is_a_json_404(api_leader):
    for url in ("/api/targets/1.5/", "/api/targets/-1/whatif/", "/api/targets/99999999999999999999/",
                "/api/nothing-here/"):
        response = api_leader.get(url)
        assert response.status_code == 404 and response["Content-Type"] == "application/json", url
        assert "detail" in response.json()


# The web form and the spreadsheet upload

@pytest.fixture
def web_submitter(client, money_target):
    submitter, department = submitter_for(money_target)
    client.force_login(submitter)
    return client, department


def form_data(target, owner, **changes):
    data = {"department": owner.pk, "indicator": target.indicator.pk, "region": target.region.pk,
            "year": target.plan.start_year, "lock_version": "", "value": "800", "unit": "亿元", "source": "统计公报"}
    return {**data, **changes}


@pytest.mark.parametrize("field, changes", [
    ("value", {"value": "1e18"}), ("value", {"value": "1e30"}), ("source", {"source": "统计\x07公报"}),
    ("source", {"source": "x" * (NOTE_MAX_LENGTH + 1)}),
])
def test_the_web_form_shows_the_refusal_beside_the_field(web_submitter, money_target, field, changes):
    client, department = web_submitter
    before = stored()
    response = client.post("/figures/", form_data(money_target, department, **changes), **EN)
    assert response.status_code == 400
    posted = next(row["form"] for row in response.context["rows"] if row["form"].is_bound)
    assert field in posted.errors, posted.errors
    assert stored() == before


def upload_rows(target, owner, **cells):
    row = {"department_code": owner.code, "indicator_code": target.indicator.code,
           "region_code": target.region.code, "year": target.plan.start_year, "value": "800", "source": "统计公报"}
    header = list(row)
    lines = [",".join(header), ",".join(str({**row, **cells}[column]) for column in header)]
    return "\n".join(lines) + "\n"


def test_an_upload_with_a_value_beyond_the_column_names_row_and_column(web_submitter, money_target):
    client, department = web_submitter
    before = stored()
    data = upload_rows(money_target, department, value="1e30").encode()
    response = client.post("/figures/upload/", {"file": SimpleUploadedFile("figures.csv", data)}, **EN)
    assert response.status_code == 400
    assert [(e.row, e.column) for e in response.context["result"].errors] == [(2, "value")]
    assert stored() == before


def test_an_upload_with_nul_after_the_first_4_kb_is_refused_clearly(web_submitter, money_target):
    client, department = web_submitter
    before = stored()
    filler = ",,,,,\n" * 1000  # blank rows: past the first 4 KB the file still looks like text
    last = upload_rows(money_target, department, source="统计\x00公报").splitlines()[1]
    data = (upload_rows(money_target, department) + filler + last).encode()
    assert data.index(b"\x00") > 4096
    response = client.post("/figures/upload/", {"file": SimpleUploadedFile("figures.csv", data)}, **EN)
    assert response.status_code == 400
    assert "NUL" in " ".join(response.context["form"].errors["file"])
    assert stored() == before


# Reading a new plan

@pytest.fixture
def intake_reviewer(client):
    client.force_login(UserFactory(role=roles.REVIEWER))
    add_hunan_and_yueyang(client)
    return client


def test_an_intake_text_file_with_nul_is_refused_by_name(intake_reviewer):
    before = stored(), Plan.objects.count()
    text = YUEYANG_TEXT[:300] + "\x00" + YUEYANG_TEXT[300:]
    response = read_yueyang(intake_reviewer, text="", upload=SimpleUploadedFile("plan.txt", text.encode("utf-8")),
                            **EN)
    errors = response.context["form"].errors
    assert "U+0000" in " ".join(errors.get("text", []) + errors.get("upload", [])), errors
    assert (stored(), Plan.objects.count()) == before


def test_accepting_a_proposal_with_a_value_beyond_the_column_stores_no_target(intake_reviewer):
    read_yueyang(intake_reviewer)
    plan_draft = PlanDraft.objects.get(plan__region__name="岳阳市")
    revenue = draft_of(plan_draft, "350亿元")
    before = stored()
    data = page_post(plan_draft, only=str(revenue.pk), **{f"d{revenue.pk}-value": "1e30"})
    html = intake_reviewer.post(f"/intake/{plan_draft.pk}/accept/", data, **EN).content.decode()
    assert "The number is too large" in html
    assert stored() == before


# The dashboards' parameters

@pytest.fixture
def leader_pages(client):
    snapshots_recompute(Target.objects.all(), timezone.localdate())
    client.force_login(UserFactory(role=roles.LEADER))
    return client


@pytest.mark.parametrize("url, parameter", [
    ("/dashboards/?region=shenzhen%00", "region"),
    ("/dashboards/?plan=shenzhen%00", "plan"),
    ("/dashboards/?plan_status=anything", "plan_status"),  # never worked: FieldError
    ("/dashboards/?as_of=2024-13-01", "as_of"),
    ("/dashboards/regions/?indicator=biomed%00", "indicator"),
    ("/dashboards/completeness/?year=0", "year"),
    ("/dashboards/completeness/?year=2020.5", "year"),
])
def test_a_dashboard_names_the_parameter_it_ignored(leader_pages, url, parameter):
    response = leader_pages.get(url, **EN)
    assert response.status_code == 400
    messages = [str(m) for m in response.context["messages"]]
    assert any(f"parameter {parameter} " in m for m in messages), messages
    assert f"parameter {parameter} " in response.content.decode()


def test_the_plan_status_filter_works(leader_pages):
    by_status = {}
    for plan in plan_list():
        by_status.setdefault(plan.status, set()).add(plan.short_title)
    assert len(by_status) > 1  # the five plans are not all in one state
    for status, titles in by_status.items():
        response = leader_pages.get(f"/dashboards/?plan_status={status}&format=csv")
        assert response.status_code == 200
        rows = list(csv_rows(response.getvalue()))  # streamed
        assert rows and {row[0] for row in rows} == titles, status


def csv_rows(content: bytes):
    import csv

    reader = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    next(reader)  # the header
    return reader


# The database's own limits

def test_the_database_refuses_an_over_long_source_whatever_code_writes(submitted):
    with pytest.raises(IntegrityError), transaction.atomic():
        ActualVersion.objects.filter(pk=submitted.pk).update(source="x" * (NOTE_MAX_LENGTH + 1))


# Signing in

def test_nul_in_a_username_is_refused_at_sign_in_and_in_basic_authentication(client):
    before = stored()
    page = client.post("/accounts/login/", {"username": "demo\x00admin", "password": "x"}, **EN)
    assert page.status_code == 200 and "username" in page.context["form"].errors
    credentials = base64.b64encode(b"demo\x00admin:x").decode()
    response = APIClient().get("/api/targets/", HTTP_AUTHORIZATION=f"Basic {credentials}", **EN)
    assert response.status_code in (401, 403)
    assert stored() == before
