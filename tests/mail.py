"""A real SMTP server for the tests: aiosmtpd on a free port, in its own thread, with Django's mail
settings pointed at it (the SMTP backend, as production uses). tests/conftest.py offers the
fixtures to every test: `smtp_server` (yields the Inbox) and `smtp_down` (nothing listens)."""
from __future__ import annotations

import email
import socket
import threading
import time
from dataclasses import dataclass
from email import policy

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    recipients: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"]).strip()  # a folded, encoded header starts with its fold

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()


class Inbox:
    """What the server received, in order (aiosmtpd's handler: it answers DATA after storing)."""

    def __init__(self):
        self.messages: list[Received] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(Received(list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        with self._lock:
            return [m for m in self.messages if address in m.recipients]

    def wait_for(self, address: str, count: int = 1, timeout: float = 10) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.to(address)) >= count:
                return self.to(address)
            time.sleep(0.05)
        raise AssertionError(f"{len(self.to(address))} of {count} mails to {address} arrived within {timeout}s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _point_django_at(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server; yields its Inbox. Django sends to it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    _point_django_at(settings, controller.port)
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def smtp_down(settings):
    """Django pointed at a port where no mail server listens (connection refused)."""
    _point_django_at(settings, free_port())
