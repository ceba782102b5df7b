import shutil
from pathlib import Path

import pytest
from django.conf import settings

from trackers.models import Plan, Target
from trackers.services.plans import FixtureError, plans_load

pytestmark = pytest.mark.django_db


def test_a_broken_fixture_stores_nothing(tmp_path):
    fixtures = tmp_path / "fixtures"
    shutil.copytree(Path(settings.BASE_DIR) / "fixtures", fixtures, ignore=shutil.ignore_patterns("seeds"))
    broken = fixtures / "plans" / "shenzhen-health-2022-2025.yaml"
    broken.write_text(broken.read_text("utf-8").replace("1200亿元", "1300亿元"), "utf-8")
    Target.objects.filter(plan__code="shenzhen-health-2022-2025").delete()
    before = Target.objects.count()

    with pytest.raises(FixtureError) as error:
        plans_load(fixtures, settings.SEEDS_DIR)

    assert "shenzhen-health-2022-2025.yaml" in str(error.value)
    assert Target.objects.count() == before
    assert not Target.objects.filter(plan__code="shenzhen-health-2022-2025").exists()


def test_plan_status_is_derived_from_document_and_period():
    import datetime as dt

    from trackers.selectors import plan_list

    statuses = dict(plan_list(today=dt.date(2024, 6, 1)).values_list("code", "status"))
    assert statuses["chaozhou-biomed-2022-2025"] == Plan.Status.DRAFT
    assert statuses["guangdong-biomed-2021-2025"] == Plan.Status.IN_FORCE
    assert statuses["jiangmen-health-2016-2020"] == Plan.Status.EXPIRED
