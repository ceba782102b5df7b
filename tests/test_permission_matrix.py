"""Every role x every action, the denials included. One row per (action, role): the expected
HTTP status. Later features add their rows here."""
import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory, other_department, submitter_for, target_with_lead
from trackers import roles
from trackers.models import Target
from trackers.services.actuals import FigureInput, actual_submit_figure

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no_role", "submitter", "other_submitter", "reviewer", "leader", "auditor", "administrator"]

# A signed-in user in no role reads nothing; leaders read figures but not their full history
# (the same rule as the history page: trackers.view_figure_history).
MATRIX = {
    #                     anon  none  subm  other  review lead  audit admin
    "read_targets":       (403, 403, 200, 200, 200, 200, 200, 200),
    "read_plans":         (403, 403, 200, 200, 200, 200, 200, 200),
    "whatif":             (403, 403, 200, 200, 200, 200, 200, 200),
    "read_progress":      (403, 403, 200, 200, 200, 200, 200, 200),
    "read_milestones":    (403, 403, 200, 200, 200, 200, 200, 200),
    "read_versions":      (403, 403, 200, 200, 200, 200, 200, 200),
    "read_own_figure":    (403, 403, 200, 404, 200, 200, 200, 200),
    "figure_history":     (403, 403, 200, 404, 200, 403, 200, 200),
    "submit_figure":      (403, 403, 201, 403, 403, 403, 403, 403),
    "approve_figure":     (403, 403, 403, 404, 200, 403, 403, 403),
    "return_figure":      (403, 403, 403, 404, 200, 403, 403, 403),
    "approve_by_get":     (403, 403, 405, 405, 405, 405, 405, 405),
    # Pages (signed in by session; anonymous is sent to the login page).
    "my_work_page":       (302, 403, 200, 200, 403, 403, 403, 403),
    "review_queue_page":  (302, 403, 403, 403, 200, 403, 403, 403),
    "bulk_approve":       (302, 403, 403, 403, 302, 403, 403, 403),
}
PAGES = {"my_work_page", "review_queue_page", "bulk_approve"}


@pytest.fixture
def world():
    target = target_with_lead("guangzhou-health-elderly-2017-2020")
    submitter, department = submitter_for(target)
    stranger = UserFactory(role=roles.SUBMITTER, departments=[other_department(department)])
    users = {
        "anonymous": None,
        "no_role": UserFactory(),
        "submitter": submitter,
        "other_submitter": stranger,
        "reviewer": UserFactory(role=roles.REVIEWER),
        "leader": UserFactory(role=roles.LEADER),
        "auditor": UserFactory(role=roles.AUDITOR),
        "administrator": UserFactory(role=roles.ADMINISTRATOR),
    }
    colleague = UserFactory(role=roles.SUBMITTER, departments=[department])
    figure = FigureInput(target.indicator, target.region, target.plan.start_year, "3", "", "年报")
    version = actual_submit_figure(user=colleague, department=department, figure=figure)
    return {"target": target, "department": department, "users": users, "version": version}


def perform(action, client, world):
    version, target = world["version"], world["target"]
    lock = {"expected_lock_version": version.actual.lock_version}
    if action == "read_targets":
        return client.get("/api/targets/")
    if action == "read_plans":
        return client.get("/api/plans/")
    if action == "whatif":
        with_baseline = Target.objects.filter(baseline__isnull=False).first()
        return client.get(f"/api/targets/{with_baseline.pk}/whatif/", {"growth_pct": "5"})
    if action == "read_progress":
        return client.get("/api/progress/")
    if action == "read_milestones":
        return client.get("/api/milestones/")
    if action == "read_versions":
        return client.get("/api/versions/")
    if action == "read_own_figure":
        return client.get(f"/api/actuals/{version.actual_id}/")
    if action == "figure_history":
        return client.get(f"/api/actuals/{version.actual_id}/history/")
    if action == "submit_figure":
        return client.post("/api/actuals/submit/", {
            "department": world["department"].code, "indicator": target.indicator.code,
            "region": target.region.code, "year": target.plan.start_year + 1, "value": "4",
            "source": "年报",
        }, format="json")
    if action == "approve_figure":
        return client.post(f"/api/versions/{version.pk}/approve/", lock, format="json")
    if action == "return_figure":
        return client.post(f"/api/versions/{version.pk}/return/", {**lock, "reason": "核对"}, format="json")
    if action == "approve_by_get":
        return client.get(f"/api/versions/{version.pk}/approve/")
    if action == "my_work_page":
        return client.get("/my-work/")
    if action == "review_queue_page":
        return client.get("/review/")
    if action == "bulk_approve":
        return client.post("/review/bulk/", {"version": f"{version.pk}:{version.actual.lock_version}", "confirm": "yes"})
    raise AssertionError(action)


@pytest.mark.parametrize("action", MATRIX)
@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
def test_permission_matrix(world, action, role_index, role):
    client = APIClient()
    user = world["users"][role]
    if user is not None and action in PAGES:
        client.force_login(user)
    elif user is not None:
        client.force_authenticate(user)
    response = perform(action, client, world)
    assert response.status_code == MATRIX[action][role_index], response.content[:300]
