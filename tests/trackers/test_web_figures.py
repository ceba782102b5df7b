"""The "My figures" page: owed figures with their context, submitted one per POST."""
import pytest
from django.conf import settings

from tests.factories import UserFactory, target_with_lead
from trackers import roles
from trackers.models import ActualVersion
from trackers.services.actuals import FigureInput, actual_approve, actual_save_draft, actual_submit_figure

pytestmark = pytest.mark.django_db

YEAR = 2023


@pytest.fixture
def target():
    return target_with_lead("chaozhou-biomed-2022-2025", indicator_code="firms_revenue_over_1bn")


@pytest.fixture
def department(target):
    return target.lead_departments.get()


@pytest.fixture
def submitter(target, department):
    return UserFactory(role=roles.SUBMITTER, departments=[department])


def figure(target, value, year=YEAR, **kw):
    return FigureInput(indicator=target.indicator, region=target.region, year=year, value=value,
                       unit=target.indicator.unit, source="潮州统计年鉴", **kw)


def post_data(target, department, lock_version="", **fields):
    data = {"department": department.pk, "indicator": target.indicator.pk, "region": target.region.pk,
            "year": YEAR, "lock_version": lock_version, "value": "4", "unit": "家", "source": "潮州统计年鉴2024"}
    data.update(fields)
    return data


def row_for(response, target):
    return next(r for r in response.context["rows"] if r["figure"].indicator == target.indicator)


def test_get_shows_owed_figures_with_last_years_value_and_target(client, target, department, submitter, reviewer):
    last_year = actual_submit_figure(user=submitter, department=department, figure=figure(target, "3", year=YEAR - 1))
    actual_approve(user=reviewer, version=last_year, expected_lock_version=last_year.actual.lock_version)
    client.force_login(submitter)

    response = client.get("/figures/", {"year": YEAR})

    assert response.status_code == 200
    row = row_for(response, target)
    assert row["last_year_value"] == "3"
    assert row["figure"].current is None
    html = response.content.decode()
    section = html[html.index(f'id="figure-{row["figure"].key}"'):]
    section = section[:section.index("</section>")]
    assert target.indicator.name in section and "潮州市" in section
    assert "3 家" in section  # last year's approved value, in the indicator's unit
    assert "3-4家" in section and target.plan.short_title in section  # the target it serves
    assert 'name="lock_version"' in section and 'value="家"' in section  # unit defaults to the indicator's
    assert 'name="correction_reason"' not in section  # nothing approved for this year yet


def test_post_stores_a_submitted_version_and_redirects(client, target, department, submitter):
    client.force_login(submitter)

    response = client.post(f"/figures/?year={YEAR}", post_data(target, department))

    assert response.status_code == 302 and response["Location"] == f"/figures/?year={YEAR}"
    version = ActualVersion.objects.get(actual__indicator=target.indicator, actual__region=target.region, actual__year=YEAR)
    assert version.status == "submitted" and version.submitted_by == submitter
    assert str(version.value) == "4.000000" and version.source == "潮州统计年鉴2024"
    page = client.get("/figures/", {"year": YEAR})
    assert row_for(page, target)["figure"].current.status == "submitted"


def test_returned_figure_shows_the_reason_and_can_be_resubmitted(client, target, department, submitter, reviewer):
    from trackers.services.actuals import actual_return

    version = actual_submit_figure(user=submitter, department=department, figure=figure(target, "9"))
    actual_return(user=reviewer, version=version, reason="口径不一致，请核实", expected_lock_version=version.actual.lock_version)
    client.force_login(submitter)

    page = client.get("/figures/", {"year": YEAR})
    row = row_for(page, target)
    assert "口径不一致，请核实" in page.content.decode()
    assert row["form"].initial["value"] == "9"  # the returned value is offered for editing

    response = client.post("/figures/", post_data(target, department, lock_version=row["figure"].lock_version, value="4"))
    assert response.status_code == 302
    assert ActualVersion.objects.get(pk=version.pk).status == "submitted"


def test_errors_are_shown_next_to_the_field_in_chinese_by_default(client, target, department, submitter):
    client.force_login(submitter)

    response = client.post("/figures/", post_data(target, department, value="abc", source=""))

    assert response.status_code == 400
    form = row_for(response, target)["form"]
    assert set(form.errors) == {"value", "source"}
    html = response.content.decode()
    assert "请输入数字" in html and "请注明数据来源" in html
    assert "Enter a number" not in html
    value_errors = html[html.index(f'id="{form["value"].auto_id}_error"'):]
    assert value_errors.index("请输入数字") < value_errors.index("</ul>")  # inside the field's own list
    assert not ActualVersion.objects.filter(actual__indicator=target.indicator).exists()


