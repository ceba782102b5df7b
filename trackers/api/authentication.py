"""How API clients sign in: the browser's session, or HTTP Basic for scripts."""
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from trackers.cleantext import forbidden_character


class BasicAuthentication(authentication.BasicAuthentication):
    """DRF's, but a user id or password holding a control character is refused before anything is
    looked up or recorded: PostgreSQL cannot even compare a NUL (once a 500)."""

    def authenticate_credentials(self, userid, password, request=None):
        if forbidden_character(userid) is not None or forbidden_character(password) is not None:
            raise exceptions.AuthenticationFailed(_("Invalid username/password."))
        return super().authenticate_credentials(userid, password, request)
