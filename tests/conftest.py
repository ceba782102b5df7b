"""Fixtures shared by every test module: the five plans in the database, people in roles,
Shenzhen's revenue target, a settable clock, and one Debian chromium for the browser tests."""
import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from tests.factories import UserFactory, submitter_for
from tests.mail import smtp_down, smtp_server  # noqa: F401 - a real SMTP server (aiosmtpd) for any test
from trackers import roles
from trackers.models import Target

SHENZHEN_PLAN = "shenzhen-health-2022-2025"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from a database holding the five plans; each test's writes roll back."""
    with django_db_blocker.unblock():
        call_command("load_plans", verbosity=0)


@pytest.fixture
def seeded(transactional_db):
    """Transactional tests start from an emptied database: put the roles and the plans back."""
    for name in roles.ROLES:
        Group.objects.get_or_create(name=name)
    call_command("load_plans", verbosity=0)


@pytest.fixture
def revenue_target():
    """Shenzhen's 大健康产业营收达1200亿元 by 2025, baseline 676亿元 in 2021."""
    return Target.objects.select_related("indicator", "region", "plan").get(plan__code=SHENZHEN_PLAN,
                                                                            value_text="1200亿元")


@pytest.fixture
def people(revenue_target):
    """A submitter of a department accountable for the revenue target, that department, a reviewer."""
    submitter, department = submitter_for(revenue_target, username="sz-submitter")
    return submitter, department, UserFactory(role=roles.REVIEWER, username="sz-reviewer")


@pytest.fixture
def reviewer():
    return UserFactory(role=roles.REVIEWER)


@pytest.fixture
def auditor():
    return UserFactory(role=roles.AUDITOR, username="auditor-li")


@pytest.fixture
def clock(monkeypatch):
    """Sets the time everything reads (services, auto_now fields, simple-history). Each reading
    advances a millisecond so that successive writes stay ordered."""

    class Clock:
        def set(self, *args):
            state = {"now": timezone.make_aware(dt.datetime(*args))}

            def now():
                state["now"] += dt.timedelta(milliseconds=1)
                return state["now"]

            monkeypatch.setattr(timezone, "now", now)

    return Clock()


@pytest.fixture
def require_services():
    """In CI (REQUIRE_SERVICES=1) a missing broker is a failure, never a skip."""
    if not settings.CELERY_BROKER_URL:
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("REQUIRE_SERVICES is set but CELERY_BROKER_URL is empty")
        pytest.skip("needs CELERY_BROKER_URL (a real Redis); .ci/run sets it")
    return settings.CELERY_BROKER_URL


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: rolled-back rows may reuse the ids a cache key names."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language: a test that switched to English must not
    decide the language of the next one."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Real hashing costs a third of a second per user; tests make many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def celery_in_process(request):
    """Unit tests run tasks in-process, as the embedded default does; tests marked
    `integration` talk to the real broker and a real worker instead."""
    from config.celery import app

    if request.node.get_closest_marker("integration"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


# Browser tests (marker `browser`): one Debian chromium for the whole session, driven by
# Playwright's sync API, which runs an event loop in this thread; the tests' own ORM calls stay
# synchronous, one at a time.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which("chromium") and not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("chromium is missing; .ci/run installs Debian's chromium")
        pytest.skip("needs Debian's chromium (apt-get install chromium)")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    from django.db import connections

    context = browser.new_context(viewport={"width": 1300, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()
    # ORM calls made while Playwright's loop runs get their own (context-local) connections,
    # which would outlive the test and keep PostgreSQL from dropping the test database.
    connections.close_all()
