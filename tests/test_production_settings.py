"""Production settings, checked in a fresh process as the deployment would load them."""
import os
import secrets
import subprocess
import sys

from django.conf import settings


def run_manage(*args, **env):
    # As the deployment would: none of the variables a developer or another test may have set.
    unset = ("DEMO_MODE", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(DJANGO_SETTINGS_MODULE="config.production", ALLOWED_HOSTS="tracker.example.org", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
    )


def test_deploy_check_is_clean():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=secrets.token_urlsafe(64))
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_missing_or_weak_secret_stops_the_process():
    missing = run_manage("check")
    assert missing.returncode != 0 and "SECRET_KEY" in missing.stderr
    weak = run_manage("check", SECRET_KEY="insecure-dev-key-only-for-the-embedded-default")
    assert weak.returncode != 0 and "SECRET_KEY" in weak.stderr


def test_demo_mode_is_refused_in_production():
    result = run_manage("check", SECRET_KEY=secrets.token_urlsafe(64), DEMO_MODE="1")
    assert result.returncode != 0 and "DEMO_MODE" in result.stderr
