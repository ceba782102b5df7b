"""Every page of the site, once: its URL, who may open it, and what to wait for before looking at
it. The ids in the URLs come from a small demo-like site built in the test database by
`site_build` (the five plans, Shenzhen's figures reported and reviewed through the real workflow,
a figure awaiting review and one returned, an upload job, a report job, a plan text read by the
intake and a revision of Shenzhen's plan).

The browser tests (tests/e2e/test_every_page_browser.py) run their checks over PAGES; a page
added to the site belongs here too.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kpis.services import snapshots_recompute
from tests.conftest import SHENZHEN_PLAN
from tests.factories import UserFactory
from trackers import roles
from trackers.models import Actual, Plan, Target, UploadJob

ANONYMOUS = "anonymous"
# The role each page is opened as; "admin" is a superuser (the Django admin wants is_staff).
ROLES = ["submitter", "reviewer", "leader", "auditor", "admin"]
REVENUE = "1200亿元"  # Shenzhen's 大健康产业营收达1200亿元 by 2025
PLOT = ".main-svg"


@dataclass(frozen=True)
class Page:
    name: str  # the test id and the screenshot's file name
    path: str
    role: str
    ready: str = "main, body"  # a selector present once the page has drawn what it shows
    status: int = 200
    # A page that answers a form (a POST): what to click on `path` to get there, the last click
    # submitting the form; the page is the answer.
    clicks: tuple[str, ...] = ()

    def __str__(self):
        return self.name


def pages(ids: dict) -> list[Page]:
    """The list itself, with the ids the built site holds."""
    plan, target, actual = SHENZHEN_PLAN, ids["target"], ids["actual"]
    return [
        Page("login", "/accounts/login/", ANONYMOUS, "#id_username"),
        Page("home-leader", "/", "leader"),
        Page("home-submitter", "/", "submitter"),
        Page("my-work", "/my-work/", "submitter", "main"),
        Page("figures", "/figures/?year=2025", "submitter", "main"),
        Page("figures-2024", "/figures/?year=2024", "submitter", "main"),
        Page("upload", "/figures/upload/", "submitter", "main form"),
        Page("upload-job", f"/figures/upload/jobs/{ids['upload_job']}/", "submitter", "#job"),
        Page("history", f"/figures/{actual}/history/", "submitter", "main table"),
        Page("review", "/review/", "reviewer", "main"),
        Page("review-filtered", "/review/?flagged=no&kind=new", "reviewer", "main table"),
        Page("review-bulk", "/review/?flagged=no", "reviewer", "#confirm-form",
             clicks=("input[name=version][form=bulk-form]", "#bulk-form button[type=submit]")),
        Page("my-work-all", "/my-work/?state=all", "submitter", "main table"),
        Page("completeness", "/dashboards/completeness/?year=2024", "submitter", "main"),  # /completeness/ redirects here
        Page("account-notifications", "/account/notifications/", "submitter", "form.settings-form"),
        Page("overview", "/dashboards/", "leader", f"[data-figure=status-figure] {PLOT}"),
        Page("plan", f"/dashboards/plans/{plan}/", "leader", f"[data-figure=progress-figure] {PLOT}"),
        Page("target", f"/dashboards/targets/{target}/", "leader", f"[data-figure=target-figure] {PLOT}"),
        Page("regions", "/dashboards/regions/?indicator=health_industry_revenue", "leader",
             f"[data-figure=regions-figure] {PLOT}"),
        Page("dashboard-completeness", "/dashboards/completeness/?year=2024", "leader",
             f"[data-figure=completeness-figure] {PLOT}"),
        Page("reports", "/reports/", "auditor", "main form"),
        Page("report-job", f"/reports/jobs/{ids['report_job']}/", "auditor", "main"),
        Page("intake", "/intake/", "admin", "main form"),
        Page("intake-regions", "/intake/regions/", "admin", "main"),
        Page("intake-draft", f"/intake/{ids['plan_draft']}/", "admin", "main table"),
        Page("intake-revision", f"/intake/revisions/{ids['revision']}/", "admin", "main"),
        Page("notifications", "/account/notifications/", "reviewer", "main form"),
        Page("admin", "/admin/", "admin", "#content"),
        Page("admin-targets", "/admin/trackers/target/", "admin", "#changelist"),
        Page("admin-target", f"/admin/trackers/target/{target}/change/", "admin", "#content form"),
        Page("api-docs", "/api/docs/", "leader", ".swagger-ui .info"),
        Page("forbidden", "/dashboards/", "submitter", "body", status=403),
        Page("not-found", "/no-such-page/", "leader", "body", status=404),
    ]


def site_build() -> dict:
    """The demo-like site, committed (the live server reads it from its own connection). Returns
    the users by role and the ids the page list needs."""
    call_command("flush", interactive=False, verbosity=0)
    for name in roles.ROLES:
        Group.objects.get_or_create(name=name)
    call_command("load_plans", verbosity=0)

    from trackers.services import demo
    from trackers.services.actuals import FigureInput, actual_return, actual_submit_figure

    # The demo's users and invented figures up to 2024 for every plan (its public loader, as
    # `load_demo` runs it); 2025 stays open: one figure awaits review, one was returned.
    with mock.patch.object(demo, "DEMO_LAST_YEAR", 2024):
        demo.demo_load()
    users = {user.username: user for user in get_user_model().objects.filter(
        username__in=[*demo.STAFF, *demo.PLAN_SUBMITTERS.values()])}
    submitter, reviewer = users[demo.PLAN_SUBMITTERS[SHENZHEN_PLAN]], users["demo-reviewer"]
    shenzhen = Plan.objects.get(code=SHENZHEN_PLAN)
    for year in (2024, 2025):
        demo.obligations_generate(year)
    revenue = Target.objects.select_related("indicator", "region").get(plan=shenzhen, value_text=REVENUE)
    department = submitter.departments.filter(answers__target=revenue).order_by("-answers__accountable", "pk").first()
    actual_submit_figure(user=submitter, department=department, figure=FigureInput(
        revenue.indicator, revenue.region, 2025, "1130", revenue.indicator.unit, "统计公报"))
    other = shenzhen.targets.exclude(indicator=revenue.indicator).filter(answerers__accountable=True).exclude(
        indicator__actuals__year=2025).select_related("indicator", "region").order_by("key").first()
    assert other is not None
    other_department = submitter.departments.filter(answers__target=other).first()
    returned = actual_submit_figure(user=submitter, department=other_department, figure=FigureInput(
        other.indicator, other.region, 2025, "5", other.indicator.unit, "统计公报"))
    actual_return(user=reviewer, version=returned, reason="来源需注明年份", expected_lock_version=returned.actual.lock_version)

    today = timezone.localdate()
    for as_of in (dt.date(today.year - 1, 6, 30), today):
        snapshots_recompute(Target.objects.all(), as_of)

    admin = UserFactory(username="site-admin", role=roles.ADMINISTRATOR, is_staff=True, is_superuser=True)
    auditor = users["demo-auditor"]
    by_role = {"submitter": submitter, "reviewer": reviewer, "leader": users["demo-leader"], "auditor": auditor,
               "admin": admin}
    return {"users": by_role, "ids": {
        "target": revenue.pk,
        "actual": Actual.objects.get(indicator=revenue.indicator, region=revenue.region, year=2024).pk,
        "upload_job": _upload_job(submitter),
        "report_job": _report_job(auditor),
        **_intake(admin),
    }}


def _upload_job(submitter) -> str:
    """A finished upload job: this year's template with one figure filled in and one bad row."""
    client = Client()
    client.force_login(submitter)
    template = client.get("/figures/template.csv?year=2025").content.decode("utf-8-sig").splitlines()
    content = "\n".join(template[:2] + [template[-1].replace(",,", ",not-a-number,", 1)]).encode("utf-8-sig")
    from trackers.services.imports import upload_job_run

    job = UploadJob.objects.create(requested_by=submitter, filename="figures.csv", content=content,
                                   size=len(content), language="zh-hans", stage="queued")
    upload_job_run(job.pk)
    return str(job.pk)