def test_errors_are_in_english_with_accept_language(client, target, department, submitter):
    client.force_login(submitter)

    response = client.post("/figures/", post_data(target, department, value="-2"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "This indicator cannot be negative." in response.content.decode()


def test_errors_are_in_english_with_the_language_cookie(client, target, department, submitter):
    client.force_login(submitter)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post("/figures/", post_data(target, department, unit="平方米"))

    assert response.status_code == 400
    assert "cannot be converted exactly to the indicator&#x27;s unit" in response.content.decode()


def test_language_switch_sets_the_cookie_the_pages_follow(client, target, department, submitter):
    client.force_login(submitter)
    client.post("/i18n/setlang/", {"language": "en", "next": "/figures/"})

    response = client.post("/figures/", post_data(target, department, value=""))

    assert "Enter a number" in response.content.decode()


def test_stale_lock_version_shows_the_conflict_and_the_current_value(client, target, department, submitter):
    colleague = UserFactory(role=roles.SUBMITTER, departments=[department])
    draft = actual_save_draft(user=submitter, department=department, figure=figure(target, "5"))
    seen = draft.actual.lock_version  # what the page showed
    actual_save_draft(user=colleague, department=department, figure=figure(target, "6"), expected_lock_version=seen)
    client.force_login(submitter)

    response = client.post("/figures/", post_data(target, department, lock_version=seen, value="7"))

    assert response.status_code == 409
    row = row_for(response, target)
    assert row["form"].conflict and row["current_value"] == "6"
    html = response.content.decode()
    assert "已被他人修改" in html and '<strong><span lang="zh-Hans">6 家</span>' in html  # Chinese data marked as such
    assert ActualVersion.objects.get(pk=draft.pk).value == 6  # nothing overwritten
    # The kept entry now carries the current lock version: submitting again is a deliberate choice.
    assert row["form"]["lock_version"].value() == str(seen + 1)
    again = client.post("/figures/", post_data(target, department, lock_version=seen + 1, value="7"))
    assert again.status_code == 302


def test_correction_of_an_approved_figure_needs_a_reason(client, target, department, submitter, reviewer):
    version = actual_submit_figure(user=submitter, department=department, figure=figure(target, "3"))
    actual_approve(user=reviewer, version=version, expected_lock_version=version.actual.lock_version)
    client.force_login(submitter)
    page = client.get("/figures/", {"year": YEAR})
    row = row_for(page, target)
    assert f'id="{row["form"]["correction_reason"].auto_id}"' in page.content.decode()

    lock = row["figure"].lock_version
    response = client.post("/figures/", post_data(target, department, lock_version=lock), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "correction_reason" in row_for(response, target)["form"].errors

    response = client.post("/figures/", post_data(target, department, lock_version=lock, correction_reason="统计局修订"))
    assert response.status_code == 302
    assert version.actual.versions.count() == 2


def test_submitting_for_another_departments_figure_is_forbidden(client, target, department):
    stranger_department = unrelated_department()
    stranger = UserFactory(role=roles.SUBMITTER, departments=[stranger_department])
    client.force_login(stranger)

    response = client.post("/figures/", post_data(target, stranger_department))
    assert response.status_code == 403
    response = client.post("/figures/", post_data(target, department))  # a department they are not in
    assert response.status_code == 403
    assert not ActualVersion.objects.filter(actual__indicator=target.indicator).exists()


def test_figures_page_needs_a_signed_in_submitter(client):
    assert client.get("/figures/").status_code == 302  # to the login page
    client.force_login(UserFactory(role=roles.LEADER))
    assert client.get("/figures/").status_code == 403


def unrelated_department():
    """A Guangzhou department: it answers for nothing in Chaozhou (other_department() may co-operate)."""
    return target_with_lead("guangzhou-health-elderly-2017-2020").lead_departments.first()


def test_a_years_figures_come_a_page_at_a_time_in_a_bounded_number_of_queries(
        client, target, department, submitter, django_assert_max_num_queries):
    """A department owing 3,000 regions' figures must not get one form per figure on one page."""
    from trackers.models import Region, ReportingObligation
    from trackers.web.views import WORK_PAGE_SIZE

    regions = Region.objects.bulk_create(
        [Region(code=f"bulk-{n}", name=f"测试区{n}", level=target.region.level, parent=target.region) for n in range(70)])
    ReportingObligation.objects.bulk_create(
        [ReportingObligation(department=department, indicator=target.indicator, region=region, year=YEAR,
                             due_date=target.plan.start_year and f"{YEAR + 1}-03-31") for region in regions])
    owed = ReportingObligation.objects.filter(department=department, year=YEAR).count()
    client.force_login(submitter)

    with django_assert_max_num_queries(30):
        first = client.get("/figures/", {"year": YEAR})
    last = client.get("/figures/", {"year": YEAR, "page": 2})

    assert len(first.context["rows"]) == WORK_PAGE_SIZE
    assert len(last.context["rows"]) == owed - WORK_PAGE_SIZE
    assert "1 / 2" in first.content.decode()
    keys = {row["figure"].key for row in first.context["rows"]} | {row["figure"].key for row in last.context["rows"]}
    assert len(keys) == owed


def test_one_figure_named_by_its_key_is_shown_alone_and_a_bad_key_shows_the_year(
        client, target, department, submitter):
    client.force_login(submitter)
    key = f"{department.pk}-{target.indicator.pk}-{target.region.pk}-{YEAR}"
    alone = client.get("/figures/", {"year": YEAR, "figure": key})
    assert [row["figure"].key for row in alone.context["rows"]] == [key]
    for bad in ("1-2-3", "a-b-c-d", "9" * 30 + "-1-1-1", f"0-{target.indicator.pk}-{target.region.pk}-{YEAR}"):
        response = client.get("/figures/", {"year": YEAR, "figure": bad})
        assert response.status_code == 200 and response.context["focus"] == ""
