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


def test_the_upload_job_page_polls_from_its_static_script_until_the_outcome(
        seeded, browser, live_server, client, monkeypatch, settings):
    from django.db import connections

    from tests.trackers.test_upload import as_csv, synthetic_plan, synthetic_regions, thousand_rows, upload
    from trackers.models import Department, UploadJob
    from trackers.services import imports

    settings.UPLOAD_ASYNC_BYTES = 10_000
    monkeypatch.setattr(imports, "upload_job_dispatch", lambda job_id: True)  # queued; nobody runs it yet
    regions = synthetic_regions(4)
    department = Department.objects.create(code="csp-dept", name="策略部门", region=regions[0])
    _plan, indicators = synthetic_plan(department, indicators=50, regions=regions)
    client.force_login(UserFactory(role=roles.SUBMITTER, departments=[department]))
    response = upload(client, "figures.csv", as_csv(thousand_rows(department, indicators, regions)))
    job = UploadJob.objects.get()
    context = browser.new_context(locale="zh-CN")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.add_init_script(WATCH_VIOLATIONS)
    page.goto(live_server.url + response["Location"])
    assert page.locator("#job-progress").get_attribute("value") == "0"

    imports.upload_job_run(job.pk)  # the worker stores the file; the page learns of it by polling and reloads

    page.wait_for_selector("#job p.success", timeout=15_000)
    assert "1000" in page.inner_text("#job p.success")
    assert page.evaluate("() => window.__cspViolations") == []
    context.close()
    connections.close_all()
