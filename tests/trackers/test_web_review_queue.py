"""The review queue with context and filters, and bulk approval of unflagged figures after a
confirmation: all through actual_approve, in one transaction, all or nothing, never one's own."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory, submitter_for, target_with_lead
from tests.trackers.test_upload import synthetic_plan, synthetic_regions
from trackers import roles
from trackers.models import Actual, ActualVersion, Department, Target
from trackers.services.actuals import (
    BulkApprovalRefused,
    FigureInput,
    FigureWrite,
    actual_approve,
    actual_submit_figure,
    actuals_approve_unflagged,
    figures_submit,
)

pytestmark = pytest.mark.django_db
CHAOZHOU = "chaozhou-biomed-2022-2025"
SHENZHEN = "shenzhen-health-2022-2025"


def submit(user, department, target, year, value, **kw):
    lock = Actual.objects.filter(indicator=target.indicator, region=target.region, year=year).values_list(
        "lock_version", flat=True).first()
    return actual_submit_figure(user=user, department=department, expected_lock_version=lock, figure=FigureInput(
        target.indicator, target.region, year, value, target.indicator.unit, "统计年鉴", **kw))


def approve(version):
    return actual_approve(user=UserFactory(role=roles.REVIEWER), version=version,
                          expected_lock_version=version.actual.lock_version)


@pytest.fixture
def queue(reviewer):
    """潮州 (firms over 1亿元, 3-4家): 2022 approved at 3, a correction of 2022 to 4 (unflagged),
    2023 at 30 (flagged: ten times last year). 深圳 (revenue, 1200亿元): 2023 at 800 (new, unflagged)."""
    chaozhou = target_with_lead(CHAOZHOU, indicator_code="firms_revenue_over_1bn")
    cz_user = UserFactory(role=roles.SUBMITTER, departments=[chaozhou.lead_departments.get()])
    cz_department = chaozhou.lead_departments.get()
    approve(submit(cz_user, cz_department, chaozhou, 2022, "3"))
    correction = submit(cz_user, cz_department, chaozhou, 2022, "4", correction_reason="统计口径调整")
    flagged = submit(cz_user, cz_department, chaozhou, 2023, "30")
    shenzhen = Target.objects.select_related("indicator", "region", "plan").get(plan__code=SHENZHEN, value_text="1200亿元")
    sz_user, sz_department = submitter_for(shenzhen)
    new = submit(sz_user, sz_department, shenzhen, 2023, "800")
    assert flagged.flagged and not correction.flagged and not new.flagged
    return {"correction": correction, "flagged": flagged, "new": new, "chaozhou": chaozhou, "shenzhen": shenzhen,
            "cz_user": cz_user}


def row_html(html, version):
    line = html[html.index(f'id="version-{version.pk}"'):]
    return line[:line.index("</tr>")]


def shown(response):
    return {row["version"].pk for row in response.context["rows"]}


def test_the_queue_shows_plan_target_last_approved_and_the_replaced_value(client, reviewer, queue):
    client.force_login(reviewer)

    response = client.get("/review/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = response.content.decode()
    correction = row_html(html, queue["correction"])
    assert queue["chaozhou"].plan.short_title in correction and "3-4家" in correction  # plan and target
    region, indicator = queue["chaozhou"].region, queue["chaozhou"].indicator
    # An English page names them in English where the data has an English name (trackers.names).
    assert (region.name_en or region.name) in correction and (indicator.name_en or indicator.name) in correction
    assert 'class="num replaced"><span lang="zh-Hans">3 家</span>' in correction
    assert "统计口径调整" in correction and "correction" in correction
    assert 'class="num value"><span lang="zh-Hans">4 家</span>' in correction
    flagged = row_html(html, queue["flagged"])
    assert 'class="num last-year"><span lang="zh-Hans">3 家</span>' in flagged  # last year's approved value
    assert queue["flagged"].flag_reason in flagged
    assert 'name="version"' not in flagged  # flagged: no box for bulk approval
    new = row_html(html, queue["new"])
    assert "1200亿元" in new and 'class="num replaced">—' in new and "new figure" in new
    assert f'value="{queue["new"].pk}:{queue["new"].actual.lock_version}"' in new


def test_the_queue_filters(client, reviewer, queue):
    client.force_login(reviewer)
    everything = {queue["correction"].pk, queue["flagged"].pk, queue["new"].pk}
    assert everything <= shown(client.get("/review/"))

    def only(**params):
        return shown(client.get("/review/", params)) & everything

    assert only(plan=CHAOZHOU) == {queue["correction"].pk, queue["flagged"].pk}
    assert only(plan=SHENZHEN) == {queue["new"].pk}
    assert only(region=queue["shenzhen"].region.code) == {queue["new"].pk}
    assert only(department=queue["correction"].department.code) == {queue["correction"].pk, queue["flagged"].pk}
    assert only(flagged="yes") == {queue["flagged"].pk}
    assert only(flagged="no") == {queue["correction"].pk, queue["new"].pk}
    assert only(kind="correction") == {queue["correction"].pk}
    assert only(kind="new", plan=CHAOZHOU) == {queue["flagged"].pk}
    bad = client.get("/review/", {"kind": "odd", "plan": "no-such-plan"})
    assert bad.status_code == 400 and set(bad.context["form"].errors) == {"kind", "plan"}


def choice(version):
    return f"{version.pk}:{version.actual.lock_version}"


def status(version):
    return ActualVersion.objects.get(pk=version.pk).status


def test_bulk_approval_asks_first_then_approves_all(client, reviewer, queue):
    client.force_login(reviewer)
    chosen = [choice(queue["correction"]), choice(queue["new"])]

    confirm = client.post("/review/bulk/", {"version": chosen}, HTTP_ACCEPT_LANGUAGE="en")

    assert confirm.status_code == 200
    assert status(queue["correction"]) == status(queue["new"]) == "submitted"  # nothing yet
    html = confirm.content.decode()
    assert "Approve figures: 2" in html and 'name="confirm" value="yes"' in html
    assert 'class="num replaced"><span lang="zh-Hans">3 家</span>' in html and "1200亿元" in html  # the context again

    done = client.post("/review/bulk/", {"version": chosen, "confirm": "yes"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert "Figures approved: 2." in done.content.decode()
    assert status(queue["correction"]) == status(queue["new"]) == "approved"
    assert ActualVersion.objects.get(pk=queue["new"].pk).reviewed_by == reviewer


def test_the_confirmation_leaves_out_flagged_figures(client, reviewer, queue):
    client.force_login(reviewer)

    confirm = client.post("/review/bulk/", {"version": [choice(queue["flagged"]), choice(queue["new"])]},
                          HTTP_ACCEPT_LANGUAGE="en")

    assert [row["version"].pk for row in confirm.context["rows"]] == [queue["new"].pk]
    assert "Checked figures left out (flagged, no longer waiting for review, or your own): 1" in confirm.content.decode()


def test_a_flagged_figure_sent_anyway_approves_nothing(client, reviewer, queue):
    client.force_login(reviewer)

    response = client.post("/review/bulk/", {"version": [choice(queue["new"]), choice(queue["flagged"])],
                                             "confirm": "yes"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert "Nothing was approved" in response.content.decode() and "flagged" in response.content.decode()
    assert status(queue["new"]) == status(queue["flagged"]) == "submitted"  # all or nothing


def test_a_stale_figure_approves_nothing(client, reviewer, queue):
    client.force_login(reviewer)
    stale = f"{queue['correction'].pk}:{queue['correction'].actual.lock_version - 1}"

    client.post("/review/bulk/", {"version": [choice(queue["new"]), stale], "confirm": "yes"})

    assert status(queue["new"]) == status(queue["correction"]) == "submitted"


def test_nobody_approves_their_own_in_bulk(queue):
    both = queue["cz_user"]
    both.groups.add(*UserFactory(role=roles.REVIEWER).groups.all())
    both = type(both).objects.get(pk=both.pk)  # roles are cached per user object

    with pytest.raises(BulkApprovalRefused) as refused:
        actuals_approve_unflagged(user=both, approvals=[
            (queue["new"].pk, queue["new"].actual.lock_version),
            (queue["correction"].pk, queue["correction"].actual.lock_version)])

    assert refused.value.version.pk == queue["correction"].pk
    assert status(queue["new"]) == status(queue["correction"]) == "submitted"


def test_only_reviewers_approve_in_bulk(client, queue):
    client.force_login(queue["cz_user"])

    response = client.post("/review/bulk/", {"version": [choice(queue["new"])], "confirm": "yes"})

    assert response.status_code == 403 and status(queue["new"]) == "submitted"


def test_the_queue_reads_a_bounded_number_of_queries_whatever_the_rows(client, reviewer, django_assert_max_num_queries):
    regions = synthetic_regions(3)
    small_department = Department.objects.create(code="q-small", name="小部门", region=regions[0])
    large_department = Department.objects.create(code="q-large", name="大部门", region=regions[1])
    _plan, (small_indicator,) = synthetic_plan(small_department)
    _plan, large_indicators = synthetic_plan(large_department, indicators=20, regions=regions)
    small = UserFactory(role=roles.SUBMITTER, departments=[small_department])
    large = UserFactory(role=roles.SUBMITTER, departments=[large_department])

    def fill(user, department, pairs, year):
        figures_submit(user=user, writes=[FigureWrite(department, FigureInput(indicator, region, year, "9", "亿元", "年鉴"))
                                          for indicator, region in pairs])

    fill(small, small_department, [(small_indicator, regions[0])], 2022)
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/review/", {"department": "q-small"}).status_code == 200
    fill(large, large_department, [(indicator, region) for indicator in large_indicators for region in regions], 2022)
    with django_assert_max_num_queries(len(few)):
        response = client.get("/review/", {"department": "q-large"})
    assert len(response.context["rows"]) == 50 and response.context["page"].paginator.count == 60


def test_the_last_approved_value_may_be_of_an_earlier_year(client, reviewer, queue):
    """2024 has no approved 2023 beside it: the queue shows 2022's, and says which year."""
    later = submit(queue["cz_user"], queue["correction"].department, queue["chaozhou"], 2024, "4")
    client.force_login(reviewer)

    row = row_html(client.get("/review/").content.decode(), later)

    assert 'class="num last-year"><span lang="zh-Hans">3 家</span><br><span class="hint">2022</span>' in row


def test_after_a_decision_the_queue_keeps_its_filters_and_goes_nowhere_else(client, reviewer, queue):
    client.force_login(reviewer)
    new = queue["new"]

    response = client.post(f"/review/{new.pk}/approve/", {
        "lock_version": new.actual.lock_version, "next": f"/review/?plan={SHENZHEN}&flagged=no"})
    assert response["Location"] == f"/review/?plan={SHENZHEN}&flagged=no"

    correction = queue["correction"]
    response = client.post(f"/review/{correction.pk}/approve/", {
        "lock_version": correction.actual.lock_version, "next": "https://elsewhere.example/review/?x=1"})
    assert response["Location"] == "/review/"
