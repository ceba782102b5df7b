import io
import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from kpis.models import ProgressSnapshot, RecomputeRequest
from trackers.models import Actual, ActualVersion, PublishedFigure, Target
from trackers.services.demo import DEMO_PASSWORD, demo_logins

pytestmark = pytest.mark.django_db


def test_demo_data_is_refused_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert not Actual.objects.exists()


def test_demo_figures_are_labelled_and_went_through_review(settings):
    settings.DEMO_MODE = True
    call_command("load_demo", verbosity=0)
    assert Actual.objects.exists()
    # Every figure is either invented and labelled demo, or a published one, approved.
    assert set(Actual.objects.filter(is_demo=False).values_list("versions__origin", flat=True)) == {"published"}
    versions = ActualVersion.objects.all()
    assert not versions.exclude(status="approved").exists()
    assert not versions.filter(reviewed_by=None).exists()
    demo = versions.filter(actual__is_demo=True)
    assert all("demo" in v.source for v in demo) and set(demo.values_list("origin", flat=True)) == {"demo"}

    count = Actual.objects.count()
    call_command("load_demo", verbosity=0)
    assert Actual.objects.count() == count  # loading again adds nothing


def test_load_demo_says_each_step_with_counts(settings):
    settings.DEMO_MODE = True
    out = io.StringIO()
    started = time.process_time()
    call_command("load_demo", stdout=out)
    assert time.process_time() - started < 30  # CPU time: wall time depends on the machine's load
    lines = out.getvalue().splitlines()
    assert any(re.search(r"demo users: 9$", line) for line in lines)
    assert sum(bool(re.search(r"demo figures for [a-z0-9-]+: \d+ submitted and approved", line)) for line in lines) == 5
    assert any(re.search(r"progress snapshots as of \d{4}-\d\d-\d\d: \d+ targets", line) for line in lines)
    assert all(re.match(r"\[\s*\d+\.\d s\] |  login ", line) for line in lines), lines
    # The recomputations the demo approvals owed are closed (done once per date), none left pending.
    assert not RecomputeRequest.objects.filter(completed_at__isnull=True).exists()
    assert ProgressSnapshot.objects.filter(as_of=timezone.localdate()).count() == Target.objects.count()


def test_the_login_page_lists_the_demo_logins_in_demo_mode_only(client, settings):
    settings.DEMO_MODE = True
    html = client.get("/accounts/login/").content.decode()
    assert 'id="demo-logins"' in html and DEMO_PASSWORD in html
    for username, _role in demo_logins():
        assert f"<code>{username}</code>" in html
    assert "审核员" in html  # roles named in the page's language

    settings.DEMO_MODE = False
    html = client.get("/accounts/login/").content.decode()
    assert 'id="demo-logins"' not in html and DEMO_PASSWORD not in html


def test_demo_figures_are_never_invented_where_a_published_figure_exists(settings):
    settings.DEMO_MODE = True
    call_command("load_demo", verbosity=0)
    published = set(PublishedFigure.objects.values_list("indicator_id", "region_id", "year"))
    assert len(published) == 13  # 14 figures; two differ in measure for the same device approvals of 2022
    demo = set(Actual.objects.filter(is_demo=True).values_list("indicator_id", "region_id", "year"))
    assert demo and not demo & published
    counted = PublishedFigure.objects.filter(standing="submitted")
    assert set(counted.values_list("version__status", "version__origin", "version__reviewed_by__username")) == {
        ("approved", "published", "demo-reviewer")}
    # A shown-only figure (Guangdong's 2024 revenue on a narrower basis) leaves its year empty.
    revenue_2024 = PublishedFigure.objects.get(key="revenue-2024-askci")
    assert not Actual.objects.filter(indicator=revenue_2024.indicator, region=revenue_2024.region, year=2024).exists()


def test_demo_users_have_example_addresses_and_the_invented_approvals_mail_nobody(
        settings, django_capture_on_commit_callbacks):
    settings.DEMO_MODE = True
    with django_capture_on_commit_callbacks(execute=False) as queued:
        call_command("load_demo", verbosity=0)
    assert get_user_model().objects.get(username="demo-gd").email == "demo-gd@example.org"
    assert get_user_model().objects.get(username="demo-reviewer").email == "demo-reviewer@example.org"
    assert Actual.objects.exists() and queued  # the recomputations are queued, no mail
    assert not [callback for callback in queued if "notification" in callback.__qualname__]
