"""The benchmark's data generator makes the data set it says it makes (sizes tiny here)."""
import pytest

from benchmarks.national_scale import generate
from trackers.models import Actual, ActualVersion, Target

pytestmark = pytest.mark.django_db


def test_generator_makes_regions_times_targets_times_years_approved_figures():
    counts = generate(regions=3, targets_per_region=4, years=2)
    assert counts == {"regions": 3, "targets": 12, "figures": 24}
    assert Target.objects.filter(plan__code="bench-plan").count() == 12
    assert Actual.objects.filter(region__code__startswith="bench-").count() == 24
    assert ActualVersion.objects.filter(actual__region__code__startswith="bench-", status="approved").count() == 24
    again = generate(regions=3, targets_per_region=4, years=2)  # regenerating replaces, never duplicates
    assert again == counts and Target.objects.filter(plan__code="bench-plan").count() == 12
