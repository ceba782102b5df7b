"""Under the Content-Security-Policy, in chromium: the dashboards still draw their Plotly charts,
the language switch still submits itself, and the browser reports no violation at all."""
import pytest
from django.utils import timezone

from kpis.services import snapshots_recompute
from tests.e2e.conftest import sign_in
from tests.factories import UserFactory, submitter_for
from trackers import roles
from trackers.models import Target
from trackers.services.actuals import FigureInput, actual_approve, actual_submit_figure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-Secret-123"
# Reported by the page itself, whatever chromium prints on its console.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(
    e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + e.lineNumber));
"""


@pytest.fixture
def charted(seeded):
    target = Target.objects.get(plan__code="shenzhen-health-2022-2025", value_text="1200亿元")
    submitter, department = submitter_for(target)
    reviewer = UserFactory(role=roles.REVIEWER)
    for year, value in ((2022, "800"), (2023, "950")):
        version = actual_submit_figure(user=submitter, department=department, figure=FigureInput(
            target.indicator, target.region, year, value, "亿元", "统计公报"))
        actual_approve(user=reviewer, version=version, expected_lock_version=version.actual.lock_version)
    snapshots_recompute(Target.objects.all(), timezone.localdate())
    return target


def test_dashboards_draw_their_charts_with_no_policy_violation(page, live_server, charted):
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(WATCH_VIOLATIONS)
    sign_in(page, live_server, UserFactory(role=roles.LEADER).username, PASSWORD, "/dashboards/")
    pages = {
        "/dashboards/": ["status-figure", "money-figure"],
        "/dashboards/plans/shenzhen-health-2022-2025/": ["progress-figure"],
        f"/dashboards/targets/{charted.pk}/": ["target-figure"],
        "/dashboards/regions/?indicator=health_industry_revenue": ["regions-figure"],
        "/dashboards/completeness/?year=2023": ["completeness-figure"],
    }
    for url, figures in pages.items():
        response = page.goto(f"{live_server.url}{url}")
        assert "script-src 'self'" in response.headers["content-security-policy"], url
        for figure in figures:
            page.wait_for_selector(f"[data-figure={figure}] .main-svg")
            traces = page.evaluate(f"() => document.querySelector('[data-figure={figure}]').data.length")
            assert traces > 0, (url, figure)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("() => window.__cspViolations") == [], url
    assert [line for line in console if "Content Security Policy" in line or "CSP" in line] == []


def test_the_language_switch_submits_itself_without_inline_script(page, live_server, seeded):
    page.add_init_script(WATCH_VIOLATIONS)
    sign_in(page, live_server, UserFactory(role=roles.LEADER).username, PASSWORD, "/dashboards/")
    assert page.get_attribute("html", "lang") == "zh-hans"
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.get_attribute("html", "lang") == "en"
    assert page.evaluate("() => window.__cspViolations") == []
