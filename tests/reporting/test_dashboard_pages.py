import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from kpis.models import ProgressSnapshot
from kpis.services import snapshots_recompute
from reporting.formatting import plain
from tests.factories import ActualFactory, TargetFactory, UserFactory, submitter_for
from trackers import roles
from trackers.models import Indicator, Plan, Target
from trackers.services.actuals import FigureInput, actual_approve, actual_submit_figure

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def leader(client):
    client.force_login(UserFactory(role=roles.LEADER))
    return client


@pytest.fixture
def shenzhen_revenue():
    return Target.objects.get(plan__code="shenzhen-health-2022-2025", value_text="1200亿元")


@pytest.fixture
def computed(shenzhen_revenue):
    submitter, department = submitter_for(shenzhen_revenue)
    reviewer = UserFactory(role=roles.REVIEWER)
    for year, value in ((2022, "800"), (2023, "950")):
        figure = FigureInput(shenzhen_revenue.indicator, shenzhen_revenue.region, year, value, "亿元", "统计公报")
        version = actual_submit_figure(user=submitter, department=department, figure=figure)
        actual_approve(user=reviewer, version=version, expected_lock_version=version.actual.lock_version)
    snapshots_recompute(Target.objects.all(), timezone.localdate())
    return timezone.localdate()


def pages(target):
    return ["/dashboards/", "/dashboards/plans/shenzhen-health-2022-2025/", f"/dashboards/targets/{target.pk}/",
            "/dashboards/regions/?indicator=biomed_rd_intensity"]


def test_leader_sees_every_page_and_the_engine_numbers(leader, computed, shenzhen_revenue):
    for url in pages(shenzhen_revenue) + ["/dashboards/completeness/?year=2023"]:
        response = leader.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not re.search(r'<script[^>]+src="https?://', html), f"{url} loads a script from the internet"
        assert "/static/js/plotly.min.js" in html
    snapshot = ProgressSnapshot.objects.get(target=shenzhen_revenue, as_of=computed)
    html = leader.get(f"/dashboards/targets/{shenzhen_revenue.pk}/").content.decode()
    assert f'data-value="{plain(snapshot.latest_value)}"' in html and "950" in html
    assert shenzhen_revenue.clause in html


@pytest.mark.parametrize("role, expected", [(roles.SUBMITTER, 403), (roles.REVIEWER, 200), (roles.AUDITOR, 200),
                                            (roles.ADMINISTRATOR, 200)])
def test_roles_on_the_dashboards(client, computed, shenzhen_revenue, role, expected):
    client.force_login(UserFactory(role=role))
    for url in pages(shenzhen_revenue):
        assert client.get(url).status_code == expected, url
    assert client.get("/dashboards/completeness/").status_code == 200  # submitters may see completeness


