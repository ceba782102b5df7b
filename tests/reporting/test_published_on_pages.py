"""The target page says which kind each figure is and cites the published ones; a published
figure whose scope differs is listed, flagged, and never drawn or counted as progress."""
import html as html_lib
import re

import pytest
from django.conf import settings
from django.utils import timezone

from kpis.models import ProgressSnapshot
from kpis.services import snapshots_recompute
from tests.factories import UserFactory
from tests.reporting.test_dashboard_pages import figure_traces
from trackers import roles
from trackers.models import ActualVersion, PublishedFigure, Target
from trackers.services.actuals import actual_approve
from trackers.services.published import published_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(client):
    client.force_login(UserFactory(role=roles.LEADER))
    return client


@pytest.fixture
def guangdong_revenue():
    """≥1万亿元 by 2025: 6638亿元 (2023) counts; 4112.83 (2022) and 约4486.63 (2024) differ in scope."""
    published_load(settings.BASE_DIR / "fixtures")
    version = ActualVersion.objects.get(published__key="revenue-2023-stdaily")
    actual_approve(user=UserFactory(role=roles.REVIEWER), version=version,
                   expected_lock_version=version.actual.lock_version)
    target = Target.objects.get(plan__code="guangdong-biomed-2021-2025", key="revenue-2025")
    snapshots_recompute(Target.objects.filter(pk=target.pk), timezone.localdate())
    return target


def _page(leader, target) -> str:
    response = leader.get(f"/dashboards/targets/{target.pk}/", {"as_of": timezone.localdate().isoformat()})
    assert response.status_code == 200
    return response.content.decode()


def test_the_target_page_cites_a_counted_published_figure(leader, guangdong_revenue):
    page = _page(leader, guangdong_revenue)
    counted = PublishedFigure.objects.get(key="revenue-2023-stdaily")
    text = html_lib.unescape(page)
    assert counted.publisher in text and counted.title in text
    assert f'href="{counted.source_url}"' in text
    assert counted.sentence in text  # in a <details>, opened on demand
    points = page[page.index('id="points-table"'):page.index("</table>", page.index('id="points-table"'))]
    assert 'data-origin="published"' in points and "公开发布的数据" in points
    traces = figure_traces(page)
    assert traces["actual"]["x"] == [2023] and traces["actual"]["y"] == [6638.0]
    assert traces["actual"]["customdata"][0][0] == "公开发布的数据"  # the hover says which kind it is
    assert "数据类别" in traces["actual"]["hovertemplate"]


def test_a_scope_mismatch_is_shown_flagged_and_not_counted(leader, guangdong_revenue):
    page = _page(leader, guangdong_revenue)
    table = page[page.index('id="published-table"'):]
    row = table[table.index('data-key="revenue-2024-askci"'):]
    row = row[:row.index("</tr>")]
    assert 'data-standing="scope_differs"' in row and "口径不同" in row
    traces = figure_traces(page)
    assert 2024 not in traces["actual"]["x"] and 2022 not in traces["actual"]["x"]
    assert sorted(traces["shown"]["x"]) == [2022, 2024]  # drawn apart, marked
    snapshot = ProgressSnapshot.objects.get(target=guangdong_revenue, as_of=timezone.localdate())
    assert snapshot.latest_year == 2023  # 2024's figure would be the latest if it counted


def test_the_target_csv_says_the_kind_and_cites_the_source(leader, guangdong_revenue):
    response = leader.get(f"/dashboards/targets/{guangdong_revenue.pk}/",
                          {"as_of": timezone.localdate().isoformat(), "format": "csv"})
    text = response.content.decode("utf-8-sig")
    counted = PublishedFigure.objects.get(key="revenue-2023-stdaily")
    assert "数据类别" in text and "公开发布的数据" in text
    assert counted.source_url in text and counted.publisher in text


def test_demo_beside_published_figures_each_point_says_which(leader, guangdong_revenue):
    from tests.factories import submitter_for
    from trackers.services.actuals import FigureInput, actual_submit_figure

    submitter, department = submitter_for(guangdong_revenue)
    figure = FigureInput(guangdong_revenue.indicator, guangdong_revenue.region, 2021, "5200", "亿元",
                         "演示数据（虚构）/ demo data (invented)", origin="demo")
    version = actual_submit_figure(user=submitter, department=department, figure=figure)
    actual_approve(user=UserFactory(role=roles.REVIEWER), version=version,
                   expected_lock_version=version.actual.lock_version)
    page = _page(leader, guangdong_revenue)
    assert "本页部分数据为演示数据" in page
    points = page[page.index('id="points-table"'):page.index("</table>", page.index('id="points-table"'))]
    kinds = dict(re.findall(r"<td>(\d{4})</td>.*?figure-kind-(\w+)", points, re.S))
    assert kinds == {"2021": "demo", "2023": "published"}
    assert figure_traces(page)["actual"]["customdata"][0][0] == "演示数据"
