"""Issue #15 on the dashboards: the region comparison offers only indicators two or more regions
have targets for; a filter value that names nothing, or a date without progress, is said above
the page instead of silently replaced; empty views say what is missing and draw no empty chart."""
import re

import pytest
from django.db.models import Count
from django.utils import timezone

from kpis.services import snapshots_recompute
from tests.factories import UserFactory
from trackers import roles
from trackers.models import Indicator, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(client):
    client.force_login(UserFactory(role=roles.LEADER))
    return client


@pytest.fixture
def computed():
    today = timezone.localdate()
    snapshots_recompute(Target.objects.all(), today)
    return today


def offered(html: str) -> set[str]:
    select = re.search(r'<select name="indicator">(.*?)</select>', html, re.S).group(1)
    return set(re.findall(r'<option value="([^"]+)"', select))


def test_region_comparison_offers_only_indicators_set_in_two_or_more_regions(leader, computed):
    regions = dict(Indicator.objects.filter(targets__plan__published_at__isnull=False)
                   .annotate(n=Count("targets__region", distinct=True)).values_list("code", "n"))
    shared = {code for code, n in regions.items() if n >= 2}
    assert shared and len(shared) < len(regions)  # the five plans have both kinds

    html = leader.get("/dashboards/regions/").content.decode()

    assert offered(html) == shared


def test_an_indicator_of_one_region_is_refused_with_a_message(leader, computed):
    lonely = (Indicator.objects.filter(targets__plan__published_at__isnull=False)
              .annotate(n=Count("targets__region", distinct=True)).filter(n=1).values_list("code", flat=True).first())
    response = leader.get("/dashboards/regions/", {"indicator": lonely})
    html = response.content.decode()
    assert response.status_code == 200
    assert f"“{lonely}”" in html and 'class="messages"' in html
    assert response.context["indicator"].code != lonely


def test_an_as_of_date_without_progress_is_said(leader, computed):
    response = leader.get("/dashboards/", {"as_of": "2019-01-01"})
    html = response.content.decode()
    assert "2019-01-01" in html and computed.isoformat() in html
    assert 'class="messages"' in html and response.context["as_of"] == computed


def test_a_malformed_as_of_is_a_400_naming_it(leader, computed):
    response = leader.get("/dashboards/plans/shenzhen-health-2022-2025/", {"as_of": "30/06/2024"})
    assert response.status_code == 400
    assert "as_of" in response.content.decode()


@pytest.mark.parametrize("key", ["plan", "region"])
def test_a_filter_naming_nothing_is_said_and_not_applied(leader, computed, key):
    response = leader.get("/dashboards/", {key: "no-such-code"})
    html = response.content.decode()
    assert "no-such-code" in html and 'class="messages"' in html
    assert response.context["filters"][key] is None
    assert "status-figure" in html  # unfiltered: the chart of every plan is there


def test_a_filter_with_no_targets_says_so_and_draws_no_chart(leader, computed):
    response = leader.get("/dashboards/", {"region": "yunfu"})  # a city no plan sets targets for
    html = response.content.decode()
    assert response.context["empty_reason"] and response.context["empty_reason"] in html
    assert 'data-figure="status-figure"' not in html and 'data-figure="money-figure"' not in html


def test_no_progress_chart_for_targets_without_figures(leader, computed):
    html = leader.get("/dashboards/plans/jiangmen-health-2016-2020/").content.decode()
    assert 'data-figure="progress-figure"' not in html  # no figures: no empty frame around 100%
    assert 'id="no-progress-chart"' in html


def test_no_snapshots_at_all_says_what_is_missing(leader):
    response = leader.get("/dashboards/")
    assert response.status_code == 200
    assert 'class="empty"' in response.content.decode()
    assert 'data-figure' not in response.content.decode()


def test_the_old_completeness_address_keeps_the_year(leader):
    response = leader.get("/completeness/", {"year": 2021})
    assert response.status_code == 302 and response["Location"] == "/dashboards/completeness/?year=2021"
