"""Fuzz the API with schemathesis against a live server, as two roles; fail on any 5xx or any
answer the schema does not describe.

A fresh database (PostgreSQL when --database-url names one, else a temporary SQLite file) gets the
five plans and a few figures (approved, submitted, returned: through the real workflow), users in
two roles (a submitter and an administrator; a reviewer approves the figures) and today's
snapshots. gunicorn serves it with the production configuration (config/gunicorn.py); schemathesis
reads /api/schema/ and sends generated requests, valid and invalid, with these checks:

    not_a_server_error            no 5xx, ever
    status_code_conformance       every status answered is documented
    content_type_conformance      and in the documented media type
    response_headers_conformance  and with the documented headers
    response_schema_conformance   and with a body the schema describes (nullable, pagination ...)
    negative_data_rejection       input the schema forbids is refused (4xx), not stored

The seed is fixed, generation is deterministic (no example database) and one worker sends requests one at a time, so
a run is repeatable; --max-examples bounds its length (about a minute per role at the default: 50).

    .venv-test/bin/python scripts/api_fuzz.py [--database-url postgres://postgres@127.0.0.1:5432/name_fuzz]
        [--max-examples 15] [--seed 2026] [--role submitter|administrator ...]

Exit status 0 only if every role's run passed. Reports (JUnit XML) go to artifacts/api-fuzz/.
"""
from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

USERS = {"submitter": "fuzz-submitter", "administrator": "fuzz-admin"}
CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_headers_conformance",
    "response_schema_conformance", "negative_data_rejection",
])
PHASES = "examples,coverage,fuzzing,stateful"
PLAN = "guangzhou-health-elderly-2017-2020"


def main() -> int:
    args = _arguments()
    database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='api-fuzz-')}/fuzz.sqlite3"
    _fresh_database(database_url)
    env = _environment(database_url)
    os.environ.update(env)
    _prepare()
    port = _free_port()
    server, log_path = _serve(env, port)
    try:
        _wait_until_up(port, server)
        results = {role: _fuzz(role, port, args) for role in args.role}
    finally:
        server.terminate()
        server.wait(timeout=30)
    server_errors = _server_errors(log_path)
    print(f"\n== API fuzz summary (seed {args.seed}, at most {args.max_examples} examples per operation)")
    for role, code in results.items():
        print(f"  {role:<14} {'passed' if code == 0 else f'FAILED (schemathesis exit {code})'}")
    print(f"  server log     {log_path}: {server_errors} unhandled exception(s)")
    return 0 if all(code == 0 for code in results.values()) and not server_errors else 1


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("FUZZ_DATABASE_URL", ""))
    parser.add_argument("--max-examples", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--role", action="append", choices=sorted(USERS))
    args = parser.parse_args()
    args.role = args.role or ["submitter", "administrator"]
    return args


def _fresh_database(url: str) -> None:
    """Drop and create the PostgreSQL database the URL names (never the one tests or CI use)."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return
    name = parts.path.lstrip("/")
    if not name.endswith("fuzz"):
        raise SystemExit(f"refusing to recreate {name!r}: the fuzz database's name must end in 'fuzz'")
    import psycopg

    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server.replace("postgres://", "postgresql://", 1), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _environment(database_url: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": database_url, "DEBUG": "False",
        "DEMO_MODE": "False", "CELERY_BROKER_URL": "", "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_FORMAT": "text", "LOG_LEVEL": "WARNING",
        # Many generated requests per second from one address are the point here.
        "AXES_FAILURE_LIMIT": "1000",
    }


def _prepare() -> None:
    """Migrate, load the plans, and report a few figures through the real workflow."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_plans", verbosity=0)
    _seed()


def _seed() -> None:
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from kpis.services import snapshots_recompute
    from tests.factories import ActualFactory, UserFactory, submitter_for, target_with_lead
    from trackers import roles
    from trackers.models import Target
    from trackers.services.actuals import FigureInput, actual_return, actual_submit_figure

    for name in roles.ROLES:
        Group.objects.get_or_create(name=name)
    target = target_with_lead(PLAN)
    submitter, department = submitter_for(target, username=USERS["submitter"])
    UserFactory(username=USERS["administrator"], role=roles.ADMINISTRATOR)
    reviewer = UserFactory(username="fuzz-reviewer", role=roles.REVIEWER)
    start = target.plan.start_year
    for year, value in ((start, "100"), (start + 1, "130")):
        ActualFactory(target=target, year=year, value=value, submitter=submitter, department=department,
                      reviewer=reviewer)
    waiting = actual_submit_figure(user=submitter, department=department, figure=FigureInput(
        target.indicator, target.region, start + 2, "150", "", "统计公报"))
    returned = actual_submit_figure(user=submitter, department=department, figure=FigureInput(
        target.indicator, target.region, start + 3, "9000", "", "统计公报"))
    actual_return(user=reviewer, version=returned, reason="请核对单位", expected_lock_version=returned.actual.lock_version)
    snapshots_recompute(Target.objects.all(), timezone.localdate())
    print(f"seeded: figures of {target} ({waiting.actual} awaits review), users {', '.join(USERS.values())}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(env: dict, port: int):
    log_path = ROOT / "artifacts" / "api-fuzz" / "server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi",
         "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT, env={**os.environ, **env, "LOG_LEVEL": "ERROR"}, stdout=log, stderr=subprocess.STDOUT,
    )
    return server, log_path


def _wait_until_up(port: int, server) -> None:
    for _ in range(120):
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped; see artifacts/api-fuzz/server.log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer within a minute")


def _signed_in(role: str) -> list[str]:
    """Headers of a signed-in browser session (cookie and CSRF token), as the pages use the API.
    Basic authentication would hash the password on every request (a quarter of a second)."""
    from django.contrib.auth import get_user_model
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.test import Client
    from django.utils.crypto import get_random_string

    client = Client()
    client.force_login(get_user_model().objects.get(username=USERS[role]))
    session = client.cookies["sessionid"].value
    csrf = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
    return ["--header", f"Cookie: sessionid={session}; csrftoken={csrf}", "--header", f"X-CSRFToken: {csrf}"]


def _fuzz(role: str, port: int, args) -> int:
    report_dir = ROOT / "artifacts" / "api-fuzz" / role
    command = [
        str(Path(sys.executable).parent / "st"), "run", f"http://127.0.0.1:{port}/api/schema/?format=json",
        *_signed_in(role), "--checks", CHECKS, "--phases", PHASES,
        "--seed", str(args.seed), "--max-examples", str(args.max_examples), "--generation-deterministic",
        # The run signs in as the role; credentials are not what is being fuzzed.
        "--generation-with-security-parameters", "false", "--workers", "1", "--request-timeout", "30", "--no-color",
        "--report", "junit", "--report-dir", str(report_dir),
    ]
    shown = " ".join("'<session headers>'" if part.startswith(("Cookie:", "X-CSRFToken:")) else part for part in command)
    print(f"\n== schemathesis as {role} ({USERS[role]})\n$ {shown}", flush=True)
    return subprocess.run(command, cwd=ROOT).returncode


def _server_errors(log_path: Path) -> int:
    return log_path.read_text(errors="replace").count("Traceback (most recent call last)")


if __name__ == "__main__":
    sys.exit(main())
