"""In the browser: a reviewer returns a figure with a reason, and the mail with that reason
arrives at a real SMTP server (aiosmtpd); its link opens the figure to correct. A user turns a
mail off from the page their name links to."""
import re

import pytest

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import UserFactory, submitter_for
from trackers import roles
from trackers.models import NotificationPreferences, Target
from trackers.services.actuals import FigureInput, actual_submit_figure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-Secret-123"
REASON = "口径与统计公报不一致，请按第3页核对后重报"


@pytest.fixture
def waiting(seeded):
    """A figure submitted for review by a submitter with an address."""
    target = Target.objects.select_related("indicator", "region").get(
        plan__code="shenzhen-health-2022-2025", value_text="1200亿元")
    submitter, department = submitter_for(target)
    submitter.email = "sz-submitter@example.org"
    submitter.save()
    figure = FigureInput(target.indicator, target.region, 2024, "1050", "亿元", "统计公报")
    version = actual_submit_figure(user=submitter, department=department, figure=figure)
    return target, submitter, version


def test_a_return_in_the_browser_mails_the_reason_to_the_submitter(page, live_server, smtp_server, settings, waiting):
    target, submitter, version = waiting
    settings.SITE_URL = live_server.url  # the links in the mail lead to this server
    reviewer = UserFactory(role=roles.REVIEWER)
    sign_in(page, live_server, reviewer.username, PASSWORD, "/review/")
    row = page.locator(f"#version-{version.pk}")
    row.locator("textarea[name=reason]").fill(REASON)
    row.locator(".return-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".messages .success").count() == 1
    screenshot(page, "review-after-return")

    (mail,) = smtp_server.wait_for("sz-submitter@example.org")
    figure = f"{target.indicator.name} · {target.region.name} · 2024"
    assert mail.subject == f"数据被退回：{figure}"
    assert REASON in mail.text and REASON in mail.html
    link = re.search(r"(http://\S+/figures/\?year=2024)", mail.text).group(1)

    # The submitter follows the mail's link and finds the returned figure with its reason.
    page.context.clear_cookies()
    sign_in(page, live_server, submitter.username, PASSWORD, link.removeprefix(live_server.url))
    assert page.url == link
    assert REASON in page.inner_text("main")


def test_a_user_turns_off_return_mails_from_the_page_their_name_links_to(page, live_server, waiting):
    _target, submitter, _version = waiting
    sign_in(page, live_server, submitter.username, PASSWORD, "/figures/")
    page.click(f".site-header a.user:has-text('{submitter.username}')")
    page.wait_for_selector("form.settings-form")
    assert "sz-submitter@example.org" in page.inner_text("main")
    page.uncheck("#id_returns")
    page.select_option("#id_language", "en")
    page.click("form.settings-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    screenshot(page, "account-notifications")
    preferences = NotificationPreferences.objects.get(user=submitter)
    assert (preferences.returns, preferences.approvals, preferences.language) == (False, True, "en")
