import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import UserFactory
from trackers import roles
from trackers.models import DraftTarget, Indicator, Plan, PlanDraft, Region, Target

pytestmark = pytest.mark.django_db
TEXT = ("到2027年，全市数字经济核心产业营业收入突破3000亿元，培育上市企业10家以上。"
        "（市发展改革委牵头，市科技局按职责分工负责）在2026年底前建成全市统一的数据平台。")


@pytest.fixture
def reviewer(client):
    client.force_login(UserFactory(role=roles.REVIEWER))
    return client


def read(client, **extra):
    data = {"title": "某市数字经济行动计划", "region": Region.objects.get(code="foshan").pk, **extra}
    return client.post("/intake/", data)


def test_pasted_text_becomes_drafts_with_clauses_and_offsets(reviewer):
    response = read(reviewer, text=TEXT)
    plan_draft = PlanDraft.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/intake/{plan_draft.pk}/"
    drafts = list(plan_draft.drafts.order_by("start"))
    assert [(d.kind, d.value_text, d.comparator) for d in drafts] == [
        ("target", "3000亿元", "gt"), ("target", "10家", "gte"), ("milestone", "", "")]
    assert all(plan_draft.text[d.start:d.end] == d.clause for d in drafts)
    assert drafts[1].lead_departments == "市发展改革委"
    page = reviewer.get(f"/intake/{plan_draft.pk}/").content.decode()
    assert "3000亿元" in page and "数据平台" in page


def test_docx_and_gb18030_uploads_are_read(reviewer):
    document = docx.Document()
    document.add_paragraph(TEXT)
    buffer = io.BytesIO()
    document.save(buffer)
    read(reviewer, upload=SimpleUploadedFile("plan.docx", buffer.getvalue()))
    read(reviewer, upload=SimpleUploadedFile("plan.txt", TEXT.encode("gb18030")))
    assert [d.drafts.filter(kind="target").count() for d in PlanDraft.objects.all()] == [2, 2]
    refused = read(reviewer, upload=SimpleUploadedFile("plan.exe", b"MZ"))
    assert refused.status_code == 200 and PlanDraft.objects.count() == 2


def test_only_accepted_drafts_become_targets(reviewer):
    read(reviewer, text=TEXT)
    revenue, firms = PlanDraft.objects.get().drafts.filter(kind="target").order_by("start")
    plan = Plan.objects.get(code="guangdong-biomed-2021-2025")
    indicator = Indicator.objects.create(code="digital_core_revenue", name="数字经济核心产业营业收入", unit="亿元", kind="flow")
    before = Target.objects.count()
    reviewer.post(f"/intake/drafts/{revenue.pk}/accept/", {"plan": plan.pk, "indicator": indicator.pk,
                                                         "value": "3000", "year": "2027"})
    reviewer.post(f"/intake/drafts/{firms.pk}/reject/")
    assert Target.objects.count() == before + 1
    target = Target.objects.get(indicator=indicator)
    assert (target.value, target.comparator, target.year, target.clause) == (3000, "gt", 2027, revenue.clause)
    assert DraftTarget.objects.get(pk=firms.pk).status == "rejected"
    assert reviewer.get(f"/intake/drafts/{firms.pk}/accept/").status_code == 405  # a GET never accepts


@pytest.mark.parametrize("role", [roles.SUBMITTER, roles.LEADER, roles.AUDITOR])
def test_other_roles_are_refused(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get("/intake/").status_code == 403
    assert read(client, text=TEXT).status_code == 403
    assert not PlanDraft.objects.exists()
