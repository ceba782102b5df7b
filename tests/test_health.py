import pytest


def test_healthz_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_database_and_broker(client, settings):
    settings.CELERY_BROKER_URL = ""  # embedded default: no broker to reach
    body = client.get("/readyz").json()
    assert body == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_readyz_reports_an_unreachable_broker(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_login_is_locked_after_repeated_failures(client, settings):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("victim", password="right-Password-1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "victim", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "victim", "password": "right-Password-1"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    other = client.post("/accounts/login/", {"username": "someone-else", "password": "wrong"})
    assert other.status_code == 200  # only that username from that address is locked


@pytest.mark.django_db
def test_refused_access_is_logged_with_the_user(client, caplog):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="curious"))
    with caplog.at_level("WARNING", logger="audit"):
        response = client.get("/api/actuals/")
    assert response.status_code == 403
    record = next(r for r in caplog.records if r.name == "audit")
    assert record.user == "curious" and record.status == 403 and record.path == "/api/actuals/"
