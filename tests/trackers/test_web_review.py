"""The review queue: approve and return by POST only, each carrying the figure's lock version."""
import pytest
from django.test import Client

from tests.factories import UserFactory, target_with_lead
from trackers import roles
from trackers.models import ActualVersion
from trackers.services.actuals import FigureInput, actual_approve, actual_submit_figure

pytestmark = pytest.mark.django_db

YEAR = 2023


@pytest.fixture
def target():
    return target_with_lead("chaozhou-biomed-2022-2025", indicator_code="firms_revenue_over_1bn")


@pytest.fixture
def submitter(target):
    return UserFactory(role=roles.SUBMITTER, departments=[target.lead_departments.get()])


@pytest.fixture
def reviewer():
    return UserFactory(role=roles.REVIEWER)


def submit(target, user, value, year=YEAR):
    figure = FigureInput(indicator=target.indicator, region=target.region, year=year, value=value,
                         unit=target.indicator.unit, source="潮州统计年鉴")
    return actual_submit_figure(user=user, department=target.lead_departments.get(), figure=figure)


@pytest.fixture
def submitted(target, submitter, reviewer):
    """Last year approved at 3, this year submitted at 30: flagged as a sharp jump."""
    last_year = submit(target, submitter, "3", year=YEAR - 1)
    actual_approve(user=UserFactory(role=roles.REVIEWER), version=last_year, expected_lock_version=last_year.actual.lock_version)
    return submit(target, submitter, "30")


def test_queue_shows_value_last_year_warning_and_submitter(client, reviewer, submitter, submitted):
    client.force_login(reviewer)

    response = client.get("/review/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    (row,) = [r for r in response.context["rows"] if r["version"].pk == submitted.pk]
    assert row["value"] == "30" and row["last_year_value"] == "3"
    html = response.content.decode()
    line = html[html.index(f'id="version-{submitted.pk}"'):]
    line = line[:line.index("</tr>")]
    assert "30 家" in line and "3 家" in line
    # The warning is stored as text in the language of the submission (here the default, Chinese).
    assert submitted.flagged and submitted.flag_reason in line and 'class="flagged"' in html
    assert submitter.get_username() in line
    assert f'name="lock_version" value="{submitted.actual.lock_version}"' in line


def test_approve_by_post(client, reviewer, submitted):
    client.force_login(reviewer)

    response = client.post(f"/review/{submitted.pk}/approve/", {"lock_version": submitted.actual.lock_version})

    assert response.status_code == 302 and response["Location"] == "/review/"
    version = ActualVersion.objects.get(pk=submitted.pk)
    assert version.status == "approved" and version.reviewed_by == reviewer


def test_get_does_not_approve(client, reviewer, submitted):
    client.force_login(reviewer)

    assert client.get(f"/review/{submitted.pk}/approve/").status_code == 405
    assert client.get(f"/review/{submitted.pk}/approve/", {"lock_version": submitted.actual.lock_version}).status_code == 405
    assert ActualVersion.objects.get(pk=submitted.pk).status == "submitted"


def test_post_without_csrf_token_is_refused(reviewer, submitted):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)

    response = client.post(f"/review/{submitted.pk}/approve/", {"lock_version": submitted.actual.lock_version})

    assert response.status_code == 403
    assert ActualVersion.objects.get(pk=submitted.pk).status == "submitted"


def test_return_needs_a_reason(client, reviewer, submitted):
    client.force_login(reviewer)
    lock = submitted.actual.lock_version

    response = client.post(f"/review/{submitted.pk}/return/", {"lock_version": lock, "reason": "  "}, follow=True)
    assert "请说明退回理由" in response.content.decode()
    assert ActualVersion.objects.get(pk=submitted.pk).status == "submitted"

    client.post(f"/review/{submitted.pk}/return/", {"lock_version": lock, "reason": "口径不一致"})
    version = ActualVersion.objects.get(pk=submitted.pk)
    assert version.status == "returned" and version.return_reason == "口径不一致"


def test_stale_lock_version_is_a_conflict_with_the_current_value(client, reviewer, submitted):
    client.force_login(reviewer)

    response = client.post(
        f"/review/{submitted.pk}/approve/", {"lock_version": submitted.actual.lock_version - 1},
        follow=True, HTTP_ACCEPT_LANGUAGE="en",
    )

    html = response.content.decode()
    assert "changed by someone else" in html and "It now reads 30 家" in html
    assert ActualVersion.objects.get(pk=submitted.pk).status == "submitted"


def test_nobody_reviews_their_own_figure(client, target, submitter, submitted):
    submitter.groups.add(*UserFactory(role=roles.REVIEWER).groups.all())
    client.force_login(submitter)

    assert submitted.pk not in [r["version"].pk for r in client.get("/review/").context["rows"]]
    response = client.post(f"/review/{submitted.pk}/approve/", {"lock_version": submitted.actual.lock_version})
    assert response.status_code == 403
    assert ActualVersion.objects.get(pk=submitted.pk).status == "submitted"


def test_non_reviewers_get_403(client, submitter, submitted):
    client.force_login(submitter)

    assert client.get("/review/").status_code == 403
    response = client.post(f"/review/{submitted.pk}/approve/", {"lock_version": submitted.actual.lock_version})
    assert response.status_code == 403
    assert ActualVersion.objects.get(pk=submitted.pk).status == "submitted"
