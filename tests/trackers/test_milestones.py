import datetime as dt

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory
from trackers import roles
from trackers.models import Milestone

pytestmark = pytest.mark.django_db


@pytest.fixture
def milestone():
    return Milestone.objects.filter(lead_departments__isnull=False).order_by("key").first()


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_responsible_submitter_records_completion_and_history_keeps_who(milestone):
    user = UserFactory(role=roles.SUBMITTER, departments=[milestone.lead_departments.first()])
    response = client_for(user).post(
        f"/api/milestones/{milestone.pk}/complete/", {"completed_on": "2018-11-30", "evidence": "市政府网站公告"},
        format="json",
    )
    assert response.status_code == 200, response.content
    milestone.refresh_from_db()
    assert milestone.completed_on == dt.date(2018, 11, 30) and milestone.evidence == "市政府网站公告"
    assert milestone.history.latest().history_user == user


def test_other_submitter_is_refused_and_nothing_changes(milestone):
    stranger = UserFactory(role=roles.SUBMITTER)
    response = client_for(stranger).post(
        f"/api/milestones/{milestone.pk}/complete/", {"completed_on": "2018-11-30", "evidence": "x"}, format="json"
    )
    assert response.status_code == 403
    milestone.refresh_from_db()
    assert milestone.completed_on is None


def test_completion_needs_evidence_and_a_past_date(milestone):
    user = UserFactory(role=roles.SUBMITTER, departments=[milestone.lead_departments.first()])
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    response = client_for(user).post(
        f"/api/milestones/{milestone.pk}/complete/", {"completed_on": future, "evidence": ""}, format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"completed_on", "evidence"}
