"""The settings a government service needs, as a client sees them: a Content-Security-Policy on
every response, no inline script or style for it to allow, and sessions that end after a short
idle time and with the browser."""
import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from tests.factories import UserFactory
from trackers import roles

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.fixture
def administrator(client):
    client.force_login(UserFactory(role=roles.ADMINISTRATOR))
    return client


@pytest.mark.parametrize("url", [
    "/dashboards/", "/dashboards/completeness/", "/reports/", "/intake/", "/admin/", "/api/targets/",
    "/api/schema/", "/api/docs/", "/healthz", "/no-such-page/",
])
def test_every_response_carries_the_policy(administrator, url):
    response = administrator.get(url)
    rules = policy(response)
    assert rules["default-src"] == ["'self'"] and rules["script-src"] == ["'self'"], url
    assert rules["object-src"] == ["'none'"] and rules["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in rules["style-src"] and "'unsafe-eval'" not in rules["script-src"]


def test_the_sign_in_page_carries_it_before_anyone_signs_in(client):
    assert policy(client.get("/accounts/login/"))["script-src"] == ["'self'"]


def test_no_page_widens_the_policy_for_inline_styles(administrator):
    """ReDoc, whose styled-components needed 'unsafe-inline' styles, is gone: Swagger UI is the one
    documentation page and needs none."""
    assert administrator.get("/api/redoc/").status_code == 404
    assert "'unsafe-inline'" not in policy(administrator.get("/api/docs/"))["style-src"]


TEMPLATE_DIRS = [ROOT / "templates", ROOT / "trackers" / "templates", ROOT / "reporting" / "templates"]
# Rendered by WeasyPrint into a PDF, never served to a browser.
NOT_SERVED = {"gap_report_pdf.html"}
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def test_no_template_needs_the_policy_to_allow_inline_code():
    templates = [path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html") if path.name not in NOT_SERVED]
    assert len(templates) > 20
    found = [(str(path.relative_to(ROOT)), kind) for path in templates for kind, pattern in INLINE.items()
             if pattern.search(path.read_text())]
    assert found == []


@pytest.fixture
def clock(monkeypatch):
    """Moves the time sessions are judged by."""
    state = {"now": timezone.now()}

    def advance(**delta):
        state["now"] += dt.timedelta(**delta)

    monkeypatch.setattr(timezone, "now", lambda: state["now"])
    return advance


def test_a_session_ends_after_thirty_idle_minutes_and_each_request_renews_it(client, clock):
    client.force_login(UserFactory(role=roles.LEADER))
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    for _ in range(3):  # an hour and a half of work, a request every 25 minutes
        clock(minutes=25)
        assert client.get("/dashboards/completeness/").status_code == 200
    clock(minutes=31)
    response = client.get("/dashboards/completeness/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_deadline_is_renewed_at_most_once_a_minute_not_written_on_every_request(client, clock):
    from django.contrib.sessions.models import Session

    client.force_login(UserFactory(role=roles.LEADER))
    key = client.session.session_key

    def deadline():
        return Session.objects.get(session_key=key).expire_date

    signed_in = deadline()
    clock(seconds=30)
    client.get("/dashboards/completeness/")
    assert deadline() == signed_in  # no write for a request within the minute
    clock(seconds=60)
    client.get("/dashboards/completeness/")
    assert deadline() == signed_in + dt.timedelta(seconds=90)


def test_the_session_cookie_ends_with_the_browser(client):
    user = UserFactory(role=roles.LEADER)
    response = client.post("/accounts/login/", {"username": user.username, "password": "pw-Secret-123"})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value and not cookie["expires"] and not cookie["max-age"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_gunicorn_configuration_loads_with_its_deliberate_numbers():
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--print-config", "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    printed = dict(re.findall(r"^(\w+)\s*=\s*(.*)$", result.stdout, re.M))
    assert printed["timeout"] == "60" and printed["graceful_timeout"] == "30"
    assert printed["max_requests"] == "1000" and printed["max_requests_jitter"] == "100"
    assert 3 <= int(printed["workers"]) <= 9 and printed["preload_app"] == "True"
