"""/account/notifications/: each person turns the mails on and off and picks their language."""
import pytest
from django.test import Client

from tests.factories import UserFactory
from trackers import roles
from trackers.models import NotificationPreferences

pytestmark = pytest.mark.django_db
URL = "/account/notifications/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_signed_out_visitors_are_sent_to_the_login():
    response = Client().get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_shows_everything_on_and_chinese_until_changed_and_is_linked_from_the_user_name():
    user = UserFactory(role=roles.SUBMITTER, email="li@example.org")
    response = client_for(user).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="{URL}"' in page  # the user name in the header links here
    assert "li@example.org" in page
    for name in ("reminders", "returns", "approvals", "reviewer_digest"):
        assert f'name="{name}" id="id_{name}" checked' in page
    assert '<option value="zh-hans" lang="zh-hans" selected>' in page
    assert not NotificationPreferences.objects.filter(user=user).exists()  # reading writes nothing


def test_saving_stores_one_row_per_user():
    user = UserFactory(role=roles.REVIEWER, email="wang@example.org")
    client = client_for(user)
    response = client.post(URL, {"returns": "on", "language": "en"})
    assert response.status_code == 302
    client.post(URL, {"returns": "on", "reviewer_digest": "on", "language": "en"})
    preferences = NotificationPreferences.objects.get(user=user)
    assert (preferences.reminders, preferences.returns, preferences.approvals, preferences.reviewer_digest) == (
        False, True, False, True)
    assert preferences.language == "en"
    assert 'name="reviewer_digest" id="id_reviewer_digest" checked' in client.get(URL).content.decode()


def test_an_unknown_language_is_a_form_error_not_a_500():
    user = UserFactory(role=roles.SUBMITTER, email="li@example.org")
    response = client_for(user).post(URL, {"language": "xx"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not NotificationPreferences.objects.exists()


def test_a_user_without_an_address_is_told_so():
    user = UserFactory(role=roles.LEADER)
    response = client_for(user).get(URL)
    assert response.status_code == 200
    assert 'id="no-email"' in response.content.decode()
    assert "没有电子邮箱地址" in response.content.decode()