def test_anonymous_is_sent_to_sign_in(client, shenzhen_revenue):
    response = client.get("/dashboards/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_tables_download_as_csv_with_bom(leader, computed):
    response = leader.get("/dashboards/plans/shenzhen-health-2022-2025/", {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert "1200亿元" in text and "大健康产业营业收入" in text


def test_pages_read_snapshots_and_never_compute_them(leader, shenzhen_revenue):
    assert not ProgressSnapshot.objects.exists()
    for url in pages(shenzhen_revenue):
        assert leader.get(url).status_code == 200
    assert not ProgressSnapshot.objects.exists()
    assert "No progress has been computed" in leader.get("/dashboards/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def grow_tenfold():
    """Add nine synthetic copies of every target (with snapshots) so the data is ten times larger."""
    plan = Plan.objects.get(code="guangzhou-health-elderly-2017-2020")
    indicator = Indicator.objects.create(code="synthetic", name="合成指标", unit="亿元", kind="flow")
    existing = Target.objects.count()
    Target.objects.bulk_create([
        Target(plan=plan, key=f"synthetic-{i}", indicator=indicator, region=plan.region, clause="合成",
               value_text="10亿元", comparator="gte", value=Decimal(10), unit="亿元", year=2020)
        for i in range(existing * 9)
    ])
    snapshots_recompute(Target.objects.all(), timezone.localdate())


@pytest.mark.parametrize("page", range(4))
def test_query_count_does_not_grow_with_the_data(leader, computed, shenzhen_revenue, django_assert_max_num_queries, page):
    url = pages(shenzhen_revenue)[page].replace("shenzhen-health-2022-2025", "guangzhou-health-elderly-2017-2020")
    limit = 21  # measured: 12 to 20 at either size (cache version reads included); the point: it does not grow
    with django_assert_max_num_queries(limit):
        small = leader.get(url)
    grow_tenfold()
    with django_assert_max_num_queries(limit):
        large = leader.get(url)
    assert small.status_code == large.status_code == 200


def test_missing_numbers_show_as_a_dash_not_nan(leader, computed):
    html = leader.get("/dashboards/plans/shenzhen-health-2022-2025/").content.decode()
    words = re.sub(r"<script.*?</script>|<[^>]+>", " ", html, flags=re.S)  # what a reader sees
    assert not re.search(r"(?<![\w-])(nan|NaN|None|inf)(?![\w-])", words)


def figure_traces(html: str, element: str = "target-figure") -> dict:
    """The Plotly figure a page embeds (json_script), its traces keyed by name and by meta."""
    import json

    raw = re.search(rf'<script id="{element}" type="application/json">(.*?)</script>', html, re.S).group(1)
    figure = json.loads(json.loads(raw))
    return {trace.get("meta") or trace["name"]: trace for trace in figure["data"]}


def test_a_cumulative_targets_page_shows_the_running_total_its_additions_and_its_path(leader):
    """国家实验室 1家 by 2025 counts additions: the page says 累计, plots the running total against
    a path from zero, draws each year's addition as a bar, and the history says rows are additions."""
    target = Target.objects.get(plan__code="guangdong-biomed-2021-2025", key="national-labs-2025")
    assert target.basis == "cumulative"
    for year, added in ((2021, 0), (2022, 1), (2023, 1)):
        ActualFactory(target=target, year=year, value=added)
    snapshots_recompute(Target.objects.filter(pk=target.pk), timezone.localdate())

    html = leader.get(f"/dashboards/targets/{target.pk}/", {"as_of": timezone.localdate().isoformat()}).content.decode()
    latest = re.search(r'id="latest-value"[^>]*data-value="([^"]*)"[^>]*>([^<]*)<', html)
    assert latest.group(1) == "2" and "累计" in latest.group(2) and "2021–2023" in latest.group(2)
    traces = figure_traces(html)
    assert traces["actual"]["y"] == [0.0, 1.0, 2.0]  # the running total
    assert traces["additions"]["type"] == "bar" and traces["additions"]["y"] == [0.0, 1.0, 1.0]
    path = dict(zip(traces["trajectory"]["x"], traces["trajectory"]["y"]))
    assert path[2020] == 0.0 and path[2025] == pytest.approx(1.0)
    assert 'id="history-note"' in html and "当年新增" in html


@pytest.mark.parametrize("tolerance", [10.0, 25.0])
def test_an_about_targets_band_follows_the_configured_tolerance(leader, settings, tolerance):
    settings.KPI_APPROX_TOLERANCE_PCT = tolerance
    target = Target.objects.filter(comparator="approx", tolerance_pct__isnull=True).select_related("indicator").first()
    ActualFactory(target=target, year=target.year - 1, value=target.value)
    snapshots_recompute(Target.objects.filter(pk=target.pk), timezone.localdate())

    page = leader.get(f"/dashboards/targets/{target.pk}/", {"as_of": timezone.localdate().isoformat()})
    traces = figure_traces(page.content.decode())
    band = sorted(set(traces["目标区间"]["y"]))
    goal = float(target.value)
    assert band == pytest.approx([goal * (1 - tolerance / 100), goal * (1 + tolerance / 100)])


def test_a_plans_table_is_paginated_and_sorted_by_the_database(leader, computed, settings):
    """A plan's targets come a page at a time, sorted in SQL; the pages together hold each target once."""
    from reporting.dashboards import views

    settings.DEBUG = False
    plan = "guangzhou-health-elderly-2017-2020"
    total = Target.objects.filter(plan__code=plan).count()
    assert total > views.PAGE_SIZE // 5
    views_page_size, views.PAGE_SIZE = views.PAGE_SIZE, 5
    try:
        seen = []
        for page in range(1, total // 5 + 2):
            html = leader.get(f"/dashboards/plans/{plan}/", {"sort": "target_year", "page": page}).content.decode()
            seen += [int(pk) for pk in re.findall(r'data-target-id="(\d+)"', html)]
    finally:
        views.PAGE_SIZE = views_page_size
    assert sorted(seen) == sorted(Target.objects.filter(plan__code=plan).values_list("pk", flat=True))
    years = dict(Target.objects.filter(plan__code=plan).values_list("pk", "year"))
    assert [years[pk] for pk in seen] == sorted(years[pk] for pk in seen)


def test_cached_counts_follow_a_recomputation_and_a_new_target(leader, computed, shenzhen_revenue):
    """Counts and pages are cached per recomputation; a new recomputation or target shows at once."""
    def summary():
        html = leader.get("/dashboards/plans/shenzhen-health-2022-2025/").content.decode()
        return re.search(r'id="status-summary">(.*?)</p>', html, re.S).group(1)

    before = summary()
    assert summary() == before  # the second reading comes from the cache
    ActualFactory(target=shenzhen_revenue, year=2024, value=1300)
    snapshots_recompute(Target.objects.filter(pk=shenzhen_revenue.pk), timezone.localdate())
    after = summary()
    assert after != before and "已实现" in after
    plan = shenzhen_revenue.plan
    TargetFactory(plan=plan, region=plan.region, key="added-later")
    assert re.search(r"(\d+) ", after).group(1) != re.search(r"(\d+) ", summary()).group(1)
