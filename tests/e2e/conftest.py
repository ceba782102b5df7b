"""Real-browser tests: Debian's chromium driven by Playwright against the live test server."""
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command

from trackers import roles

SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"


@pytest.fixture
def seeded(transactional_db):
    """Transactional tests start from an emptied database: put the plans and roles back."""
    for name in roles.ROLES:
        Group.objects.get_or_create(name=name)
    call_command("load_plans", verbosity=0)


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page, live_server, username, password, next_url="/"):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
