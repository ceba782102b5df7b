import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from trackers.models import Actual, ActualVersion

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
    assert not Actual.objects.filter(is_demo=False).exists()
    versions = ActualVersion.objects.all()
    assert not versions.exclude(status="approved").exists()
    assert not versions.filter(reviewed_by=None).exists()
    assert all("demo" in v.source for v in versions)

    count = Actual.objects.count()
    call_command("load_demo", verbosity=0)
    assert Actual.objects.count() == count  # loading again adds nothing


def test_demo_users_have_example_addresses_and_the_invented_approvals_mail_nobody(
        settings, django_capture_on_commit_callbacks):
    settings.DEMO_MODE = True
    with django_capture_on_commit_callbacks(execute=False) as queued:
        call_command("load_demo", verbosity=0)
    assert get_user_model().objects.get(username="demo-gd").email == "demo-gd@example.org"
    assert get_user_model().objects.get(username="demo-reviewer").email == "demo-reviewer@example.org"
    assert Actual.objects.exists() and queued  # the recomputations are queued, no mail
    assert not [callback for callback in queued if "notification" in callback.__qualname__]
