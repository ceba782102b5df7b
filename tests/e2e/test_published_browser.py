"""A leader on Guangdong's revenue target: the published 2023 figure's hover says it is a published
figure and names its publisher; its sentence opens on demand; the narrower 2024 figure is flagged."""
import pytest
from django.conf import settings
from django.utils import timezone

from kpis.services import snapshots_recompute
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import UserFactory
from trackers import roles
from trackers.models import ActualVersion, PublishedFigure, Target
from trackers.services.actuals import actual_approve
from trackers.services.published import published_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-Secret-123"


@pytest.fixture
def revenue(seeded):
    published_load(settings.BASE_DIR / "fixtures")
    version = ActualVersion.objects.get(published__key="revenue-2023-stdaily")
    actual_approve(user=UserFactory(role=roles.REVIEWER), version=version,
                   expected_lock_version=version.actual.lock_version)
    target = Target.objects.get(plan__code="guangdong-biomed-2021-2025", key="revenue-2025")
    snapshots_recompute(Target.objects.filter(pk=target.pk), timezone.localdate())
    return target


def test_the_hover_says_a_point_is_published_and_the_sentence_opens(page, live_server, revenue):
    leader = UserFactory(role=roles.LEADER)
    sign_in(page, live_server, leader.username, PASSWORD, f"/dashboards/targets/{revenue.pk}/")
    page.wait_for_selector("[data-figure=target-figure] .main-svg")
    hover = page.evaluate(
        """() => { const plot = document.querySelector('[data-figure=target-figure]');
                   const curve = plot.data.findIndex(t => t.meta === 'actual');
                   Plotly.Fx.hover(plot, [{curveNumber: curve, pointNumber: 0}]);
                   return document.querySelector('.hoverlayer').textContent; }"""
    )
    counted = PublishedFigure.objects.get(key="revenue-2023-stdaily")
    assert "公开发布的数据" in hover and counted.publisher in hover
    screenshot(page, "published-target")

    row = page.locator("#points-table tr[data-origin=published]")
    sentence = row.locator("q.published-sentence")
    assert not sentence.is_visible()
    row.locator("summary").click()
    assert sentence.is_visible() and sentence.inner_text() == counted.sentence
    flagged = page.locator("#published-table tr[data-key=revenue-2024-askci] .scope-flag")
    assert flagged.inner_text() == "口径不同"