def _report_job(auditor) -> str:
    from reporting.models import ReportJob

    return str(ReportJob.objects.create(
        requested_by=auditor, scope_type="plan", scope_code=SHENZHEN_PLAN, as_of=dt.date(2024, 6, 30), format="csv",
        language="zh-hans", channel="web", state="done", progress=100, content=b"\xef\xbb\xbfx",
        filename="gap-report.csv", content_type="text/csv", checksum="0" * 64,
    ).pk)


def _intake(admin) -> dict:
    """Yueyang's plan read by the intake (its proposals page) and a revision of Shenzhen's plan."""
    from tests.trackers.intake_helpers import add_hunan_and_yueyang, read_yueyang
    from tests.trackers.revision_helpers import shenzhen_revision
    from trackers.models import PlanDraft

    client = Client()
    client.force_login(admin)
    add_hunan_and_yueyang(client)
    read_yueyang(client)
    return {"plan_draft": PlanDraft.objects.latest("pk").pk, "revision": shenzhen_revision(admin).pk}


def site_save() -> str:
    """The database as the module found it (the plans, the roles, the rows migrations wrote such as
    the beat schedule), to be put back when the module is done."""
    from django.db import connection

    return connection.creation.serialize_db_to_string()


def site_restore(saved: str) -> None:
    """Back to what every other test starts from, as TransactionTestCase's serialized rollback does."""
    from django.db import connection

    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    connection.creation.deserialize_db_from_string(saved)
    # flush restarted every sequence at 1 (PostgreSQL) while the rows came back with their ids:
    # move each sequence past its table's largest id, or the next insert collides.
    from django.apps import apps
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
