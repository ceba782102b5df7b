"""Idle sessions end: SESSION_COOKIE_AGE (SESSION_IDLE_MINUTES) after the last request.

Renewing the deadline means saving the session. Rather than on every request
(SESSION_SAVE_EVERY_REQUEST: a database write for every page and chart), it is renewed when a
request comes more than RENEW_AFTER after the last renewal, so a session ends between
SESSION_COOKIE_AGE - RENEW_AFTER and SESSION_COOKIE_AGE after its last request.
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

RENEWED = "renewed_at"  # session key: when the deadline was last pushed back (POSIX seconds)
RENEW_AFTER = dt.timedelta(minutes=1)


def session_renewed(sender, request, user, **kwargs) -> None:
    """Signing in saves the session anyway: it counts as its first renewal (user_logged_in)."""
    request.session[RENEWED] = int(timezone.now().timestamp())


class IdleSessionMiddleware:
    """After SessionMiddleware in MIDDLEWARE, so that the session it marks is saved on the way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(timezone.now().timestamp())
            if now - session.get(RENEWED, 0) >= RENEW_AFTER.total_seconds():
                session[RENEWED] = now  # modified: saved with a fresh deadline
        return response
