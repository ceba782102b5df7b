"""Reading a new plan: a region the service has never seen, a plan made from its text, proposals
shown with the reader's reasons and confidence, accepted (one, or in bulk) with indicators,
departments and milestones, and published when a reviewer says so."""
import datetime as dt
import io
import re

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import UserFactory
from tests.trackers.intake_helpers import YUEYANG_TEXT, add_hunan_and_yueyang, draft_of, page_post, read_yueyang
from trackers import roles
from trackers.exceptions import InvalidInput
from trackers.models import Baseline, Department, DraftTarget, Indicator, Plan, PlanDraft, Region, Target
from trackers.services import intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(client):
    client.force_login(UserFactory(role=roles.REVIEWER))
    return client


@pytest.fixture
def yueyang(reviewer):
    add_hunan_and_yueyang(reviewer)
    response = read_yueyang(reviewer)
    plan_draft = PlanDraft.objects.get(plan__region__name="岳阳市")
    assert response.status_code == 302 and response["Location"] == f"/intake/{plan_draft.pk}/"
    return plan_draft


def test_a_province_and_its_city_are_added_to_the_tree(reviewer):
    city = add_hunan_and_yueyang(reviewer)
    assert (city.level, city.parent.name, city.parent.level, city.origin) == ("city", "湖南省", "province", "intake")
    assert city.code == "yueyang" and city.parent.code == "hunan"
    refused = reviewer.post("/intake/regions/", {"name": "岳阳县", "level": "district", "parent": "不存在市"},
                            HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200 and "No region of this name" in refused.content.decode()
    assert not Region.objects.filter(name="岳阳县").exists()


def test_a_plan_is_made_from_its_text_unpublished_with_the_text_kept(yueyang):
    plan = yueyang.plan
    assert (plan.region.name, plan.start_year, plan.end_year, plan.issuing_body) == ("岳阳市", 2024, 2026,
                                                                                  "岳阳市人民政府办公室")
    assert (plan.document_status, plan.published_on, plan.origin) == ("final", dt.date(2024, 3, 15), "intake")
    assert plan.published_at is None and "发展目标" in plan.source_text
    kinds = list(yueyang.drafts.order_by("start").values_list("kind", "value_text"))
    assert ("target", "350亿元") in kinds and ("milestone", "") in kinds and ("baseline", "210亿元") in kinds
    revenue = draft_of(yueyang, "350亿元")
    assert revenue.subject == "生物医药产业营业收入" and revenue.confidence > 0.5
    assert "forward_year" in revenue.reasons and revenue.lead_departments == "市发展改革委、市工业和信息化局"
    assert draft_of(yueyang, kind="milestone").deadline_text == "2025年底前"


def test_proposals_show_reasons_confidence_comparators_and_status_in_the_page_language(reviewer, yueyang):
    chinese = reviewer.get(f"/intake/{yueyang.pk}/").content.decode()
    row = re.search(rf'<tr id="draft-{draft_of(yueyang, "350亿元").pk}".*?</tr>', chinese, re.S).group(0)
    assert "给出目标年份" in row and "位于发展目标部分" in row  # the reader's reasons, in Chinese
    assert "&gt; 超过" in row and "gt<" not in row  # the comparator's symbol and label, not its code
    assert "待审核" in row and "未到期" not in row
    assert re.search(r"confidence|置信度", row) and "98%" in row
    english = reviewer.get(f"/intake/{yueyang.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "names a target year" in english and "awaiting review" in english


def test_the_indicator_picker_offers_a_few_ranked_suggestions_and_a_new_one(reviewer, yueyang):
    html = reviewer.get(f"/intake/{yueyang.pk}/").content.decode()
    picker = re.search(rf'<select name="d{draft_of(yueyang, "350亿元").pk}-indicator".*?</select>', html, re.S).group(0)
    options = re.findall(r"<option value=\"(\w+)\"", picker)
    assert len(options) <= 6 and options[-1] == "new"  # not the 71 indicators: five suggestions and "new"
    suggested = Indicator.objects.filter(pk__in=[o for o in options if o != "new"])
    assert all(i.unit in ("亿元", "万亿元") for i in suggested[:2])  # money first, for a money target


def test_low_confidence_proposals_are_folded_away_and_not_checked(reviewer, yueyang):
    DraftTarget.objects.filter(pk=draft_of(yueyang, "30家").pk).update(confidence="0.3")
    html = reviewer.get(f"/intake/{yueyang.pk}/").content.decode()
    folded = html[html.index('<details id="low-confidence"'):]
    assert f'id="draft-{draft_of(yueyang, "30家").pk}"' in folded
    assert f'name="d{draft_of(yueyang, "350亿元").pk}-selected" ' in html[:html.index('<details id="low-confidence"')]
    assert f"d{draft_of(yueyang, '30家').pk}-selected" not in page_post(yueyang)


def test_bulk_accept_takes_the_confident_proposals_with_departments_and_milestones(reviewer, yueyang):
    technology = Department.objects.create(code="yy-kj", name="市科技局", region=yueyang.plan.region, origin="curated")
    reviewer.post(f"/intake/proposals/{draft_of(yueyang, '3%').pk}/reject/")
    firms = draft_of(yueyang, "30家")
    response = reviewer.post(f"/intake/{yueyang.pk}/accept/", page_post(yueyang, **{f"d{firms.pk}-indicator": "new"}))
    assert response.status_code == 302

    plan = Plan.objects.get(pk=yueyang.plan_id)
    targets = {t.value_text: t for t in plan.targets.select_related("indicator", "baseline")}
    assert set(targets) == {"350亿元", "5家", "30家"}  # the rejected 3% stays out
    revenue = targets["350亿元"]
    assert (revenue.comparator, revenue.value, revenue.year, revenue.unit) == ("gt", 350, 2026, "亿元")
    assert revenue.indicator.code == "biomed_revenue"  # the indicator of that name (the curated one) suggested first
    created = targets["30家"].indicator  # "create a new indicator": named after the proposal's subject
    assert (created.name, created.unit, created.kind, created.origin) == ("国家高新技术企业", "家", "count", "intake")
    assert revenue.baseline.value == 210 and revenue.baseline.year == 2023  # the accepted baseline, linked
    leads = list(revenue.lead_departments.values_list("name", "origin"))
    assert leads == [("市发展改革委", "intake"), ("市工业和信息化局", "intake")]
    assert technology in revenue.cooperating_departments.all()  # matched, not created twice
    assert Department.objects.filter(region=plan.region, name="市科技局").count() == 1
    milestone = plan.milestones.get()
    assert milestone.deadline == dt.date(2025, 12, 31) and milestone.title == "岳阳市生物医药公共检验检测服务平台"
    assert list(milestone.lead_departments.values_list("name", flat=True)) == ["市科技局"]
    assert revenue.answerers.filter(accountable=True).count() == 2  # who answers was written
    assert DraftTarget.objects.get(pk=draft_of(yueyang, "350亿元").pk).accepted_target == revenue


def test_accepting_with_nothing_selected_says_so_and_stores_nothing(reviewer, yueyang):
    data = {k: v for k, v in page_post(yueyang).items() if not k.endswith("-selected")}
    response = reviewer.post(f"/intake/{yueyang.pk}/accept/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Select at least one proposal to accept." in response.content.decode()
    assert not yueyang.plan.targets.exists()


def test_one_proposal_is_accepted_by_its_own_button(reviewer, yueyang):
    firms = draft_of(yueyang, "5家")
    reviewer.post(f"/intake/{yueyang.pk}/accept/", page_post(yueyang, only=str(firms.pk)))
    assert list(yueyang.plan.targets.values_list("value_text", flat=True)) == ["5家"]
    assert DraftTarget.objects.filter(plan_draft=yueyang, status="pending").count() == yueyang.drafts.count() - 1


def test_a_unit_that_does_not_convert_is_refused_naming_the_proposal_and_nothing_is_stored(yueyang):
    user = UserFactory(role=roles.REVIEWER)
    revenue, firms = draft_of(yueyang, "350亿元"), draft_of(yueyang, "5家")
    share = Indicator.objects.filter(unit="%").first()
    firms_indicator = Indicator.objects.filter(unit="家").first()
    with pytest.raises(InvalidInput) as refused:
        intake.proposals_accept(user=user, plan_draft=yueyang, decisions=[
            intake.Decision(draft_id=firms.pk, indicator=firms_indicator),
            intake.Decision(draft_id=revenue.pk, indicator=share),
        ])
    assert [(e.field, e.code) for e in refused.value.errors] == [(f"d{revenue.pk}-indicator", "unit_mismatch")]
    assert not Target.objects.filter(plan=yueyang.plan).exists()  # the sound one was not kept either


def test_a_forged_indicator_choice_is_refused_by_the_page(reviewer, yueyang):
    revenue = draft_of(yueyang, "350亿元")
    share = Indicator.objects.filter(unit="%").first()
    data = page_post(yueyang, **{f"d{revenue.pk}-indicator": str(share.pk)})
    html = reviewer.post(f"/intake/{yueyang.pk}/accept/", data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Indicator: Select a valid choice." in html
    assert not Target.objects.filter(plan=yueyang.plan).exists() and not Baseline.objects.filter(plan=yueyang.plan).exists()


def test_a_year_outside_the_plan_is_refused(reviewer, yueyang):
    revenue = draft_of(yueyang, "350亿元")
    data = page_post(yueyang, only=str(revenue.pk), **{f"d{revenue.pk}-year": "2035"})
    html = reviewer.post(f"/intake/{yueyang.pk}/accept/", data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2035 lies outside the plan&#x27;s period 2024–2026." in html
    assert not yueyang.plan.targets.exists()


def test_publishing_is_a_reviewers_decision_and_shows_the_plan(client, reviewer, yueyang):
    reviewer.post(f"/intake/{yueyang.pk}/accept/", page_post(yueyang))
    code = yueyang.plan.code
    leader = UserFactory(role=roles.LEADER)
    client.force_login(leader)
    assert client.get(f"/dashboards/plans/{code}/").status_code == 404
    assert client.post(f"/intake/plans/{code}/publish/").status_code == 403
    client.force_login(UserFactory(role=roles.REVIEWER))
    assert client.post(f"/intake/plans/{code}/publish/").status_code == 302
    plan = Plan.objects.get(code=code)
    assert plan.published_at is not None and set(plan.targets.values_list("valid_from", flat=True)) == {
        dt.date.today()}
    client.force_login(leader)
    assert client.get(f"/dashboards/plans/{code}/").status_code == 200


def test_docx_and_gb18030_uploads_are_read(reviewer):
    add_hunan_and_yueyang(reviewer)
    document = docx.Document()
    document.add_paragraph(YUEYANG_TEXT)
    buffer = io.BytesIO()
    document.save(buffer)
    read_yueyang(reviewer, text="", upload=SimpleUploadedFile("plan.docx", buffer.getvalue()))
    read_yueyang(reviewer, text="", title="另一规划", upload=SimpleUploadedFile("plan.txt", YUEYANG_TEXT.encode("gb18030")))
    assert [d.drafts.filter(kind="target").count() for d in PlanDraft.objects.order_by("pk")] == [4, 4]
    refused = read_yueyang(reviewer, text="", title="第三规划", upload=SimpleUploadedFile("plan.exe", b"MZ"))
    assert refused.status_code == 200 and PlanDraft.objects.count() == 2


def test_a_plan_for_an_unknown_region_is_refused_naming_the_field(reviewer):
    response = read_yueyang(reviewer)
    assert response.status_code == 200 and "没有该名称的地区：请先在地区页面新增。" in response.content.decode()
    assert not Plan.objects.filter(origin="intake").exists()


def test_a_get_never_accepts_rejects_or_publishes(reviewer, yueyang):
    revenue = draft_of(yueyang, "350亿元")
    assert reviewer.get(f"/intake/{yueyang.pk}/accept/").status_code == 405
    assert reviewer.get(f"/intake/proposals/{revenue.pk}/reject/").status_code == 405
    assert reviewer.get(f"/intake/plans/{yueyang.plan.code}/publish/").status_code == 405


@pytest.mark.parametrize("role", [roles.SUBMITTER, roles.LEADER, roles.AUDITOR])
def test_other_roles_are_refused(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get("/intake/").status_code == 403
    assert client.get("/intake/regions/").status_code == 403
    assert read_yueyang(client).status_code == 403
    assert not PlanDraft.objects.exists()


def test_an_unpublished_plan_stays_off_the_progress_api_reports_and_calendar(client, reviewer, yueyang):
    from django.test import Client
    from django.utils import timezone

    from kpis.services import snapshots_recompute
    from reporting.exports.selectors import scope_choices
    from trackers.models import ReportingObligation

    reviewer.post(f"/intake/{yueyang.pk}/accept/", page_post(yueyang))
    plan = Plan.objects.get(pk=yueyang.plan_id)
    snapshots_recompute(plan.targets.all(), timezone.localdate())
    owed = ReportingObligation.objects.filter(region=plan.region)
    leader = UserFactory(role=roles.LEADER)
    client.force_login(leader)

    def listed():
        return len(client.get("/api/progress/", {"plan": plan.code}).json()["results"])

    assert listed() == 0 and not owed.exists()
    assert plan.code not in dict(scope_choices()["plan"])
    assert plan.code not in {p["code"] for p in client.get("/api/plans/", {"page_size": 100}).json()["results"]}
    assert client.get("/api/targets/", {"plan": plan.code}).json()["results"] == []
    reviewing = Client()
    reviewing.force_login(UserFactory(role=roles.REVIEWER))
    assert len(reviewing.get("/api/targets/", {"plan": plan.code}).json()["results"]) == plan.targets.count()
    intake.plan_publish(user=UserFactory(role=roles.REVIEWER), plan=plan)
    assert listed() == plan.targets.count() and owed.exists()
    assert plan.code in dict(scope_choices()["plan"])
